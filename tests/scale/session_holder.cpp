// sockjs-scale-holder: opens a mix of SockJS sessions (websocket, xhr-streaming, xhr-polling)
// against one server from one epoll thread, proves each is open (it received `o`) and alive
// (an echo round trip on an evenly spread sample of each transport), then holds them all until
// SIGUSR1/SIGTERM (or --max-hold), so that hold-15k.sh can read the server's threads, memory and
// fds while every session is open at once. On release it checks the sample again, prints a
// `result` line and exits 0 only if nothing was refused, lost or wrong.
//
// The client side is the load generator's (bench/: event loop, WebSocket and HTTP clients,
// SockJS sessions), compiled in rather than re-written; its `hold` mode runs one transport per
// process and lets go of its sessions right after its echo round, and this test needs all three
// held at the same moment for as long as the script takes to measure.

#include "session.hpp"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

#include <arpa/inet.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

using bench::clock;
using Poco::Util::Option;

volatile std::sig_atomic_t release_requested = 0;
extern "C" void on_release_signal(int) { release_requested = 1; }

struct holder_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string service = "/echo";
    std::array<std::size_t, 3> counts{0, 0, 0};  ///< websocket, xhr-streaming, xhr-polling
    std::size_t sample = 200;                   ///< echoed sessions per transport
    double open_timeout_s = 60;
    double echo_timeout_s = 20;
    double max_hold_s = 120;
};

constexpr std::array<bench::transport_kind, 3> kinds{bench::transport_kind::websocket,
                                                     bench::transport_kind::xhr_streaming,
                                                     bench::transport_kind::xhr_polling};
constexpr std::array<const char*, 3> kind_names{"websocket", "xhr-streaming", "xhr-polling"};

double since(clock::time_point t0) { return std::chrono::duration<double>(clock::now() - t0).count(); }

clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

class holder final : public bench::session_events {
public:
    explicit holder(const holder_options& o) : o_(o), loop_(address(o)) {
        auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count() % 1000000;
        bench::session_target target{o.host + ":" + std::to_string(o.port), o.service,
                                     "scale" + std::to_string(::getpid()) + "x" + std::to_string(stamp) + "x"};
        for (std::size_t k = 0; k < kinds.size(); ++k) {
            first_[k] = clients_.size();
            for (std::size_t i = 0; i < o.counts[k]; ++i) {
                clients_.push_back({});
                clients_.back().kind = k;
                clients_.back().s = bench::make_session(kinds[k], loop_, *this, target, clients_.size() - 1);
            }
            // An evenly spread sample, so the first and the last sessions opened are both in it.
            std::size_t n = o.counts[k], s = std::min(n, o.sample);
            for (std::size_t j = 0; j < s; ++j) sample_.push_back(first_[k] + (s == 1 ? 0 : j * (n - 1) / (s - 1)));
        }
    }

    ~holder() override {
        for (auto& c : clients_) c.s->stop();
    }

    /// Starts every session, the transports interleaved as a real mix of clients would be.
    bool open_all() {
        auto t0 = clock::now();
        std::array<std::size_t, 3> next{0, 0, 0};
        for (bool more = true; more;) {
            more = false;
            for (std::size_t k = 0; k < kinds.size(); ++k)
                if (next[k] < o_.counts[k]) {
                    clients_[first_[k] + next[k]++].s->start();
                    more = true;
                }
        }
        loop_.run_until([&] { return opened_ + failed_ == clients_.size(); }, clock::now() + seconds(o_.open_timeout_s));
        double took = since(t0);
        std::array<std::size_t, 3> open{0, 0, 0};
        for (const auto& c : clients_) open[c.kind] += c.open ? 1 : 0;
        std::printf("opened");
        for (std::size_t k = 0; k < kinds.size(); ++k) std::printf(" %s=%zu/%zu", kind_names[k], open[k], o_.counts[k]);
        std::printf(" seconds=%.2f\n", took);
        std::fflush(stdout);
        if (opened_ < clients_.size())
            error(std::to_string(clients_.size() - opened_) + " of " + std::to_string(clients_.size()) +
                  " sessions did not open within " + std::to_string(o_.open_timeout_s) + " s");
        return opened_ == clients_.size();
    }

