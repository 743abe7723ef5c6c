// The /info document: what the client needs before it picks a transport.

#include <sockjs/http.hpp>

#include <boost/json.hpp>

namespace sockjs {

std::string info_json(bool websocket, bool cookie_needed, std::uint32_t entropy) {
    boost::json::object o;
    o["websocket"] = websocket;
    o["cookie_needed"] = cookie_needed;
    // Clients ignore "origins"; the suite requires exactly ["*:*"].
    o["origins"] = boost::json::array{"*:*"};
    // The browser has no good entropy source of its own; the adapter's RNG supplies it.
    o["entropy"] = static_cast<std::uint64_t>(entropy);
    return boost::json::serialize(o);
}

}  // namespace sockjs
