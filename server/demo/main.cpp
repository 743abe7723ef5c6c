// sockjs-server: the demo server. Serves the services the SockJS protocol suite expects
// (/echo, /close, /disabled_websocket_echo, /cookie_needed_echo) plus /broadcast, logs one
// key=value line per session event, serves /metrics (with one application counter,
// demo_echo_messages_total), and drains on SIGTERM/SIGINT.

#include "demo_services.hpp"

#include <sockjs/server.hpp>
#ifdef SOCKJS_DEMO_REDIS
#include <sockjs/redis_broadcaster.hpp>
#endif

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Poco::Util::Option;

Poco::Util::OptionSet cli_options() {
    Poco::Util::OptionSet set;
    set.addOption(Option("help", "h", "print this help and exit"));
    set.addOption(Option("host", "", "address to bind (default 127.0.0.1)").argument("ADDR"));
    set.addOption(Option("port", "p", "port to listen on (default 8081; 0 picks one)").argument("PORT"));
    set.addOption(Option("threads", "t", "event loops (default: one per core this process may use)").argument("N"));
    set.addOption(Option("static", "", "serve files from DIR for paths outside the services").argument("DIR"));
    set.addOption(Option("metrics", "", "path of the Prometheus metrics (default /metrics; '' turns it off)")
                      .argument("PATH"));
    set.addOption(Option("max-connections", "", "connection limit (default 20000)").argument("N"));
    set.addOption(Option("tls-cert", "", "serve https/wss with this PEM certificate chain").argument("FILE"));
    set.addOption(Option("tls-key", "", "the PEM private key of --tls-cert").argument("FILE"));
    set.addOption(Option("tls-client-ca", "", "require client certificates signed by these PEM CAs")
                      .argument("FILE"));
    set.addOption(Option("max-message-size", "", "largest message in bytes, every service (default 4 MiB); "
                             "the write hard limit grows to twice this if smaller")
                      .argument("BYTES"));
    set.addOption(Option("websocket-deflate", "", "offer permessage-deflate on WebSockets (default off)"));
    set.addOption(Option("origins", "",
                         "comma-separated Origin values allowed on every service (e.g. "
                         "https://app.example.com); others get 403. Default: any origin. Set it "
                         "whenever sessions are authenticated by cookies")
                      .argument("LIST"));
    set.addOption(Option("metrics-token", "",
                         "require 'Authorization: Bearer TOKEN' on the metrics path (default: "
                         "public; also read from SOCKJS_METRICS_TOKEN, which ps does not show)")
                      .argument("TOKEN"));
    set.addOption(Option("bind-sessions", "",
                         "answer a polling/streaming session only to the IP address that opened it"));
    set.addOption(Option("quiet", "q", "no per-session log lines (for benchmarks)"));
#ifdef SOCKJS_DEMO_REDIS
    set.addOption(Option("redis", "", "share broadcasts, topics and send_to with other processes through "
                                      "this Redis (redis://[:password@]host[:port][/db])")
                      .argument("URL"));
    set.addOption(Option("redis-prefix", "", "Redis channel prefix (default sockjs:)").argument("PREFIX"));
#endif
    return set;
}

void help(const Poco::Util::OptionSet& set) {
    Poco::Util::HelpFormatter f(set);
    f.setUnixStyle(true);
    f.setCommand("sockjs-server");
    f.setUsage("[options]");
    f.setHeader(
        "A SockJS server with the services of the SockJS protocol suite:\n"
        "  /echo (response_limit 4096), /close (3000 \"Go away!\" on open),\n"
        "  /disabled_websocket_echo, /cookie_needed_echo, and /broadcast\n"
        "  (every message to every /broadcast session), and /rooms (a session gets\n"
        "  \"id <connection id>\" on open; it sends \"join T\", \"leave T\", \"pub T MSG\"\n"
        "  (MSG to every session in topic T), \"to ID MSG\" (MSG to one session, on any\n"
        "  process with --redis)). Stops cleanly on SIGTERM/SIGINT.");
    f.format(std::cout);
}

std::vector<std::string> split_list(const std::string& list) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= list.size()) {
        auto comma = std::min(list.find(',', at), list.size());
        std::string item = list.substr(at, comma - at);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(item);
        at = comma + 1;
    }
    return out;
}

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

