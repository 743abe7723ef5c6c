#include "transport_io.hpp"

#include <sockjs/client.hpp>

namespace sockjs::client::detail {

std::string transport_context::path(transport t) const {
    return ep.prefix + session_path(server_id, session_id, t);
}

void transport_context::post(io_event::kind_t kind, std::string data, bool ok, std::string error) const {
    io_event e;
    e.kind = kind;
    e.generation = generation;
    e.data = std::move(data);
    e.ok = ok;
    e.error = std::move(error);
    sink->post(std::move(e));
}

}  // namespace sockjs::client::detail
