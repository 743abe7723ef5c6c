// sockjs-soak: mixed session churn against one server for a given time, every echo checked.
//
// `--sessions` slots, spread round-robin over the six SockJS transports (websocket,
// xhr-streaming, xhr-polling, eventsource, htmlfile, jsonp). Each slot runs one session after
// another: open, a random number of rounds (a burst of 1-3 messages, every echo compared with
// what was sent, in order; then a random pause), close, and a fresh session (a new id) in its
// place. Messages vary in size (some over the echo service's 4 KiB response_limit, so
// streaming receivers are renewed mid-session) and carry the characters every transport must
// escape (quotes, backslash, `</script>`, `%`, CR LF, U+2028, non-BMP). A second `o`, a close
// frame, an HTTP error, a wrong or out-of-order echo, an echo not back within --echo-timeout or
// an open not done within --open-timeout counts as an error; the slot then starts over.
// Passes of the loop that took over 1 s (the host gave this process no CPU) are counted as
// stalls and reported, since they delay the clients as the server sees them.
//
// Prints `progress ...` every --report-every seconds and, at the end (after letting the last
// rounds finish, bounded), one `result ...` line per transport and in total; exits 0 only if
// no error happened. Everything runs on one epoll thread (the load generator's client code,
// bench/, compiled in), bounded in time by --duration plus the drain.

#include "http_client.hpp"
#include "session.hpp"

#include <sockjs/json_escape.hpp>
#include <sockjs/wrap.hpp>
#include <sockjs/frame.hpp>

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using bench::clock;
using Poco::Util::Option;

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void on_stop_signal(int) { stop_requested = 1; }

enum class kind : std::size_t { websocket, xhr_streaming, xhr_polling, eventsource, htmlfile, jsonp };
constexpr std::size_t kind_count = 6;
constexpr std::array<const char*, kind_count> kind_names{"websocket", "xhr_streaming", "xhr_polling",
                                                         "eventsource", "htmlfile", "jsonp"};

struct soak_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string service = "/echo";
    std::size_t sessions = 2000;
    double duration_s = 120;
    std::size_t max_rounds = 12;  ///< rounds per session: uniform in [1, max_rounds]
    double think_s = 1.5;         ///< pause after a round: uniform in [0, 2 * think_s]
    double ramp_s = 5;            ///< the first sessions start spread over this long
    double open_timeout_s = 20;
    double echo_timeout_s = 20;
    double report_every_s = 5;
    std::uint32_t seed = 1;
    std::vector<kind> kinds{kind::websocket, kind::xhr_streaming, kind::xhr_polling,
                            kind::eventsource, kind::htmlfile, kind::jsonp};
};

clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

// ---- the HTTP transports ---------------------------------------------------------------------

std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}


// A session over one of the HTTP receiving transports: one keep-alive connection receives (a
// new request after each response ends), another sends (xhr_send, or jsonp_send's form body).
class http_session final : public bench::session, bench::http_client::events {
public:
    http_session(bench::event_loop& loop, bench::session_events& ev, const std::string& host,
                 const std::string& base_url, kind k, std::size_t index)
        : session(index), ev_(&ev), t_(receive_transport(k)), jsonp_(k == kind::jsonp),
          recv_method_(k == kind::xhr_streaming || k == kind::xhr_polling ? "POST" : "GET"),
          recv_url_(base_url + "/" + std::string(sockjs::name(t_))),
          send_url_(base_url + (jsonp_ ? "/jsonp_send" : "/xhr_send")), unwrap_(t_), recv_(loop, *this, host),
          send_(loop, *this, host) {
        if (t_ == sockjs::transport::htmlfile || t_ == sockjs::transport::jsonp)
            recv_url_ += "?c=cb_" + std::to_string(index);
    }

    void start() override { recv_.connect(); }
    void stop() override {
        stopped_ = true;
        recv_.retire();
        send_.retire();
        recv_.close();
        send_.close();
    }
    void send(std::string_view message) override {
        if (stopped_) return;
        if (!queue_.empty()) queue_.push_back(',');
        sockjs::append_json_string(queue_, message);
        if (send_.is_idle()) send_.connect();
        flush();
    }

private:
    static sockjs::transport receive_transport(kind k) {
        switch (k) {
        case kind::xhr_streaming: return sockjs::transport::xhr_streaming;
        case kind::xhr_polling: return sockjs::transport::xhr;
        case kind::eventsource: return sockjs::transport::eventsource;
        case kind::htmlfile: return sockjs::transport::htmlfile;
        default: return sockjs::transport::jsonp;
        }
    }
    void flush() {
        if (queue_.empty() || !send_.ready()) return;
        body_.assign(1, '[');
        body_.append(queue_).push_back(']');
        queue_.clear();
        if (jsonp_)
            send_.request("POST", send_url_, "d=" + url_encode(body_), "application/x-www-form-urlencoded");
        else
            send_.post(send_url_, body_);
    }
    void fail(std::string_view why) {
        if (stopped_) return;
        std::string w(why);
        stop();
        ev_->on_failed(*this, w);
    }

