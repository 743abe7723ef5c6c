// sockjs-bench: the load generator of the benchmark matrix (bench/run.sh runs it). One step
// per invocation against one server; prints one `result key=value ...` line; exits 1 when
// any message was wrong, lost or a session broke, 2 on a usage error.

#include "scenario.hpp"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

#include <csignal>
#include <iostream>
#include <stdexcept>

namespace {

using Poco::Util::Option;

Poco::Util::OptionSet cli_options() {
    Poco::Util::OptionSet set;
    set.addOption(Option("help", "h", "print this help and exit"));
    set.addOption(Option("host", "", "server address, IPv4 (default 127.0.0.1)").argument("ADDR"));
    set.addOption(Option("port", "p", "server port (required)").argument("PORT"));
    set.addOption(Option("more-ports", "", "ports of more server processes (comma-separated): sessions go "
                                           "round robin over --port and these").argument("P,P"));
    set.addOption(Option("mode", "m", "echo | hold | broadcast (default echo)").argument("MODE"));
    set.addOption(Option("transport", "t",
                         "websocket | raw-websocket | xhr-streaming | xhr-polling (default websocket)")
                      .argument("T"));
    set.addOption(Option("service", "s", "service prefix (default /echo)").argument("PATH"));
    set.addOption(Option("clients", "c", "sessions (default 100)").argument("N"));
    set.addOption(Option("size", "", "bytes per message (default 64)").argument("N"));
    set.addOption(Option("warmup", "", "seconds of load before measuring (default 1)").argument("S"));
    set.addOption(Option("duration", "d", "seconds measured (default 5)").argument("S"));
    set.addOption(Option("open-timeout", "", "seconds to open every session (default 30)").argument("S"));
    set.addOption(Option("drain", "", "seconds to wait for messages in flight (default 3)").argument("S"));
    set.addOption(Option("window", "w", "broadcast: messages in flight (default 1)").argument("N"));
    set.addOption(Option("max-messages", "", "bound on messages sent (default 20000000)").argument("N"));
    set.addOption(Option("server-pid", "", "server process, for RSS and CPU readings").argument("PID"));
    set.addOption(Option("label", "l", "name of the step in the result line").argument("NAME"));
    set.addOption(Option("tls-ca", "", "speak https/wss, verifying the server's certificate against this PEM CA "
                                       "file").argument("FILE"));
    set.addOption(Option("deflate", "", "WebSocket transports: offer permessage-deflate and fail if the server "
                                        "declines"));
    set.addOption(Option("json", "", "echo: send JSON documents of --size bytes (default: text filler)"));
    return set;
}

void help(const Poco::Util::OptionSet& set) {
    Poco::Util::HelpFormatter f(set);
    f.setUnixStyle(true);
    f.setCommand("sockjs-bench");
    f.setUsage("--port PORT [options]");
    f.setHeader(
        "Load generator for SockJS servers: closed-loop echo, held sessions, or broadcast fan-out,\n"
        "every received message checked for content and order. Prints one result line.");
    f.format(std::cout);
}

std::size_t to_size(const std::string& v) { return Poco::NumberParser::parseUnsigned64(v); }

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    bench::bench_options o;
    auto set = cli_options();
    try {
        Poco::Util::OptionProcessor proc(set);
        proc.setUnixStyle(true);
        for (int i = 1; i < argc; ++i) {
            std::string name, value;
            if (!proc.process(argv[i], name, value)) throw Poco::Util::UnknownOptionException(argv[i]);
            if (name.empty()) continue;
            if (name == "help") {
                help(set);
                return 0;
            }
            if (name == "host") o.host = value;
            if (name == "port") o.port = static_cast<std::uint16_t>(Poco::NumberParser::parseUnsigned(value));
            if (name == "more-ports")
                for (const auto& p : Poco::StringTokenizer(value, ",", Poco::StringTokenizer::TOK_TRIM))
                    o.more_ports.push_back(static_cast<std::uint16_t>(Poco::NumberParser::parseUnsigned(p)));
            if (name == "mode") o.mode = value;
            if (name == "transport" && !bench::parse_transport_kind(value, o.transport))
                throw Poco::InvalidArgumentException("unknown transport", value);
            if (name == "service") o.service = value;
            if (name == "clients") o.clients = to_size(value);
            if (name == "size") o.size = to_size(value);
            if (name == "warmup") o.warmup_s = Poco::NumberParser::parseFloat(value);
            if (name == "duration") o.duration_s = Poco::NumberParser::parseFloat(value);
            if (name == "open-timeout") o.open_timeout_s = Poco::NumberParser::parseFloat(value);
            if (name == "drain") o.drain_s = Poco::NumberParser::parseFloat(value);
            if (name == "window") o.window = to_size(value);
            if (name == "max-messages") o.max_messages = to_size(value);
            if (name == "server-pid") o.server_pid = static_cast<int>(Poco::NumberParser::parse(value));
            if (name == "label") o.label = value;
            if (name == "tls-ca") o.tls_ca = value;
            if (name == "deflate") o.deflate = true;
            if (name == "json") o.json = true;
        }
        proc.checkRequired();
        if (o.port == 0) throw Poco::InvalidArgumentException("--port is required");
        if (o.mode != "echo" && o.mode != "hold" && o.mode != "broadcast")
            throw Poco::InvalidArgumentException("unknown mode", o.mode);
        if (o.clients == 0 || o.window == 0) throw Poco::InvalidArgumentException("--clients and --window must be > 0");
    } catch (const Poco::Exception& e) {
        std::cerr << "sockjs-bench: " << e.displayText() << "\n(try --help)\n";
        return 2;
    }

    try {
        bench::bench_report r;
        if (o.mode == "echo") r = bench::run_echo(o);
        else if (o.mode == "hold") r = bench::run_hold(o);
        else r = bench::run_broadcast(o);
        bench::print_report(std::cout, r);
        return r.errors == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "sockjs-bench: " << e.what() << "\n";
        return 2;
    }
}
