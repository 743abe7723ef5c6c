#include "connection_impl.hpp"

#include "random_ids.hpp"

#include <sockjs/client.hpp>

#include <algorithm>
#include <csignal>
#include <exception>

#include <pthread.h>

namespace sockjs::client {

namespace {
// What this client implements, for the core's transport_order.
const std::vector<client_transport> implemented = {client_transport::websocket, client_transport::xhr_streaming,
                                                   client_transport::xhr_polling};

client_options session_options(const options& o) {
    client_options c;
    c.transports = o.transports;
    c.available = implemented;
    c.transport_timeout = o.timeout;
    c.info_timeout = o.connect_timeout;
    return c;
}
}  // namespace

connection::impl::impl(detail::endpoint ep, options opts, handlers h)
    : ep_(std::move(ep)), opts_(std::move(opts)), handlers_(std::move(h)), rng_(std::random_device{}()) {
    std::lock_guard lk(m_);
    new_session(now());
}

connection::impl::~impl() {
    if (driver_.joinable()) {
        if (driver_.get_id() == std::this_thread::get_id())
            driver_.detach();
        else
            driver_.join();
    }
}

void connection::impl::start() {
    driver_ = std::thread([self = shared_from_this()] { self->run(); });
}

void connection::impl::shutdown() {
    {
        std::lock_guard lk(m_);
        shutdown_ = true;
    }
    cv_.notify_all();
    events_cv_.notify_all();
    if (driver_.joinable() && driver_.get_id() != std::this_thread::get_id()) driver_.join();
}

time_point connection::impl::now() const {
    return std::chrono::duration_cast<millis>(clock::now() - epoch_);
}

connection::impl::clock::time_point connection::impl::to_clock(time_point t) const {
    return epoch_ + t;
}

void connection::impl::post(detail::io_event e) {
    {
        std::lock_guard lk(m_);
        inbox_.push_back(std::move(e));
    }
    cv_.notify_all();
}

errc connection::impl::send(std::string_view message) {
    errc e;
    {
        std::lock_guard lk(m_);
        e = session_->send(message);
        if (e == errc::ok) {
            outgoing_pending_ = true;
            wake_ = true;
        }
    }
    if (e == errc::ok) cv_.notify_all();
    return e;
}

errc connection::impl::close(int code, std::string_view reason) {
    errc e;
    {
        std::lock_guard lk(m_);
        if (finished_) return errc::ok;  // already closed: a no-op, as in the browser
        e = session_->close(code, reason);
        if (e == errc::ok) wake_ = true;
    }
    if (e == errc::ok) cv_.notify_all();
    return e;
}

bool connection::impl::flush(millis timeout) {
    std::unique_lock lk(m_);
    auto done = [&] {
        return finished_ || shutdown_ || session_->state() == ready_state::closed ||
               (!send_in_flight_ && !outgoing_pending_);
    };
    events_cv_.wait_for(lk, timeout, done);
    return !send_in_flight_ && !outgoing_pending_;
}

std::optional<event> connection::impl::next_event(millis timeout) {
    std::unique_lock lk(m_);
    events_cv_.wait_for(lk, timeout, [&] { return !events_.empty() || finished_ || shutdown_; });
    if (events_.empty()) return std::nullopt;
    event e = std::move(events_.front());
    events_.pop_front();
    return e;
}

sockjs::ready_state connection::impl::state() const {
    std::lock_guard lk(m_);
    // Closing until the close event has been handed out, as sockjs-client reports it.
    if (close_undelivered_) return ready_state::closing;
    return session_->state();
}

std::string connection::impl::transport() const {
    std::lock_guard lk(m_);
    return transport_name_;
}

std::string connection::impl::last_error() const {
    std::lock_guard lk(m_);
    return last_error_;
}

millis connection::impl::reconnect_delay(unsigned attempt) {
    const auto& r = opts_.reconnect;
    millis d = r.initial_delay;
    for (unsigned i = 0; i < attempt && d < r.max_delay; ++i) d *= 2;
    d = std::min(d, r.max_delay);
    // Up to 20% less, so that many clients cut off together do not come back together.
    std::uniform_int_distribution<long long> jitter(0, d.count() / 5);
    return d - millis(jitter(rng_));
}

void connection::impl::new_session(time_point t) {
    session_.emplace(session_options(opts_), t);
    server_id_ = opts_.server_id.empty() ? detail::random_server_id(rng_) : opts_.server_id;
    session_id_ = opts_.session_id.empty() ? detail::random_session_id(rng_) : opts_.session_id;
    transport_name_.clear();
}

detail::transport_context connection::impl::context(std::uint64_t generation) const {
    detail::transport_context ctx;
    ctx.ep = ep_;
    ctx.opts = opts_;
    ctx.server_id = server_id_;
    ctx.session_id = session_id_;
    ctx.sink = const_cast<impl*>(this);
    ctx.generation = generation;
    return ctx;
}

std::optional<time_point> connection::impl::next_wake() const {
    std::optional<time_point> w = session_->next_deadline();
    if (reconnect_at_ && (!w || *reconnect_at_ < *w)) w = reconnect_at_;
    return w;
}

void connection::impl::apply(detail::io_event& e, time_point t) {
    using detail::io_event;
    switch (e.kind) {
    case io_event::info_done: {
        if (e.generation != info_gen_) return;
        info_gen_ = 0;
        const millis rtt = t - info_started_;
        std::optional<server_info> info;
        if (e.ok) {
            auto parsed = parse_info(e.data);
            if (parsed) {
                info = std::move(*parsed);
            } else {
                // sockjs-client takes a 200 answer it cannot parse as `{}`: all defaults.
                info = server_info{};
                last_error_ = "/info: " + std::string(message(parsed.error())) + " (using defaults)";
            }
        } else {
            last_error_ = e.error;
        }
        session_->on_info(std::move(info), t, rtt);
        return;
    }
    case io_event::frame: {
        if (e.generation != transport_gen_) return;
        const errc r = session_->on_frame(e.data, t);
        if (r != errc::ok) {
            std::string shown = e.data.substr(0, 60);
            last_error_ = std::string(message(r)) + ": " + shown;
        }
        return;
    }
    case io_event::transport_closed:
        if (e.generation != transport_gen_) return;
        last_error_ = e.error;
        // A WebSocket closed by the server carries its code; the core decides what it means.
        session_->on_transport_closed(t, e.code, e.reason);
        return;
    case io_event::send_done:
        if (e.generation != transport_gen_) return;
        send_in_flight_ = false;
        if (!e.ok) {
            last_error_ = e.error;
            // sockjs-client's buffered sender: a failed xhr_send ends the session with 1006.
            session_->on_transport_closed(t, 1006, "Sending error");
        }
        return;
    }
}

void connection::impl::collect(std::vector<action>& acts, std::vector<event>& out, time_point t) {
    while (auto ev = session_->next_event()) {
        switch (ev->kind) {
        case client_event::start_transport:
            acts.push_back({action::stop_transport, {}, {}, {}});
            // Every transport attempt gets a fresh session id, as in sockjs-client.
            if (opts_.session_id.empty()) session_id_ = detail::random_session_id(rng_);
            transport_gen_ = ++generation_;
            send_in_flight_ = false;
            transport_name_ = std::string(name(ev->transport));
            acts.push_back({action::start_transport, ev->transport, context(transport_gen_), {}});
            break;
        case client_event::stop_transport:
            // The current transport, or the /info request while that is pending.
            acts.push_back({action::stop_transport, {}, {}, {}});
            acts.push_back({action::stop_info, {}, {}, {}});
            transport_gen_ = info_gen_ = 0;
            send_in_flight_ = false;
            break;
        case client_event::open:
            failed_attempts_ = 0;
            out.push_back(event{event::open, {}, 0, {}, false, false});
            break;
        case client_event::message:
            out.push_back(event{event::message, std::move(ev->data), 0, {}, false, false});
            break;
        case client_event::heartbeat:
            break;
        case client_event::close: {
            acts.push_back({action::stop_transport, {}, {}, {}});
            acts.push_back({action::stop_info, {}, {}, {}});
            transport_gen_ = info_gen_ = 0;
            send_in_flight_ = false;
            outgoing_pending_ = false;
            event c{event::close, {}, ev->code, std::move(ev->reason), ev->was_clean, false};
            close_undelivered_ = true;
            const auto& r = opts_.reconnect;
            if (!c.was_clean && r.enabled && !shutdown_ && (r.max_attempts == 0 || failed_attempts_ < r.max_attempts)) {
                c.will_reconnect = true;
                reconnect_at_ = t + reconnect_delay(failed_attempts_++);
                out.push_back(std::move(c));
                // The next attempt's session exists at once (connecting), so that close()
                // during the wait ends it the way a close while connecting does.
                new_session(t);
                return;
            }
            out.push_back(std::move(c));
            break;
        }
        }
    }
    if (!send_in_flight_ && transport_gen_ != 0 && session_->state() == ready_state::open) {
        std::string payload = session_->take_outgoing();
        outgoing_pending_ = false;
        if (!payload.empty()) {
            send_in_flight_ = true;
            acts.push_back({action::send, {}, {}, std::move(payload)});
        }
    }
}

void connection::impl::execute(std::vector<action>& acts) {
    for (auto& a : acts) {
        switch (a.kind) {
        case action::start_info:
            info_ = std::make_unique<detail::info_fetch>(std::move(a.ctx));
            break;
        case action::stop_info:
            info_.reset();
            break;
        case action::start_transport:
            if (a.transport == client_transport::websocket)
                transport_ = detail::start_websocket(std::move(a.ctx));
            else
                transport_ = detail::start_xhr(std::move(a.ctx), a.transport == client_transport::xhr_streaming);
            break;
        case action::stop_transport:
            if (transport_) transport_->stop();
            transport_.reset();
            break;
        case action::send:
            if (transport_) transport_->send(std::move(a.payload));
            break;
        }
    }
    acts.clear();
}

void connection::impl::deliver(std::vector<event>& out) {
    for (auto& e : out) {
        const bool last = e.kind == event::close && !e.will_reconnect;
        bool handled = false;
        try {
            if (e.kind == event::open && handlers_.on_open) {
                handlers_.on_open();
                handled = true;
            } else if (e.kind == event::message && handlers_.on_message) {
                handlers_.on_message(e.data);
                handled = true;
            } else if (e.kind == event::close && handlers_.on_close) {
                handlers_.on_close(e.code, e.reason, e.was_clean);
                handled = true;
            }
        } catch (const std::exception& x) {
            std::lock_guard lk(m_);
            last_error_ = std::string("a handler threw: ") + x.what();
        }
        {
            std::lock_guard lk(m_);
            if (e.kind == event::close) close_undelivered_ = false;
            if (!handled) events_.push_back(std::move(e));
            if (last) finished_ = true;
        }
        events_cv_.notify_all();
    }
    out.clear();
}

void connection::impl::run() {
    // A write to a connection the server has reset must fail with EPIPE, not kill the
    // process with SIGPIPE. The I/O threads start from this one and inherit the mask.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

    std::vector<action> acts;
    std::vector<event> out;
    {
        std::lock_guard lk(m_);
        info_gen_ = ++generation_;
        info_started_ = now();
        acts.push_back({action::start_info, {}, context(info_gen_), {}});
    }
    for (;;) {
        execute(acts);
        deliver(out);
        std::unique_lock lk(m_);
        if (finished_) break;
        auto ready = [&] { return shutdown_ || wake_ || !inbox_.empty(); };
        if (auto w = next_wake())
            cv_.wait_until(lk, to_clock(*w), ready);
        else
            cv_.wait(lk, ready);
        if (shutdown_) break;
        wake_ = false;
        const time_point t = now();
        if (reconnect_at_ && t >= *reconnect_at_) {
            reconnect_at_.reset();
            info_gen_ = ++generation_;
            info_started_ = t;
            acts.push_back({action::start_info, {}, context(info_gen_), {}});
        }
        if (auto d = session_->next_deadline(); d && t >= *d) session_->on_deadline(t);
        std::deque<detail::io_event> inbox;
        inbox.swap(inbox_);
        for (auto& e : inbox) apply(e, t);
        collect(acts, out, t);
        events_cv_.notify_all();  // flush() waiters: the in-flight send may have finished
    }
    // Finished or shut down: every I/O thread stops before the driver does.
    if (transport_) transport_->stop();
    transport_.reset();
    info_.reset();
    {
        std::lock_guard lk(m_);
        finished_ = true;
    }
    events_cv_.notify_all();
}

}  // namespace sockjs::client