    void on_http_ready(bench::http_client& c) override {
        if (stopped_) return;
        if (&c == &recv_) {
            unwrap_ = sockjs::stream_unwrapper(t_);
            recv_.request(recv_method_, recv_url_, {}, {});
        } else {
            flush();
        }
    }
    void on_http_head(bench::http_client& c, int status) override {
        if (&c == &recv_) {
            if (status != 200) fail("receive request answered " + std::to_string(status));
        } else if (status != (jsonp_ ? 200 : 204)) {
            fail("send answered " + std::to_string(status));
        }
    }
    void on_http_body(bench::http_client& c, std::string_view bytes) override {
        if (&c != &recv_ || stopped_) return;
        unwrap_.feed(bytes);
        while (unwrap_.next(frame_)) {
            if (!bench::deliver_frame(*this, *ev_, frame_, opened_)) {
                stop();
                return;
            }
            if (stopped_) return;
        }
    }
    void on_http_done(bench::http_client& c) override {
        if (stopped_) return;
        if (&c == &recv_) {
            if (recv_.ready()) on_http_ready(recv_);  // else a reconnect is under way
        } else {
            flush();
        }
    }
    void on_http_error(bench::http_client& c, std::string_view why) override {
        fail(std::string(&c == &recv_ ? "receive: " : "send: ") + std::string(why));
    }

    bench::session_events* ev_;
    sockjs::transport t_;
    bool jsonp_;
    std::string recv_method_;
    bool opened_ = false;
    bool stopped_ = false;
    std::string recv_url_, send_url_;
    std::string queue_, body_, frame_;
    sockjs::stream_unwrapper unwrap_;
    bench::http_client recv_;
    bench::http_client send_;
};

// ---- the churn ---------------------------------------------------------------------------------

/// Message `seq` of session `gen` in slot `slot`: a unique head, then filler holding what every
/// transport has to escape, so that a message delivered to the wrong session, out of order, or
/// mangled by an escaping pass never compares equal.
std::string make_message(std::size_t slot, std::uint64_t gen, std::uint64_t seq) {
    static constexpr std::string_view filler =
        "plain text \"quoted\" back\\slash </script><b>&amp; 100% \r\n\t tab \xc3\xa9\xe2\x82\xac "
        "\xe2\x80\xa8 \xf0\x9f\x98\x80 end. ";
    static constexpr std::array<std::size_t, 5> sizes{24, 90, 300, 1200, 5000};
    std::size_t size = sizes[(slot + seq) % 4];
    if ((slot * 31 + gen * 7 + seq) % 53 == 0) size = sizes[4];  // now and then over response_limit
    std::string out = "s" + std::to_string(slot) + "g" + std::to_string(gen) + "#" + std::to_string(seq) + "|";
    std::size_t at = (slot + seq) % 7;  // filler starts at a character boundary (ASCII head)
    while (out.size() < size) {
        out.append(filler.substr(at));
        at = 0;
    }
    return out;
}

struct slot_state {
    enum phase_t { waiting, opening, open, done } phase = waiting;
    kind k = kind::websocket;
    std::unique_ptr<bench::session> s;
    std::uint64_t gen = 0;
    std::uint64_t seq = 0;
    std::size_t rounds_left = 0;
    std::deque<std::string> expected;
    clock::time_point next;      ///< waiting: when to open; open: when to send the next round
    clock::time_point deadline;  ///< opening, or echoes outstanding: when that counts as lost
};

struct counters {
    std::uint64_t opened = 0, closed = 0, echoes = 0, errors = 0;
};

