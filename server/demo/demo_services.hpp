#pragma once
// The demo server's services, in one place for the binary (main.cpp) and for the server tests
// (tests/server), so that what the tests check is what the protocol suite and the browsers
// talk to.

#include <sockjs/server.hpp>

namespace sockjs::demo {

/// What the demo's services need of the server's options: /close's 3000 gets its own label in
/// sockjs_sessions_closed_total (other application codes count as other_app).
void apply_demo_options(server_options& opts);

/// Routes the demo's services on `srv`, each with `base` (what every service shares):
/// - /echo (response_limit 4096, as the suite's streaming tests expect), and the suite's
///   /disabled_websocket_echo and /cookie_needed_echo, all counting demo_echo_messages_total;
/// - /close: closes every session at once with 3000 "Go away!";
/// - /broadcast: every message goes to every session;
/// - /rooms: `join T` (answered `joined T`), `leave T` (`left T`), `pub T text`, `to ID text`;
///   each session gets `id <id>` first;
/// - GET /healthz: 200 "ok" while the process serves requests.
void add_demo_services(server& srv, const service_options& base = {});

}  // namespace sockjs::demo
