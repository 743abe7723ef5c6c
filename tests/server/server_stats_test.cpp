// stats: the Prometheus text exposition of a snapshot.

#include <sockjs/server_stats.hpp>

#include <catch2/catch.hpp>

TEST_CASE("stats: prometheus_text lists every counter with HELP and TYPE", "[stats]") {
    sockjs::server_stats s;
    s.sessions_by_transport = {{"websocket", 3}, {"xhr", 1}};
    s.sessions_opened_total = 10;
    s.sessions_closed_total = 6;
    s.sessions_refused_total = 2;
    s.messages_received_total = 100;
    s.messages_sent_total = 200;
    s.bytes_received_total = 1000;
    s.bytes_sent_total = 2000;
    s.connections = 7;
    auto text = sockjs::prometheus_text(s);
    for (const char* line :
         {"# TYPE sockjs_sessions gauge\n", "sockjs_sessions{transport=\"websocket\"} 3\n",
          "sockjs_sessions{transport=\"xhr\"} 1\n", "# TYPE sockjs_sessions_opened_total counter\n",
          "sockjs_sessions_opened_total 10\n", "sockjs_sessions_closed_total 6\n", "sockjs_sessions_refused_total 2\n",
          "sockjs_messages_received_total 100\n", "sockjs_messages_sent_total 200\n",
          "sockjs_bytes_received_total 1000\n", "sockjs_bytes_sent_total 2000\n", "# TYPE sockjs_connections gauge\n",
          "sockjs_connections 7\n"}) {
        INFO(line);
        CHECK(text.find(line) != std::string::npos);
    }
    // Every metric line is "name{labels} value" or "name value"; comments start with '#'.
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        REQUIRE(eol != std::string::npos);
        auto line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
        CHECK(line.rfind("sockjs_", 0) == 0);
        CHECK(line.find(' ') != std::string::npos);
    }
}
