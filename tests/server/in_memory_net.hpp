#pragma once
// The SockJS layer (server/src: request_dispatch, session_backend, receivers) on in-memory fakes
// of the net interfaces (server/src/net/net.hpp) and a clock the test moves by hand: no
// sockets, no threads, no sleeps. A test plays the loops' threads itself: code runs "on" a
// fake loop inside fake_loop::enter() and run(), posted work waits in the loop's queue until
// run(), and timers fire when the test advances the clock past them.

#include "clock_and_entropy.hpp"
#include "net/net.hpp"
#include "server_impl.hpp"
#include "service_impl.hpp"
#include "session_backend.hpp"

#include <sockjs/connection.hpp>
#include <sockjs/server.hpp>

#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sockjs::test {

class fake_clock final : public detail::server_clock {
public:
    time_point now() const noexcept override { return now_; }
    std::int64_t unix_seconds() const noexcept override { return 1'700'000'000 + to_millis(now_) / 1000; }
    void advance(millis d) { now_ += d; }

private:
    time_point now_{millis(1'000'000)};
};

/// Counts: repeatable "random" numbers.
class fake_entropy final : public detail::entropy_source {
public:
    std::uint64_t next() noexcept override { return 0x9e3779b97f4a7c15ull * ++n_; }

private:
    std::uint64_t n_ = 0;
};

class fake_loop final : public net::loop {
public:
    /// `clock`: the time the loop's turns run at (the test's clock, read at each call: a fake
    /// turn lasts no time).
    fake_loop(std::size_t index, const fake_clock& clock) : index_(index), clock_(clock) {}

    void post(std::function<void()> fn) override { posted_.push_back(std::move(fn)); }
    std::uint64_t add_timer(std::chrono::steady_clock::time_point deadline, std::function<void()> fn) override {
        timers_.emplace(++last_timer_, timer{deadline, std::move(fn)});
        return last_timer_;
    }
    void cancel_timer(std::uint64_t id) override { timers_.erase(id); }
    std::size_t index() const override { return index_; }
    bool is_current() const noexcept override { return current() == this; }
    std::chrono::steady_clock::time_point now() const noexcept override { return detail::to_steady(clock_.now()); }

    /// Runs `fn` as this loop's thread would, then what it posted here.
    void enter(const std::function<void()>& fn) {
        {
            scope on(this);
            fn();
        }
        run();
    }
    /// Runs the posted work (and what that posts) until none is left. True if any ran.
    bool run() {
        scope on(this);
        bool any = false;
        while (!posted_.empty()) {
            auto fn = std::move(posted_.front());
            posted_.pop_front();
            fn();
            any = true;
        }
        return any;
    }
    /// Fires the timers due at `now` (earliest first), as the loop would.
    bool fire_due(time_point now) {
        bool any = false;
        for (;;) {
            auto due = timers_.end();
            for (auto it = timers_.begin(); it != timers_.end(); ++it)
                if (it->second.at <= detail::to_steady(now) && (due == timers_.end() || it->second.at < due->second.at))
                    due = it;
            if (due == timers_.end()) return any;
            auto fn = std::move(due->second.fn);
            timers_.erase(due);
            enter(fn);
            any = true;
        }
    }
    std::size_t timer_count() const { return timers_.size(); }
    /// The earliest timer's deadline on the core's scale, if any.
    std::optional<time_point> next_timer() const {
        std::optional<time_point> t;
        for (const auto& [id, tm] : timers_) {
            auto at = time_point(std::chrono::duration_cast<millis>(tm.at.time_since_epoch()));
            if (!t || at < *t) t = at;
        }
        return t;
    }

private:
    struct timer {
        std::chrono::steady_clock::time_point at;
        std::function<void()> fn;
    };
    static const fake_loop*& current() {
        static const fake_loop* c = nullptr;
        return c;
    }
    struct scope {
        explicit scope(const fake_loop* l) : saved(std::exchange(current(), l)) {}
        ~scope() { current() = saved; }
        const fake_loop* saved;
    };

    std::size_t index_;
    const fake_clock& clock_;
    std::deque<std::function<void()>> posted_;
    std::map<std::uint64_t, timer> timers_;
    std::uint64_t last_timer_ = 0;
};

/// One request/response exchange; records what the layer wrote.
class fake_exchange final : public net::exchange {
public:
    explicit fake_exchange(fake_loop& l) : loop_(l) {}

    void respond(int code, const header_list& head, std::string_view content) override {
        ++responses;
        status = code;
        headers = head;
        body.assign(content);
    }
    void begin_stream(int code, const header_list& head) override {
        ++responses;
        streaming = true;
        status = code;
        headers = head;
    }
    bool write(std::string_view bytes) override {
        if (gone) return false;
        chunks.emplace_back(bytes);
        return true;
    }
    void end_stream() override { ended = true; }
    std::size_t buffered() const override { return buffered_bytes; }
    void listen(std::weak_ptr<net::exchange_listener> l) override { listener_ = std::move(l); }
    net::loop& owner() override { return loop_; }

    /// The client went away (on the exchange's loop, as net reports it).
    void abort() {
        gone = true;
        if (auto l = std::exchange(listener_, {}).lock()) loop_.enter([&] { l->on_exchange_aborted(); });
    }
    /// The connection's buffer fell to the low watermark.
    void drain() {
        buffered_bytes = 0;
        if (auto l = listener_.lock()) loop_.enter([&] { l->on_exchange_drained(); });
    }
    std::string streamed() const {
        std::string all;
        for (const auto& c : chunks) all += c;
        return all;
    }
    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [n, v] : headers)
            if (n == name) return v;
        return std::nullopt;
    }

    int responses = 0;
    int status = 0;
    header_list headers;
    std::string body;
    bool streaming = false;
    std::vector<std::string> chunks;
    bool ended = false;
    bool gone = false;
    std::size_t buffered_bytes = 0;