class soak final : public bench::session_events {
public:
    explicit soak(const soak_options& o)
        : o_(o), loop_(address(o)), rng_(o.seed), slots_(o.sessions) {
        auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count() % 1000000;
        prefix_ = "k" + std::to_string(::getpid()) + "x" + std::to_string(stamp);
        auto now = clock::now();
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            slots_[i].k = o.kinds[i % o.kinds.size()];
            slots_[i].next = now + seconds(o.ramp_s * static_cast<double>(i) / static_cast<double>(slots_.size()));
        }
    }

    int run() {
        auto t0 = clock::now();
        auto end = t0 + seconds(o_.duration_s);
        auto next_report = t0 + seconds(o_.report_every_s);
        auto last = clock::now();
        while (clock::now() < end && stop_requested == 0) {
            loop_.run_for(std::chrono::milliseconds(20));
            // A pass takes ~20 ms; a much longer one means this process got no CPU (a loaded
            // host), which also delays the server's view of its clients: reported with errors.
            auto now = clock::now();
            double gap = std::chrono::duration<double>(now - last).count();
            last = now;
            if (gap > 1.0) ++stalls_;
            max_stall_s_ = std::max(max_stall_s_, gap);
            tick(true);
            if (clock::now() >= next_report) {
                report("progress", t0);
                next_report += seconds(o_.report_every_s);
            }
        }
        // Drain: no new rounds or sessions; the echoes in flight must still come back.
        auto drain_end = clock::now() + seconds(o_.echo_timeout_s);
        while (clock::now() < drain_end && busy() > 0) {
            loop_.run_for(std::chrono::milliseconds(20));
            tick(false);
        }
        tick(false);
        for (auto& sl : slots_)
            if (sl.phase == slot_state::opening || sl.phase == slot_state::open) {
                if (!sl.expected.empty()) error(sl, "echo lost (still outstanding at the end)");
                else finish(sl, false);
            }
        reap();
        report("progress", t0);
        counters total;
        for (std::size_t k = 0; k < kind_count; ++k) {
            const auto& c = by_kind_[k];
            std::cout << "result transport=" << kind_names[k] << " opened=" << c.opened << " closed=" << c.closed
                      << " echoes=" << c.echoes << " errors=" << c.errors << "\n";
            total.opened += c.opened;
            total.closed += c.closed;
            total.echoes += c.echoes;
            total.errors += c.errors;
        }
        std::cout << "result transport=all opened=" << total.opened << " closed=" << total.closed
                  << " echoes=" << total.echoes << " errors=" << total.errors
                  << " seconds=" << std::chrono::duration<double>(clock::now() - t0).count()
                  << " stalls=" << stalls_ << " max_stall_s=" << max_stall_s_ << "\n";
        for (const auto& e : error_samples_) std::cout << "error " << e << "\n";
        std::cout.flush();
        return total.errors == 0 && total.opened > 0 ? 0 : 1;
    }

