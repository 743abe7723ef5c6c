// The broadcast step: session 0 sends, every session of the service (the sender too) receives.

#include "latency.hpp"
#include "proc_stats.hpp"
#include "scenario_common.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace bench {

namespace {

class broadcast_driver final : public session_events {
public:
    broadcast_driver(const bench_options& o, bench_report& r)
        : o_(o), r_(r), loop_(server_address(o)), target_(make_target(o)) {
        if (!o.tls_ca.empty()) loop_.use_tls(o.tls_ca);
        r_.mode = o.mode;
        r_.label = o.label;
        r_.clients = o.clients;
        receivers_.resize(o.clients);
        for (std::size_t i = 0; i < o.clients; ++i)
            receivers_[i].s = make_session(o.transport, loop_, *this, target_, i);
    }

    ~broadcast_driver() override {
        for (auto& c : receivers_) c.s->stop();
    }

    void run() {
        for (auto& c : receivers_) c.s->start();
        loop_.run_until([&] { return opened_ + failed_ == receivers_.size(); },
                        clock::now() + seconds(o_.open_timeout_s));
        r_.opened = opened_;
        if (opened_ < receivers_.size())
            r_.error(std::to_string(receivers_.size() - opened_) + " of " + std::to_string(receivers_.size()) +
                     " sessions did not open");
        if (receivers_.empty() || !receivers_[0].open) return;

        sending_ = true;
        fill_window();
        loop_.run_for(seconds(o_.warmup_s));

        double u0 = 0, s0 = 0, u1 = 0, s1 = 0;
        double cpu0 = cpu_seconds(o_.server_pid, u0, s0), own0 = own_cpu_seconds();
        measure_from_seq_ = sent_at_.size();  // messages sent from now on are measured
        auto t0 = clock::now();
        measure_until_ = clock::time_point::max();
        loop_.run_for(seconds(o_.duration_s), [&] { return sent_at_.size() >= o_.max_messages; });
        measure_until_ = clock::now();
        auto window = std::chrono::duration<double>(measure_until_ - t0).count();
        double cpu1 = cpu_seconds(o_.server_pid, u1, s1), own1 = own_cpu_seconds();

        sending_ = false;
        loop_.run_until([&] { return outstanding_ == 0; }, clock::now() + seconds(std::max(o_.drain_s, 0.1)));
        if (outstanding_ > 0)
            r_.error(std::to_string(outstanding_) + " broadcasts not delivered to every session within " +
                     std::to_string(o_.drain_s) + " s");

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
    }

    void on_open(session& s) override {
        receivers_[s.index()].open = true;
        ++opened_;
        ++live_;
    }

    void on_message(session& s, std::string_view m) override {
        auto now = clock::now();
        auto& c = receivers_[s.index()];
        ++r_.checked;
        std::uint64_t seq = c.received++;
        if (seq >= sent_at_.size()) {
            r_.error("session " + std::to_string(s.index()) + ": message never sent: '" + std::string(m.substr(0, 60)) + "'");
            return;
        }
        make_message(expected_, 0, seq, o_.size);
        if (m != expected_)
            r_.error("session " + std::to_string(s.index()) + ": expected '" + expected_.substr(0, 40) + "...', got '" +
                     std::string(m.substr(0, 60)) + "'");
        if (seq >= measure_from_seq_ && now < measure_until_) samples_.add(now - sent_at_[seq]);
        if (--remaining_[seq] == 0) {
            --outstanding_;
            fill_window();
        }
    }

    void on_failed(session& s, std::string_view why) override {
        auto& c = receivers_[s.index()];
        if (c.failed) return;
        c.failed = true;
        if (c.open) {
            // What it still owed will never come: release those broadcasts.
            --live_;
            for (std::uint64_t seq = c.received; seq < sent_at_.size(); ++seq)
                if (--remaining_[seq] == 0) --outstanding_;
        } else {
            ++failed_;
        }
        c.open = false;
        r_.error("session " + std::to_string(s.index()) + ": " + std::string(why));
        if (s.index() == 0) sending_ = false;
    }

private:
    struct receiver {
        std::unique_ptr<session> s;
        std::uint64_t received = 0;
        bool open = false, failed = false;
    };

    void fill_window() {
        while (sending_ && outstanding_ < o_.window && sent_at_.size() < o_.max_messages && live_ > 0) {
            std::uint64_t seq = sent_at_.size();
            make_message(out_, 0, seq, o_.size);
            sent_at_.push_back(clock::now());
            remaining_.push_back(static_cast<std::uint32_t>(live_));
            ++outstanding_;
            receivers_[0].s->send(out_);
        }
    }

    const bench_options& o_;
    bench_report& r_;
    event_loop loop_;
    session_target target_;
    std::vector<receiver> receivers_;
    std::size_t opened_ = 0, failed_ = 0, live_ = 0;
    std::size_t outstanding_ = 0;
    std::vector<clock::time_point> sent_at_;  ///< by sequence number
    std::vector<std::uint32_t> remaining_;    ///< receivers still owed each broadcast
    std::uint64_t measure_from_seq_ = ~std::uint64_t{0};
    clock::time_point measure_until_ = clock::time_point::max();
    bool sending_ = false;
    latency_samples samples_;
    std::string out_, expected_;
};

}  // namespace

bench_report run_broadcast(const bench_options& o) {
    bench_report r;
    broadcast_driver d(o, r);
    d.run();
    return r;
}

}  // namespace bench