private:
    fake_loop& loop_;
    std::weak_ptr<net::exchange_listener> listener_;
};

/// A WebSocket after its handshake; records what the layer sent.
class fake_ws_channel final : public net::ws_channel {
public:
    explicit fake_ws_channel(fake_loop& l) : loop_(l) {}

    bool send_text(std::string_view utf8) override {
        if (close_sent) return false;
        sent.emplace_back(utf8);
        return true;
    }
    void close(int code, std::string_view reason) override {
        if (close_sent) return;
        close_sent = std::make_pair(code, std::string(reason));
    }
    std::size_t buffered() const override { return 0; }
    void listen(std::weak_ptr<net::ws_listener> l) override {
        if (!closed_) listener_ = std::move(l);
    }
    net::loop& owner() override { return loop_; }

    /// A message from the client.
    void receive(std::string msg) {
        if (closed_) return;
        if (auto l = listener_.lock()) loop_.enter([&] { l->on_ws_message(std::move(msg)); });
    }
    /// The channel closed with the peer's `code` (1006: the TCP connection dropped).
    void closed(int code) {
        if (std::exchange(closed_, true)) return;
        if (auto l = std::exchange(listener_, {}).lock()) loop_.enter([&] { l->on_ws_closed(code, {}); });
    }

    std::vector<std::string> sent;
    std::optional<std::pair<int, std::string>> close_sent;

private:
    fake_loop& loop_;
    bool closed_ = false;
    std::weak_ptr<net::ws_listener> listener_;
};

/// The connection id server_impl makes from two random numbers `a`, `b` (96 bits as hex).
inline std::string connection_id_from(std::uint64_t a, std::uint64_t b) {
    char buf[25];
    std::snprintf(buf, sizeof buf, "%016llx%08x", static_cast<unsigned long long>(a),
                  static_cast<unsigned>(b & 0xffffffffu));
    return buf;
}

/// What the application saw, in order: "open", "message:<m>", "close:<code>:<reason>".
using app_log = std::vector<std::string>;

/// An echo application that logs its events.
class logging_echo final : public connection {
public:
    explicit logging_echo(std::shared_ptr<app_log> log) : log_(std::move(log)) {}
    void on_open() override { log_->push_back("open"); }
    void on_message(std::string_view m) override {
        log_->push_back("message:" + std::string(m));
        send(m);
    }
    void on_close(int code, std::string_view reason) override {
        log_->push_back("close:" + std::to_string(code) + ":" + std::string(reason));
    }

private:
    std::shared_ptr<app_log> log_;
};

/// A server with one service, "/echo", on two fake loops, a fake clock and counting entropy.
class in_memory_server {
public:
    explicit in_memory_server(service_options so = {}, server_options opts = {})
        : clock(std::make_shared<fake_clock>()),
          srv(std::move(opts), clock, std::make_shared<fake_entropy>()) {
        svc = &srv.add_service("/echo", [l = log] { return std::make_shared<logging_echo>(l); }, std::move(so));
        srv.start_without_network(2);
    }

    /// `method path` (path with query) from 127.0.0.1, handled on `loop` (0 or 1).
    std::shared_ptr<fake_exchange> request(std::string method, std::string path_and_query, std::string body = {},
                                           std::size_t loop = 0, header_list headers = {}) {
        auto ex = std::make_shared<fake_exchange>(loops[loop]);
        net::http_request req;
        req.method = std::move(method);
        auto q = path_and_query.find('?');
        req.path = path_and_query.substr(0, q);
        if (q != std::string::npos) req.query = path_and_query.substr(q + 1);
        req.body = std::move(body);
        for (auto& [n, v] : headers) req.headers.add(n, v);
        req.peer = net::peer_address(Poco::Net::SocketAddress("127.0.0.1", 40000));
        loops[loop].enter([&] { srv.handle(ex, req); });
        settle();
        return ex;
    }
    /// Runs every loop's posted work until none is left anywhere.
    void settle() {
        for (;;) {
            const bool ran0 = loops[0].run();  // both loops run in every round
            const bool ran1 = loops[1].run();
            if (!ran0 && !ran1) return;
        }
    }
    /// Moves the clock by `d` and fires the timers that fall due.
    /// Moves the clock on by `d` as a real loop would see time pass: each timer fires with the
    /// clock at its own deadline, earliest first, so a timer re-armed by another (a session's
    /// timeout, then its expiry) fires within the same advance if its deadline is inside it.
    void advance(millis d) {
        const time_point end = clock->now() + d;
        for (;;) {
            std::optional<time_point> next;
            for (auto& l : loops)
                if (auto t = l.next_timer(); t && *t <= end && (!next || *t < *next)) next = t;
            if (!next) break;
            if (*next > clock->now()) clock->advance(*next - clock->now());
            for (auto& l : loops) l.fire_due(clock->now());
            settle();
        }
        clock->advance(end - clock->now());
        settle();
    }
    /// The session `sid` of the service, if registered.
    std::shared_ptr<detail::session_backend> session(const std::string& sid) const { return svc->registry.find(sid); }

    std::shared_ptr<app_log> log = std::make_shared<app_log>();
    std::shared_ptr<fake_clock> clock;
    fake_loop loops[2] = {fake_loop(0, *clock), fake_loop(1, *clock)};
    detail::server_impl srv;  // after the loops: destroyed before them
    detail::service_impl* svc = nullptr;
};

}  // namespace sockjs::test
