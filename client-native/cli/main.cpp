// sockjs-client-cli: a SockJS session on the command line.
//
//   sockjs-client-cli --url URL [--transport NAME]... [--timeout S] [--linger S]
//                     [--ca-file FILE] [--insecure-no-verify]
//
// Each line read from stdin is sent as one message; each message received is printed on its
// own line on stdout. On a close from the server the program exits with the close code (as
// an exit status: 0 for 1000, else the code modulo 256, or 1 where that would be 0); at the
// end of stdin it waits until every line is sent and no message has arrived for --linger
// seconds, closes with 1000 and exits 0 on a clean close. Diagnostics go to stderr.

#include <sockjs/client/connection.hpp>

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;
using sockjs::client::event;

struct cli_args {
    std::string url;
    sockjs::client::options opts;
    std::chrono::milliseconds linger{1000};
    bool help = false;
};

constexpr int exit_usage = 64;  // EX_USAGE

std::chrono::milliseconds seconds_arg(const std::string& name, const std::string& value) {
    double s = 0;
    if (!Poco::NumberParser::tryParseFloat(value, s) || s < 0 || s > 86400)
        throw Poco::Util::InvalidArgumentException("--" + name + " wants seconds, got " + value);
    return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

Poco::Util::OptionSet option_set() {
    using Poco::Util::Option;
    Poco::Util::OptionSet set;
    set.addOption(Option("url", "u", "SockJS service URL, e.g. http://127.0.0.1:8081/echo (https:// for TLS)")
                      .required(true).repeatable(false).argument("URL"));
    set.addOption(Option("transport", "t",
                         "allowed transport: websocket, xhr-streaming or xhr-polling (repeatable; default all)")
                      .repeatable(true).argument("NAME"));
    set.addOption(Option("timeout", "", "seconds one transport may take to open (default 5)").argument("S"));
    set.addOption(Option("linger", "", "after the end of stdin, seconds without a message before closing (default 1)")
                      .argument("S"));
    set.addOption(Option("ca-file", "", "https: trust the CAs in this PEM file (default: the system's store)")
                      .argument("FILE"));
    set.addOption(Option("insecure-no-verify", "",
                         "https: accept ANY certificate (no protection against a man in the middle; tests only)"));
    set.addOption(Option("help", "h", "this text"));
    return set;
}

// Throws Poco::Util::OptionException on bad usage.
cli_args parse(int argc, char** argv, const Poco::Util::OptionSet& set) {
    cli_args a;
    Poco::Util::OptionProcessor proc(set);
    proc.setUnixStyle(true);
    for (int i = 1; i < argc; ++i) {
        std::string name, value;
        if (!proc.process(argv[i], name, value)) {
            if (std::string(argv[i]).rfind("-", 0) != 0)
                throw Poco::Util::UnexpectedArgumentException(argv[i]);
            continue;  // an option waiting for its argument in the next word
        }
        if (name == "url") {
            a.url = value;
        } else if (name == "transport") {
            auto t = sockjs::parse_client_transport(value);
            if (!t || (*t != sockjs::client_transport::websocket && *t != sockjs::client_transport::xhr_streaming &&
                       *t != sockjs::client_transport::xhr_polling))
                throw Poco::Util::InvalidArgumentException("unknown transport " + value);
            a.opts.transports.push_back(*t);
        } else if (name == "timeout") {
            a.opts.timeout = seconds_arg(name, value);
        } else if (name == "linger") {
            a.linger = seconds_arg(name, value);
        } else if (name == "ca-file") {
            a.opts.tls.ca_file = value;
        } else if (name == "insecure-no-verify") {
            a.opts.tls.insecure_skip_verify = true;
        } else if (name == "help") {
            a.help = true;
        }
    }
    if (!a.help) proc.checkRequired();
    return a;
}

int exit_status(int code) {
    if (code == 1000) return 0;
    const int s = code & 0xff;
    return s == 0 ? 1 : s;
}

// Reads stdin in its own thread (poll with a short timeout, so that it can be stopped) and
// sends every complete line; the last line may lack its newline.
class stdin_pump {
public:
    explicit stdin_pump(sockjs::client::connection& c) : c_(c), thread_([this] { run(); }) {}
    ~stdin_pump() {
        stop_ = true;
        thread_.join();
    }
    bool at_eof() const { return eof_; }

private:
    void run() {
        std::string buf;
        char chunk[4096];
        while (!stop_) {
            pollfd p{STDIN_FILENO, POLLIN, 0};
            const int r = ::poll(&p, 1, 100);
            if (r < 0 && errno != EINTR) break;
            if (r <= 0) continue;
            const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            buf.append(chunk, static_cast<std::size_t>(n));
            std::size_t start = 0;
            for (std::size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1)
                send(std::string_view(buf).substr(start, nl - start));
            buf.erase(0, start);
        }
        if (!buf.empty() && !stop_) send(buf);
        eof_ = true;
    }
    void send(std::string_view line) {
        if (auto e = c_.send(line); e != sockjs::errc::ok)
            std::cerr << "sockjs-client-cli: not sent (" << sockjs::message(e) << "): " << line << '\n';
    }

    sockjs::client::connection& c_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> eof_{false};
    std::thread thread_;
};

int report_close(const event& e, const sockjs::client::connection& c) {
    if (e.code != 1000 || !e.was_clean) {
        std::cerr << "sockjs-client-cli: closed " << e.code << " \"" << e.reason << "\""
                  << (e.was_clean ? "" : " (not clean)");
        if (const auto why = c.last_error(); !why.empty() && !e.was_clean) std::cerr << ": " << why;
        std::cerr << '\n';
    }
    return exit_status(e.code);
}

int run(const cli_args& a) {
    sockjs::client::connection c(a.url, a.opts);
    // Until open: nothing to read from stdin yet (send would fail while connecting).
    for (;;) {
        auto e = c.next_event(1s);
        if (!e) continue;
        if (e->kind == event::close) return report_close(*e, c);
        if (e->kind == event::open) break;
    }
    stdin_pump pump(c);
    auto last_message = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> flushed_at;  // stdin done, all sent
    bool closing = false;
    std::chrono::steady_clock::time_point close_deadline{};
    for (;;) {
        auto e = c.next_event(50ms);
        if (e && e->kind == event::message) {
            std::cout << e->data << '\n' << std::flush;
            last_message = std::chrono::steady_clock::now();
            continue;
        }
        if (e && e->kind == event::close) return report_close(*e, c);
        const auto now = std::chrono::steady_clock::now();
        if (!flushed_at && pump.at_eof() && c.flush(0ms)) flushed_at = now;
        if (!closing && flushed_at && now - std::max(last_message, *flushed_at) >= a.linger) {
            closing = true;
            close_deadline = now + 5s;
            c.close(1000, "Normal closure");
        }
        if (closing && now > close_deadline) {
            std::cerr << "sockjs-client-cli: no close event after close()\n";
            return 1;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const auto set = option_set();
    cli_args args;
    try {
        args = parse(argc, argv, set);
    } catch (const Poco::Exception& e) {
        std::cerr << "sockjs-client-cli: " << e.displayText() << "\n(--help for usage)\n";
        return exit_usage;
    }
    if (args.help) {
        Poco::Util::HelpFormatter help(set);
        help.setUnixStyle(true);
        help.setCommand("sockjs-client-cli");
        help.setUsage("--url URL [--transport NAME]... [--timeout S] [--linger S]");
        help.setHeader("Sends each stdin line as a SockJS message; prints each received message on a line.");
        help.format(std::cout);
        return 0;
    }
    try {
        return run(args);
    } catch (const std::exception& e) {
        std::cerr << "sockjs-client-cli: " << e.what() << '\n';
        return 2;
    }
}