    /// One message to every sampled session at once; waits for every echo.
    void echo_round(int round) {
        auto t0 = clock::now();
        std::size_t sent = 0;
        for (auto i : sample_) {
            auto& c = clients_[i];
            if (!c.open) continue;
            message(out_, i, round);
            c.waiting = true;
            ++in_flight_;
            ++sent;
            c.s->send(out_);
        }
        loop_.run_until([&] { return in_flight_ == 0; }, clock::now() + seconds(o_.echo_timeout_s));
        std::printf("echo round=%d sampled=%zu answered=%zu seconds=%.2f\n", round, sent, sent - in_flight_, since(t0));
        std::fflush(stdout);
        if (in_flight_ > 0)
            error(std::to_string(in_flight_) + " of " + std::to_string(sent) + " sampled sessions did not echo within " +
                  std::to_string(o_.echo_timeout_s) + " s (round " + std::to_string(round) + ")");
        round_ = round;
    }

    /// Keeps every session open (heartbeats, long-poll renewals) until released.
    void hold() {
        std::printf("held sessions=%zu\n", opened_ - lost_);
        std::fflush(stdout);
        auto t0 = clock::now();
        std::size_t lost_before = lost_;
        loop_.run_for(seconds(o_.max_hold_s), [] { return release_requested != 0; });
        std::printf("released after=%.2f lost_while_held=%zu%s\n", since(t0), lost_ - lost_before,
                    release_requested ? "" : " (max-hold reached)");
        std::fflush(stdout);
    }

    int report() const {
        std::printf("result sessions=%zu opened=%zu lost=%zu errors=%zu first_error=\"%s\"\n", clients_.size(), opened_,
                    lost_, errors_, first_error_.c_str());
        for (const auto& e : samples_) std::printf("error %s\n", e.c_str());
        std::fflush(stdout);
        return errors_ == 0 ? 0 : 1;
    }

    void on_open(bench::session& s) override {
        clients_[s.index()].open = true;
        ++opened_;
    }

    void on_message(bench::session& s, std::string_view m) override {
        auto& c = clients_[s.index()];
        if (!c.waiting) {
            error("session " + std::to_string(s.index()) + ": unexpected message '" + std::string(m.substr(0, 60)) + "'");
            return;
        }
        message(expected_, s.index(), round_ + 1);
        if (m != expected_)
            error("session " + std::to_string(s.index()) + ": expected '" + expected_ + "', got '" +
                  std::string(m.substr(0, 60)) + "'");
        c.waiting = false;
        --in_flight_;
    }

    void on_failed(bench::session& s, std::string_view why) override {
        auto& c = clients_[s.index()];
        if (c.failed) return;
        c.failed = true;
        if (c.open) ++lost_;
        else ++failed_;
        if (c.waiting) {
            c.waiting = false;
            --in_flight_;
        }
        c.open = false;
        error("session " + std::to_string(s.index()) + " (" + kind_names[c.kind] + "): " + std::string(why));
    }

private:
    struct client {
        std::unique_ptr<bench::session> s;
        std::size_t kind = 0;
        bool open = false, failed = false, waiting = false;
    };

    static sockaddr_in address(const holder_options& o) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(o.port);
        if (::inet_pton(AF_INET, o.host.c_str(), &a.sin_addr) != 1)
            throw Poco::InvalidArgumentException("--host must be an IPv4 address", o.host);
        return a;
    }

    /// Distinct per session and round, so a reply to the wrong session or a stale one fails.
    static void message(std::string& out, std::size_t index, int round) {
        out = "s" + std::to_string(index) + " r" + std::to_string(round) + " \"quoted\" \\ \u00e9";
    }

    void error(std::string what) {
        if (errors_++ == 0) first_error_ = what;
        if (samples_.size() < 5) samples_.push_back(std::move(what));
    }

    const holder_options& o_;
    bench::event_loop loop_;
    std::vector<client> clients_;
    std::array<std::size_t, 3> first_{0, 0, 0};
    std::vector<std::size_t> sample_;
    std::size_t opened_ = 0, failed_ = 0, lost_ = 0, in_flight_ = 0, errors_ = 0;
    int round_ = 0;
    std::string out_, expected_, first_error_;
    std::vector<std::string> samples_;
};

