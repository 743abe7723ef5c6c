// The router and the responses it builds (core http.hpp route, receiver_head, send_response)
// on request fields as the HTTP front end hands them over: method, path, query and the headers
// the protocol reads, under fuzzer-chosen service options.
// Properties: no memory error or UB; every status is one the routing table documents; no
// response header carries CR, LF or NUL (no header injection through echoed request values);
// session ids and server ids are non-empty views into the path.
#include "fuzz_util.hpp"

#include <sockjs/error.hpp>
#include <sockjs/http.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

using sockjs_fuzz::check;

namespace {

/// A header value as the front end delivers one: no CR, LF or NUL (RFC 9112 rejects them).
std::string field(FuzzedDataProvider& in) {
    std::string s = in.ConsumeRandomLengthString(64);
    for (char& c : s)
        if (c == '\r' || c == '\n' || c == '\0') c = ' ';
    return s;
}

std::optional<std::string> maybe_field(FuzzedDataProvider& in) {
    if (!in.ConsumeBool()) return std::nullopt;
    return field(in);
}

void check_response(const sockjs::http_response& r) {
    switch (r.status) {
    case 101: case 200: case 204: case 304: case 400: case 403: case 404: case 405: case 413:
    case 500: case 503:
        break;
    default:
        check(false, "a status the routing table does not document");
    }
    for (const auto& [k, v] : r.headers) {
        check(!k.empty(), "an empty header name");
        for (char c : k + v) check(c != '\r' && c != '\n' && c != '\0', "CR, LF or NUL in a header");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    sockjs::service_options opts;
    opts.websocket = in.ConsumeBool();
    opts.jsessionid = in.ConsumeBool();
    if (in.ConsumeBool()) opts.origins = {"http://a.example", field(in)};
    if (in.ConsumeBool())
        opts.disabled_transports.push_back(static_cast<sockjs::transport>(in.ConsumeIntegralInRange(0, 7)));

    static constexpr const char* methods[] = {"GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE"};
    const std::string method = in.ConsumeBool() ? std::string(in.PickValueInArray(methods)) : field(in);
    const std::string path = field(in);
    const std::string query = field(in);
    const auto origin = maybe_field(in);
    const auto request_headers = maybe_field(in);
    const auto cookie = maybe_field(in);
    const auto if_none_match = maybe_field(in);
    const auto content_type = maybe_field(in);
    const auto upgrade = maybe_field(in);
    const auto connection = maybe_field(in);

    sockjs::request_info req;
    req.method = method;
    req.path = path;
    req.query = query;
    if (origin) req.origin = *origin;
    if (request_headers) req.request_headers = *request_headers;
    if (cookie) req.cookie = *cookie;
    if (if_none_match) req.if_none_match = *if_none_match;
    if (content_type) req.content_type = *content_type;
    if (upgrade) req.upgrade = *upgrade;
    if (connection) req.connection = *connection;
    req.http10 = in.ConsumeBool();

    const auto rr = sockjs::route(req, opts, in.ConsumeIntegral<std::uint32_t>(),
                                  in.ConsumeIntegral<std::int64_t>());
    if (rr.response) {
        check_response(*rr.response);
        return 0;
    }
    if (rr.target != sockjs::endpoint::session) return 0;
    const auto inside = [&](std::string_view v) {
        return !v.empty() && v.data() >= path.data() && v.data() + v.size() <= path.data() + path.size();
    };
    check(inside(rr.server_id) && inside(rr.session_id), "ids that are not views into the path");
    check_response(sockjs::receiver_head(rr.t, req, opts));
    static constexpr sockjs::errc results[] = {sockjs::errc::ok, sockjs::errc::empty_payload,
                                               sockjs::errc::broken_json,
                                               sockjs::errc::message_too_large,
                                               sockjs::errc::session_not_open};
    check_response(sockjs::send_response(rr.t, in.PickValueInArray(results), req, opts));
    return 0;
}
