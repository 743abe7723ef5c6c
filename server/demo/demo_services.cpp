#include "demo_services.hpp"

#include <string>
#include <string_view>

namespace sockjs::demo {

void apply_demo_options(server_options& opts) { opts.metrics_close_codes = {3000}; }

void add_demo_services(server& srv, const service_options& base) {
    // An application metric on the same /metrics (sockjs/metrics.hpp).
    auto& echoed = srv.metrics().add_counter("demo_echo_messages_total", "Messages echoed by the echo services.");
    auto echo = handlers{.on_message = [&echoed](connection& c, std::string_view m) {
        echoed.inc();
        c.send(m);
    }};

    service_options echo_opts = base;
    echo_opts.response_limit = 4096;  // the suite's streaming tests expect it
    srv.route("/echo", echo, echo_opts);

    srv.route("/close", handlers{.on_open = [](connection& c) { c.close(3000, "Go away!"); }}, base);

    service_options no_ws = base;
    no_ws.websocket = false;
    srv.route("/disabled_websocket_echo", echo, no_ws);

    service_options cookies = base;
    cookies.jsessionid = true;
    srv.route("/cookie_needed_echo", echo, cookies);

    srv.route("/broadcast", handlers{.on_message = [](connection& c, std::string_view m) { c.broadcast(m); }}, base);

    srv.route("/rooms",
              handlers{.on_open = [](connection& c) { c.send("id " + c.id()); },
                       .on_message =
                           [&srv](connection& c, std::string_view m) {
                               // "verb arg rest": the topic or id is one word.
                               auto verb = m.substr(0, m.find(' '));
                               auto rest = verb.size() < m.size() ? m.substr(verb.size() + 1) : std::string_view();
                               auto arg = rest.substr(0, rest.find(' '));
                               auto text = arg.size() < rest.size() ? rest.substr(arg.size() + 1) : std::string_view();
                               if (verb == "join") c.send(c.subscribe(arg) ? "joined " + std::string(arg) : "refused");
                               if (verb == "leave") {
                                   c.unsubscribe(arg);
                                   c.send("left " + std::string(arg));  // done: later publishes miss it
                               }
                               if (verb == "pub") srv.publish(arg, text);
                               if (verb == "to" && !srv.send_to(arg, text)) c.send("unknown " + std::string(arg));
                           }},
              base);

    // For load balancers and orchestrators: 200 while the process serves requests.
    srv.http_route("GET", "/healthz", [](const http_request_view&) {
        return http_reply{.status = 200, .headers = {{"Content-Type", "text/plain;charset=UTF-8"}}, .body = "ok"};
    });
}

}  // namespace sockjs::demo