/// One log line on stderr, written whole: the loops, the Redis connections and main() log from
/// different threads, and std::cerr's pieces would interleave (a reader of "event=listening"
/// would then miss the port).
void log_line(std::string_view line) {
    static std::mutex m;
    std::string out = "ts=" + timestamp() + ' ';
    out.append(line).push_back('\n');
    std::lock_guard lock(m);
    std::fwrite(out.data(), 1, out.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
    sockjs::server_options opts;
    opts.metrics_path = "/metrics";
    if (const char* token = std::getenv("SOCKJS_METRICS_TOKEN")) opts.metrics_token = token;
    sockjs::service_options base;  // what every service shares (--origins, --bind-sessions)
    bool quiet = false;
    std::string redis_url, redis_prefix = "sockjs:";

    auto set = cli_options();
    try {
        Poco::Util::OptionProcessor proc(set);
        proc.setUnixStyle(true);
        for (int i = 1; i < argc; ++i) {
            std::string name, value;
            if (!proc.process(argv[i], name, value))
                throw Poco::Util::UnknownOptionException(argv[i]);
            if (name.empty()) continue;  // the option's argument comes next
            if (name == "help") {
                help(set);
                return 0;
            }
            if (name == "host") opts.host = value;
            if (name == "port") opts.port = static_cast<std::uint16_t>(Poco::NumberParser::parseUnsigned(value));
            if (name == "threads") opts.threads = Poco::NumberParser::parseUnsigned(value);
            if (name == "static") opts.static_dir = value;
            if (name == "metrics") opts.metrics_path = value;
            if (name == "max-connections") opts.max_connections = Poco::NumberParser::parseUnsigned(value);
            if (name == "tls-cert") opts.tls.cert_chain_file = value;
            if (name == "tls-key") opts.tls.private_key_file = value;
            if (name == "tls-client-ca") opts.tls.client_ca_file = value;
            if (name == "max-message-size")
                base.max_message_size = static_cast<std::size_t>(Poco::NumberParser::parseUnsigned64(value));
            if (name == "websocket-deflate") opts.websocket_deflate.enabled = true;
            if (name == "quiet") quiet = true;
            if (name == "redis") redis_url = value;
            if (name == "redis-prefix") redis_prefix = value;
            if (name == "origins") base.origins = split_list(value);
            if (name == "metrics-token") opts.metrics_token = value;
            if (name == "bind-sessions") base.bind_session_to_address = true;
        }
        proc.checkRequired();
        if (opts.tls.cert_chain_file.empty() != opts.tls.private_key_file.empty())
            throw Poco::Util::MissingOptionException("--tls-cert and --tls-key go together");
        // One echoed message must fit the output buffer, or its connection is cut.
        opts.write_hard_limit = std::max(opts.write_hard_limit, 2 * base.max_message_size);
    } catch (const Poco::Exception& e) {
        std::cerr << "sockjs-server: " << e.displayText() << "\n(try --help)\n";
        return 2;
    }

    if (!quiet) opts.log = log_line;

    // SIGTERM/SIGINT are taken by sigwait() below; blocked before any thread starts so that
    // none of the loop threads receives them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

#ifdef SOCKJS_DEMO_REDIS
    if (!redis_url.empty()) {
        try {
            // State changes of the Redis connections are logged even with --quiet.
            opts.bus = std::make_shared<sockjs::redis_broadcaster>(sockjs::redis_options{
                .url = redis_url, .channel_prefix = redis_prefix, .log = log_line});
        } catch (const std::exception& e) {
            std::cerr << "sockjs-server: " << e.what() << "\n";
            return 2;
        }
    }
#endif
    sockjs::demo::apply_demo_options(opts);
    sockjs::server srv(opts);
    sockjs::demo::add_demo_services(srv, base);

    try {
        srv.start();
    } catch (const std::exception& e) {  // "address already in use: 127.0.0.1:8081", a TLS file
        std::cerr << "sockjs-server: " << e.what() << "\n";
        return 1;
    }
    log_line(std::string("level=info event=listening url=") + (opts.tls.enabled() ? "https" : "http") + "://" +
             opts.host + ":" + std::to_string(srv.port()) + " loops=" + std::to_string(srv.loop_count()));

    int sig = 0;
    sigwait(&signals, &sig);
    log_line(std::string("level=info event=draining signal=") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
    srv.stop();
    log_line("level=info event=stopped");
    return 0;
}
