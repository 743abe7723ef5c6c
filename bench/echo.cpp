// The echo and hold steps: sessions that send a message and expect the same message back.

#include "latency.hpp"
#include "proc_stats.hpp"
#include "scenario_common.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace bench {

namespace {

class echo_driver final : public session_events {
public:
    echo_driver(const bench_options& o, bench_report& r)
        : o_(o), r_(r), loop_(server_address(o)), target_(make_target(o)) {
        if (!o.tls_ca.empty()) loop_.use_tls(o.tls_ca);
        r_.mode = o.mode;
        r_.label = o.label;
        r_.clients = o.clients;
        clients_.resize(o.clients);
        for (std::size_t i = 0; i < o.clients; ++i)
            clients_[i].s = make_session(o.transport, loop_, *this, target_, i);
    }

    ~echo_driver() override {
        for (auto& c : clients_) c.s->stop();
    }

    /// Starts every session; true once all opened (errors are reported for the rest).
    bool open_all() {
        for (auto& c : clients_) c.s->start();
        bool all = loop_.run_until([&] { return opened_ + failed_ == clients_.size(); },
                                   clock::now() + seconds(o_.open_timeout_s));
        r_.opened = opened_;
        if (opened_ < clients_.size())
            r_.error(std::to_string(clients_.size() - opened_) + " of " + std::to_string(clients_.size()) +
                     " sessions did not open" + (all ? "" : " in time"));
        return opened_ == clients_.size();
    }

    /// Closed loop: warm-up, then the measured window, then the drain.
    void closed_loop() {
        sending_ = true;
        for (std::size_t i = 0; i < clients_.size(); ++i)
            if (clients_[i].open) send_next(i);
        loop_.run_for(seconds(o_.warmup_s));

        double u0 = 0, s0 = 0, u1 = 0, s1 = 0;
        double cpu0 = cpu_seconds(o_.server_pid, u0, s0), own0 = own_cpu_seconds();
        const std::uint64_t bytes0 = loop_.bytes_in() + loop_.bytes_out();
        measure_from_ = clock::now();
        measuring_ = true;
        loop_.run_for(seconds(o_.duration_s), [&] { return sent_ >= o_.max_messages; });
        measuring_ = false;
        auto window = std::chrono::duration<double>(clock::now() - measure_from_).count();
        double cpu1 = cpu_seconds(o_.server_pid, u1, s1), own1 = own_cpu_seconds();
        const std::uint64_t bytes1 = loop_.bytes_in() + loop_.bytes_out();

        r_.seconds = window;
        r_.measured = samples_.count();
        r_.rate = static_cast<double>(samples_.count()) / window;
        r_.p50_us = samples_.percentile_us(0.50);
        r_.p99_us = samples_.percentile_us(0.99);
        if (cpu0 >= 0 && cpu1 >= 0) {
            r_.server_cpu = (cpu1 - cpu0) / window;
            if (cpu1 > cpu0) r_.per_cpu_s = static_cast<double>(r_.measured) / (cpu1 - cpu0);
            if (cpu1 > cpu0) r_.server_sys_share = (s1 - s0) / (cpu1 - cpu0);
        }
        r_.generator_cpu = (own1 - own0) / window;
        // Messages sent in the window whose echo comes after it, and the reverse, even out.
        if (samples_.count() > 0)
            r_.bytes_per_msg = static_cast<double>(bytes1 - bytes0) / static_cast<double>(samples_.count());
        drain(o_.drain_s);
    }

    /// One message per open session, all at once; waits for every echo.
    void echo_round() {
        sending_ = false;  // one each, no follow-up
        for (std::size_t i = 0; i < clients_.size(); ++i)
            if (clients_[i].open) send_next(i);
        drain(o_.open_timeout_s);
    }

    event_loop& loop() { return loop_; }

    void on_open(session& s) override {
        auto& c = clients_[s.index()];
        c.open = true;
        ++opened_;
    }

    void on_message(session& s, std::string_view m) override {
        auto now = clock::now();
        auto& c = clients_[s.index()];
        ++r_.checked;
        if (!c.waiting) {
            r_.error("session " + std::to_string(s.index()) + ": unexpected message '" + std::string(m.substr(0, 60)) + "'");
            return;
        }
        make_message(expected_, s.index(), c.received, o_.size, o_.json);
        if (m != expected_)
            r_.error("session " + std::to_string(s.index()) + ": expected '" + expected_.substr(0, 40) + "...', got '" +
                     std::string(m.substr(0, 60)) + "'");
        ++c.received;
        c.waiting = false;
        --in_flight_;
        if (measuring_ && c.sent_at >= measure_from_) samples_.add(now - c.sent_at);
        if (sending_ && sent_ < o_.max_messages) send_next(s.index());
    }

    void on_failed(session& s, std::string_view why) override {
        auto& c = clients_[s.index()];
        if (c.failed) return;
        c.failed = true;
        if (!c.open) ++failed_;
        if (c.waiting) {
            c.waiting = false;
            --in_flight_;
        }
        c.open = false;
        r_.error("session " + std::to_string(s.index()) + ": " + std::string(why));
    }

private:
    struct client {
        std::unique_ptr<session> s;
        std::uint64_t received = 0;
        clock::time_point sent_at;
        bool open = false, failed = false, waiting = false;
    };

    void send_next(std::size_t i) {
        auto& c = clients_[i];
        make_message(out_, i, c.received, o_.size, o_.json);
        c.waiting = true;
        ++in_flight_;
        ++sent_;
        c.sent_at = clock::now();
        c.s->send(out_);
    }

    void drain(double timeout_s) {
        sending_ = false;
        loop_.run_until([&] { return in_flight_ == 0; }, clock::now() + seconds(std::max(timeout_s, 0.1)));
        if (in_flight_ > 0)
            r_.error(std::to_string(in_flight_) + " messages not echoed within " + std::to_string(timeout_s) + " s");
    }

    const bench_options& o_;
    bench_report& r_;
    event_loop loop_;
    session_target target_;
    std::vector<client> clients_;
    std::size_t opened_ = 0, failed_ = 0;
    std::size_t in_flight_ = 0;
    std::uint64_t sent_ = 0;
    bool sending_ = false, measuring_ = false;
    clock::time_point measure_from_;
    latency_samples samples_;
    std::string out_, expected_;
};

}  // namespace

bench_report run_echo(const bench_options& o) {
    bench_report r;
    echo_driver d(o, r);
    if (d.open_all() || r.opened > 0) d.closed_loop();
    return r;
}

bench_report run_hold(const bench_options& o) {
    bench_report r;
    r.rss_before = rss_bytes(o.server_pid);
    echo_driver d(o, r);
    d.open_all();
    // Let the server settle (a node server finishes its handshakes' garbage collection).
    d.loop().run_for(seconds(1));
    r.rss_after = rss_bytes(o.server_pid);
    if (r.rss_before >= 0 && r.rss_after >= 0 && r.opened > 0)
        r.rss_per_session = static_cast<double>(r.rss_after - r.rss_before) / static_cast<double>(r.opened);
    auto t0 = clock::now();
    d.echo_round();
    r.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    r.measured = r.checked;
    return r;
}

}  // namespace bench