private:
    static sockaddr_in address(const soak_options& o) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(o.port);
        if (::inet_pton(AF_INET, o.host.c_str(), &a.sin_addr) != 1)
            throw std::invalid_argument("--host must be an IPv4 address");
        return a;
    }

    std::size_t busy() const {
        std::size_t n = 0;
        for (const auto& sl : slots_) n += (sl.phase == slot_state::opening || !sl.expected.empty()) ? 1 : 0;
        return n;
    }

    void open(slot_state& sl, std::size_t index) {
        ++sl.gen;
        sl.seq = 0;
        sl.expected.clear();
        sl.rounds_left = std::uniform_int_distribution<std::size_t>(1, o_.max_rounds)(rng_);
        std::string host = o_.host + ":" + std::to_string(o_.port);
        std::string id_prefix = prefix_ + "g" + std::to_string(sl.gen) + "s";
        if (sl.k == kind::websocket) {
            bench::session_target t{host, o_.service, id_prefix};
            sl.s = bench::make_session(bench::transport_kind::websocket, loop_, *this, t, index);
        } else {
            std::string base = o_.service + "/000/" + id_prefix + std::to_string(index);
            sl.s = std::make_unique<http_session>(loop_, *this, host, base, sl.k, index);
        }
        sl.phase = slot_state::opening;
        sl.deadline = clock::now() + seconds(o_.open_timeout_s);
        sl.s->start();
    }

    void send_round(slot_state& sl, std::size_t index) {
        std::size_t burst = std::uniform_int_distribution<std::size_t>(1, 3)(rng_);
        for (std::size_t i = 0; i < burst; ++i) {
            sl.expected.push_back(make_message(index, sl.gen, sl.seq++));
            sl.s->send(sl.expected.back());
        }
        --sl.rounds_left;
        sl.deadline = clock::now() + seconds(o_.echo_timeout_s);
    }

    // Closes the slot's session (a client close: the socket goes away) and schedules the next.
    void finish(slot_state& sl, bool again) {
        if (sl.s) {
            sl.s->stop();
            graveyard_.push_back(std::move(sl.s));
        }
        if (sl.phase == slot_state::open) {
            ++by_kind_[static_cast<std::size_t>(sl.k)].closed;
        }
        sl.expected.clear();
        sl.phase = again ? slot_state::waiting : slot_state::done;
        sl.next = clock::now() + seconds(std::uniform_real_distribution<double>(0, o_.think_s)(rng_));
    }

    void error(slot_state& sl, std::string what) {
        for (auto& ch : what)
            if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';  // one line per error
        auto& c = by_kind_[static_cast<std::size_t>(sl.k)];
        ++c.errors;
        if (error_samples_.size() < 20)
            error_samples_.push_back(std::string(kind_names[static_cast<std::size_t>(sl.k)]) + " slot " +
                                     std::to_string(&sl - slots_.data()) + " gen " + std::to_string(sl.gen) + ": " +
                                     what);
        if (sl.phase == slot_state::open) ++c.closed;  // it is over, one way or the other
        sl.phase = slot_state::waiting;                // counted; finish() must not count it again
        if (sl.s) {
            sl.s->stop();
            graveyard_.push_back(std::move(sl.s));
        }
        sl.expected.clear();
        sl.next = clock::now() + seconds(0.5);
    }

    // Everything that opens, sends or destroys runs here, outside the sessions' callbacks.
    void tick(bool churn) {
        auto now = clock::now();
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            auto& sl = slots_[i];
            switch (sl.phase) {
            case slot_state::waiting:
                if (churn && now >= sl.next) open(sl, i);
                else if (!churn) sl.phase = slot_state::done;
                break;
            case slot_state::opening:
                if (now >= sl.deadline) error(sl, "not open within --open-timeout");
                break;
            case slot_state::open:
                if (!sl.expected.empty()) {
                    if (now >= sl.deadline) error(sl, "echo not back within --echo-timeout");
                } else if (sl.rounds_left == 0 || !churn) {
                    finish(sl, churn);
                } else if (now >= sl.next) {
                    send_round(sl, i);
                }
                break;
            case slot_state::done: break;
            }
        }
        reap();
    }

    void reap() { graveyard_.clear(); }

    slot_state& slot_of(bench::session& s) { return slots_[s.index()]; }

    void on_open(bench::session& s) override {
        auto& sl = slot_of(s);
        if (sl.s.get() != &s || sl.phase != slot_state::opening) return;
        sl.phase = slot_state::open;
        sl.next = clock::now();
        ++by_kind_[static_cast<std::size_t>(sl.k)].opened;
    }
    void on_message(bench::session& s, std::string_view m) override {
        auto& sl = slot_of(s);
        if (sl.s.get() != &s || sl.phase != slot_state::open) return;
        if (sl.expected.empty()) {
            error(sl, "unexpected message: " + std::string(m.substr(0, 60)));
            return;
        }
        if (m != sl.expected.front()) {
            error(sl, "expected \"" + sl.expected.front().substr(0, 40) + "\" (" +
                          std::to_string(sl.expected.front().size()) + " B), got \"" +
                          std::string(m.substr(0, 40)) + "\" (" + std::to_string(m.size()) + " B)");
            return;
        }
        sl.expected.pop_front();
        ++by_kind_[static_cast<std::size_t>(sl.k)].echoes;
        if (sl.expected.empty())
            sl.next = clock::now() + seconds(std::uniform_real_distribution<double>(0, 2 * o_.think_s)(rng_));
        else
            sl.deadline = clock::now() + seconds(o_.echo_timeout_s);
    }
    void on_failed(bench::session& s, std::string_view why) override {
        auto& sl = slot_of(s);
        if (sl.s.get() != &s) return;
        error(sl, std::string(why));
    }

    void report(const char* what, clock::time_point t0) {
        counters total;
        for (const auto& c : by_kind_) {
            total.opened += c.opened;
            total.closed += c.closed;
            total.echoes += c.echoes;
            total.errors += c.errors;
        }
        std::size_t open_now = 0;
        for (const auto& sl : slots_) open_now += sl.phase == slot_state::open ? 1 : 0;
        std::cout << what << " t=" << static_cast<long>(std::chrono::duration<double>(clock::now() - t0).count())
                  << " open=" << open_now << " opened=" << total.opened << " closed=" << total.closed
                  << " echoes=" << total.echoes << " errors=" << total.errors << " stalls=" << stalls_
                  << std::endl;
    }

    soak_options o_;
    bench::event_loop loop_;
    std::mt19937 rng_;
    std::vector<slot_state> slots_;
    std::vector<std::unique_ptr<bench::session>> graveyard_;
    std::array<counters, kind_count> by_kind_{};
    std::vector<std::string> error_samples_;
    std::string prefix_;
    std::size_t stalls_ = 0;    ///< passes of the loop longer than 1 s
    double max_stall_s_ = 0;
};