Poco::Util::OptionSet cli_options() {
    Poco::Util::OptionSet set;
    set.addOption(Option("help", "h", "print this help and exit"));
    set.addOption(Option("host", "", "server address, IPv4 (default 127.0.0.1)").argument("ADDR"));
    set.addOption(Option("port", "p", "server port (required)").argument("PORT"));
    set.addOption(Option("service", "s", "echo service prefix (default /echo)").argument("PATH"));
    set.addOption(Option("websocket", "", "websocket sessions (default 0)").argument("N"));
    set.addOption(Option("xhr-streaming", "", "xhr-streaming sessions (default 0)").argument("N"));
    set.addOption(Option("xhr-polling", "", "xhr-polling sessions (default 0)").argument("N"));
    set.addOption(Option("sample", "", "sessions echoed per transport (default 200)").argument("N"));
    set.addOption(Option("open-timeout", "", "seconds to open every session (default 60)").argument("S"));
    set.addOption(Option("echo-timeout", "", "seconds for an echo round (default 20)").argument("S"));
    set.addOption(Option("max-hold", "", "seconds held at most without a signal (default 120)").argument("S"));
    return set;
}

void help(const Poco::Util::OptionSet& set) {
    Poco::Util::HelpFormatter f(set);
    f.setUnixStyle(true);
    f.setCommand("sockjs-scale-holder");
    f.setUsage("--port PORT --websocket N --xhr-streaming N --xhr-polling N [options]");
    f.setHeader(
        "Opens and holds a mix of SockJS sessions on one echo service until SIGUSR1 or SIGTERM. "
        "Prints `opened`, `echo`, `held`, `released` and `result` lines; exits 0 when every "
        "session opened, echoed and survived the hold, 1 otherwise, 2 on a usage error.");
    f.format(std::cout);
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    holder_options o;
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
            if (name == "service") o.service = value;
            if (name == "websocket") o.counts[0] = Poco::NumberParser::parseUnsigned64(value);
            if (name == "xhr-streaming") o.counts[1] = Poco::NumberParser::parseUnsigned64(value);
            if (name == "xhr-polling") o.counts[2] = Poco::NumberParser::parseUnsigned64(value);
            if (name == "sample") o.sample = Poco::NumberParser::parseUnsigned64(value);
            if (name == "open-timeout") o.open_timeout_s = Poco::NumberParser::parseFloat(value);
            if (name == "echo-timeout") o.echo_timeout_s = Poco::NumberParser::parseFloat(value);
            if (name == "max-hold") o.max_hold_s = Poco::NumberParser::parseFloat(value);
        }
        proc.checkRequired();
        if (o.port == 0) throw Poco::InvalidArgumentException("--port is required");
        if (o.counts[0] + o.counts[1] + o.counts[2] == 0) throw Poco::InvalidArgumentException("no sessions asked for");
    } catch (const Poco::Exception& e) {
        std::cerr << "sockjs-scale-holder: " << e.displayText() << "\n(try --help)\n";
        return 2;
    }

    // Installed before the first session opens: a release that comes early is not lost.
    std::signal(SIGUSR1, on_release_signal);
    std::signal(SIGTERM, on_release_signal);
    try {
        holder h(o);
        if (h.open_all()) {
            h.echo_round(1);
            h.hold();
            h.echo_round(2);
        }
        return h.report();
    } catch (const std::exception& e) {
        std::cerr << "sockjs-scale-holder: " << e.what() << "\n";
        return 2;
    }
}
