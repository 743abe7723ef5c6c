// The glue between the network front end and the core: each request is routed by the core
// (sockjs::route), and what the core does not answer itself is handed to a session, a
// WebSocket, or answered with send_response(). No protocol decision is taken here.

#include "packed_headers.hpp"
#include "raw_websocket_backend.hpp"
#include "receivers.hpp"
#include "server_impl.hpp"
#include "service_impl.hpp"
#include "session_backend.hpp"
#include "static_files.hpp"

#include <sockjs/http.hpp>
#include <sockjs/payload.hpp>
#include <sockjs/wrap.hpp>

namespace sockjs::detail {

namespace {

std::optional<std::string_view> header(const net::http_request& req, const char* name) {
    auto it = req.headers.find(name);
    if (it == req.headers.end()) return std::nullopt;
    return std::string_view(it->second);
}

/// The core's view of `req` for a service whose prefix is `prefix_size` bytes long.
/// Holds views into `req`.
request_info make_info(const net::http_request& req, std::size_t prefix_size) {
    request_info i;
    i.method = req.method;
    i.path = std::string_view(req.path).substr(prefix_size);
    i.query = req.query;
    // One pass over the headers, the first of each name taken (as find() would): seven
    // find()s were seven scans, each with a std::string made of the name.
    const auto take = [](std::optional<std::string_view>& slot, const std::string& value) {
        if (!slot) slot = value;
    };
    for (const auto& [name, value] : req.headers) {
        if (iequal(name, "Origin")) take(i.origin, value);
        else if (iequal(name, "Access-Control-Request-Headers")) take(i.request_headers, value);
        else if (iequal(name, "Cookie")) take(i.cookie, value);
        else if (iequal(name, "If-None-Match")) take(i.if_none_match, value);
        else if (iequal(name, "Content-Type")) take(i.content_type, value);
        else if (iequal(name, "Upgrade")) take(i.upgrade, value);
        else if (iequal(name, "Connection")) take(i.connection, value);
    }
    i.http10 = req.http10;
    return i;
}

/// True when no token is configured, or `Authorization: Bearer <token>` carries it. Compared
/// in time independent of where the first difference is, so the token cannot be guessed byte
/// by byte from response times.
bool metrics_authorized(const net::http_request& req, const std::string& token) {
    if (token.empty()) return true;
    auto auth = header(req, "Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (!auth || auth->size() != scheme.size() + token.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)  // the scheme is case-insensitive
        if (((*auth)[i] | 0x20) != (scheme[i] | 0x20)) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < token.size(); ++i)
        diff |= static_cast<unsigned char>((*auth)[scheme.size() + i] ^ token[i]);
    return diff == 0;
}

/// False when the service binds sessions to their opener's address and `req` comes from
/// another one.
bool may_use(const service_impl& svc, const session_backend& session, const net::http_request& req) {
    return !svc.opts.bind_session_to_address ||
           (session.opener_address && *session.opener_address == req.peer.get().host().toString());
}

void respond(net::exchange& ex, const http_response& r) { ex.respond(r.status, r.headers, r.body); }

}  // namespace

service_impl* server_impl::match(std::string_view path) noexcept {
    for (auto& s : services_) {  // longest prefix first
        const auto& p = s->prefix;
        if (path.size() >= p.size() && path.compare(0, p.size(), p) == 0 &&
            (path.size() == p.size() || path[p.size()] == '/'))
            return s.get();
    }
    return nullptr;
}

void server_impl::handle(std::shared_ptr<net::exchange> ex, net::http_request& req) {
    if (proxies_)
        if (auto client = proxies_->client(req.peer.get().host(), req.headers))
            req.peer = net::peer_address(Poco::Net::SocketAddress(*client, 0));

    if (!opts_.metrics_path.empty() && req.path == opts_.metrics_path) {
        if (req.method != "GET" && req.method != "HEAD") {
            ex->respond(405, {{"Allow", "GET, HEAD"}}, {});
            return;
        }
        if (!metrics_authorized(req, opts_.metrics_token)) {
            ex->respond(401,
                        {{"WWW-Authenticate", "Bearer realm=\"metrics\""},
                         {"Content-Type", "text/plain;charset=UTF-8"}},
                        "Unauthorized\n");
            return;
        }
        ex->respond(200,
                    {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"},
                     {"Cache-Control", "no-store"}},
                    metrics_text());
        return;
    }

    if (serve_http_route(*ex, req)) return;
    service_impl* svc = match(req.path);
    if (svc == nullptr) {
        if (!opts_.static_dir.empty()) {
            serve_static(opts_.static_dir, ex, req);
            return;
        }
        respond(*ex, not_found_response());
        return;
    }

    auto info = make_info(req, svc->prefix.size());
    auto rr = route(info, svc->opts, static_cast<std::uint32_t>(entropy_->next()), clock_->unix_seconds());
    if (rr.response) {
        respond(*ex, *rr.response);
        return;
    }
    switch (rr.target) {
    case endpoint::raw_websocket: open_raw_websocket(*svc, std::move(ex), req, info); return;
    case endpoint::session: break;
    default:  // the core answers the other endpoints itself
        ex->respond(500, {{"Content-Type", "text/plain;charset=UTF-8"}}, "Unrouted request\n");
        return;
    }
    if (rr.t == transport::websocket)
        open_websocket_session(*svc, std::move(ex), req, info);
    else if (is_receiving(rr.t))
        open_receiver(*svc, std::move(ex), req, info, rr);
    else
        handle_send(*svc, std::move(ex), req, info, rr);
}

bool server_impl::serve_http_route(net::exchange& ex, const net::http_request& req) {
    auto route = http_routes_.find(req.path);
    if (route == http_routes_.end()) return false;
    const auto& methods = route->second;
    const bool head = req.method == "HEAD";
    auto it = methods.find(head ? std::string_view("GET") : std::string_view(req.method));
    if (it == methods.end()) {
        std::string allow;
        for (const auto& [m, h] : methods) allow += (allow.empty() ? "" : ", ") + m + (m == "GET" ? ", HEAD" : "");
        ex.respond(405, {{"Allow", allow}}, {});
        return true;
    }
    const std::string remote = remote_text(req.peer.get());
    http_request_view view{.method = it->first, .path = req.path, .query = req.query, .body = req.body,
                           .remote_address = remote, .headers = {}};
    for (const auto& [n, v] : req.headers) view.headers.emplace_back(n, v);
    http_reply reply;
    try {
        reply = it->second(view);
    } catch (const std::exception& e) {
        if (logging()) log("level=error event=route_error path=" + req.path + " error=\"" + e.what() + "\"");
        reply = {500, {{"Content-Type", "text/plain;charset=UTF-8"}}, "Internal Server Error\n"};
    } catch (...) {
        if (logging()) log("level=error event=route_error path=" + req.path);
        reply = {500, {{"Content-Type", "text/plain;charset=UTF-8"}}, "Internal Server Error\n"};
    }
    ex.respond(reply.status, reply.headers, reply.body);  // HEAD: the exchange drops the body
    return true;
}

void server_impl::refuse(service_impl& svc, net::exchange& ex, const net::http_request& req) {
    add(svc.counters.at(ex.owner().index()).refused);
    if (logging())
        log("level=warn event=refused service=" + svc.prefix + " reason=max_sessions remote=" + remote_text(req.peer.get()));
    respond(ex, too_many_sessions_response());
}

void server_impl::open_receiver(service_impl& svc, std::shared_ptr<net::exchange> ex,
                                net::http_request& req, const request_info& info,
                                const route_result& rr) {
    net::loop& here = ex->owner();
    bool created = false;
    auto session = svc.registry.find_or_create(
        rr.session_id,
        [&]() -> std::shared_ptr<session_backend> {
            if (!svc.try_reserve()) return nullptr;
            auto s = std::make_shared<session_backend>(svc, here, std::string(rr.session_id), rr.t);
            if (svc.opts.bind_session_to_address)
                s->opener_address = std::make_unique<const std::string>(req.peer.get().host().toString());
            return s;
        },
        created);
    if (!session) {
        refuse(svc, *ex, req);
        return;
    }
    if (!may_use(svc, *session, req)) {
        respond(*ex, not_found_response());
        return;
    }
    if (created) session->make_connection(req);  // on `here`, the new session's home

    auto rx = std::make_shared<http_receiver>(ex, rr.t, receiver_head(rr.t, info, svc.opts),
                                              prelude(rr.t, rr.callback), session, session->home(),
                                              opts_.write_high_watermark);
    rx->arm();
    run_on(session->home(), [session, rx, t = rr.t, cb = rr.callback] { session->attach(rx, t, cb); });
}

void server_impl::handle_send(service_impl& svc, std::shared_ptr<net::exchange> ex,
                              net::http_request& req, const request_info& info,
                              const route_result& rr) {
    auto session = svc.registry.find(rr.session_id);
    if (!session || !may_use(svc, *session, req)) {
        respond(*ex, send_response(rr.t, errc::session_not_open, info, svc.opts));
        return;
    }
    std::string jsonp_body;
    if (rr.t == transport::jsonp_send) jsonp_body = jsonp_send_body(req.body, info.content_type);
    net::loop& here = ex->owner();
    if (&session->home() == &here) {
        // Read in place: the request's body buffer stays with the connection for its next one.
        auto e = session->receive(rr.t == transport::jsonp_send ? jsonp_body : req.body);
        respond(*ex, send_response(rr.t, e, info, svc.opts));
        return;
    }
    std::string body = rr.t == transport::jsonp_send ? std::move(jsonp_body) : std::move(req.body);
    // The session lives on another loop: take the body there, bring the verdict back here.
    auto keep = std::make_shared<net::http_request>(std::move(req));  // `info` dies with `req`
    post_to(session->home(), [session, body = std::move(body), ex, keep, svcp = &svc, t = rr.t, herep = &here] {
        auto e = session->receive(body);
        post_to(*herep, [ex, keep, svcp, t, e] {
            auto again = make_info(*keep, svcp->prefix.size());
            respond(*ex, send_response(t, e, again, svcp->opts));
        });
    });
}

void server_impl::open_websocket_session(service_impl& svc, std::shared_ptr<net::exchange> ex,
                                         net::http_request& req, const request_info&) {
    if (!svc.try_reserve()) {
        refuse(svc, *ex, req);
        return;
    }
    net::loop& here = ex->owner();
    auto ws = net::accept_websocket(ex, req, websocket_wire_limit(svc.opts));
    if (!ws) {  // bad handshake: already answered 400
        svc.unreserve();
        return;
    }
    auto session = std::make_shared<session_backend>(svc, here, std::string(), transport::websocket);
    session->make_connection(req);
    session->attach_websocket(std::move(ws));
}

void server_impl::open_raw_websocket(service_impl& svc, std::shared_ptr<net::exchange> ex,
                                     net::http_request& req, const request_info&) {
    if (!svc.try_reserve()) {
        refuse(svc, *ex, req);
        return;
    }
    net::loop& here = ex->owner();
    auto ws = net::accept_websocket(ex, req, svc.opts.max_message_size);
    if (!ws) {
        svc.unreserve();
        return;
    }
    auto raw = std::make_shared<raw_websocket_backend>(svc, here, std::move(ws));
    raw->make_connection(req);
    raw->start();
}

}  // namespace sockjs::detail