Poco::Util::OptionSet cli_options() {
    Poco::Util::OptionSet set;
    set.addOption(Option("help", "h", "print this help and exit"));
    set.addOption(Option("host", "", "server address (IPv4, default 127.0.0.1)").argument("ADDR"));
    set.addOption(Option("port", "p", "server port").required(true).argument("PORT"));
    set.addOption(Option("service", "", "echo service prefix (default /echo)").argument("PREFIX"));
    set.addOption(Option("sessions", "n", "concurrent sessions (default 2000)").argument("N"));
    set.addOption(Option("duration", "d", "seconds of churn (default 120)").argument("S"));
    set.addOption(Option("max-rounds", "", "rounds per session, uniform in 1..N (default 12)").argument("N"));
    set.addOption(Option("think", "", "mean pause between rounds in seconds (default 1.5)").argument("S"));
    set.addOption(Option("open-timeout", "", "seconds for a session to open (default 20)").argument("S"));
    set.addOption(Option("echo-timeout", "", "seconds for an echo to come back (default 20)").argument("S"));
    set.addOption(Option("report-every", "", "seconds between progress lines (default 5)").argument("S"));
    set.addOption(Option("seed", "", "random seed (default 1)").argument("N"));
    set.addOption(Option("transports", "", "comma-separated subset of websocket, xhr_streaming, "
                                           "xhr_polling, eventsource, htmlfile, jsonp (default: all)")
                      .argument("LIST"));
    return set;
}

}  // namespace

int main(int argc, char** argv) {
    soak_options o;
    auto set = cli_options();
    try {
        Poco::Util::OptionProcessor proc(set);
        proc.setUnixStyle(true);
        for (int i = 1; i < argc; ++i) {
            std::string name, value;
            if (!proc.process(argv[i], name, value)) throw Poco::Util::UnknownOptionException(argv[i]);
            if (name.empty()) continue;
            if (name == "help") {
                Poco::Util::HelpFormatter f(set);
                f.setUnixStyle(true);
                f.setCommand("sockjs-soak");
                f.setUsage("--port PORT [options]");
                f.setHeader("Mixed SockJS session churn over every transport, every echo checked.");
                f.format(std::cout);
                return 0;
            }
            if (name == "host") o.host = value;
            if (name == "port") o.port = static_cast<std::uint16_t>(Poco::NumberParser::parseUnsigned(value));
            if (name == "service") o.service = value;
            if (name == "sessions") o.sessions = Poco::NumberParser::parseUnsigned(value);
            if (name == "duration") o.duration_s = Poco::NumberParser::parseFloat(value);
            if (name == "max-rounds") o.max_rounds = std::max(1u, Poco::NumberParser::parseUnsigned(value));
            if (name == "think") o.think_s = Poco::NumberParser::parseFloat(value);
            if (name == "open-timeout") o.open_timeout_s = Poco::NumberParser::parseFloat(value);
            if (name == "echo-timeout") o.echo_timeout_s = Poco::NumberParser::parseFloat(value);
            if (name == "report-every") o.report_every_s = Poco::NumberParser::parseFloat(value);
            if (name == "seed") o.seed = Poco::NumberParser::parseUnsigned(value);
            if (name == "transports") {
                o.kinds.clear();
                std::size_t at = 0;
                while (at <= value.size()) {
                    auto comma = std::min(value.find(',', at), value.size());
                    auto n = std::find(kind_names.begin(), kind_names.end(), value.substr(at, comma - at));
                    if (n == kind_names.end())
                        throw Poco::Util::InvalidArgumentException("unknown transport " + value.substr(at, comma - at));
                    o.kinds.push_back(static_cast<kind>(n - kind_names.begin()));
                    at = comma + 1;
                }
            }
        }
        proc.checkRequired();
    } catch (const Poco::Exception& e) {
        std::cerr << "sockjs-soak: " << e.displayText() << "\n(try --help)\n";
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);
    try {
        soak s(o);
        return s.run();
    } catch (const std::exception& e) {
        std::cerr << "sockjs-soak: " << e.what() << "\n";
        return 2;
    }
}
