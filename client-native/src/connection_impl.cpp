#include "connection_impl.hpp"

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

client_options session_options(const options& o, std::uint64_t seed) {
    client_options c;
    c.transports = o.transports;
    c.available = implemented;
    c.transport_timeout = o.timeout;
    c.info_timeout = o.connect_timeout;
    c.server_id = o.server_id;
    c.session_id = o.session_id;
    c.random_seed = seed;
    c.max_frame_bytes = o.max_frame_size;
    return c;
}
}  // namespace

namespace {
// The session ids' and reconnect jitter's generator, seeded once per connection from the
// system's secure source (the ids name a session and need not be secret).
std::mt19937_64 seeded_generator() {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
}
}  // namespace

connection::impl::impl(detail::endpoint ep, options opts, event_handlers h)
    : ep_(std::move(ep)), opts_(std::move(opts)), handlers_(std::move(h)), reconnect_(opts_.reconnect),
      random_(seeded_generator()) {
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
    return time_point(std::chrono::duration_cast<millis>(clock::now() - epoch_));
}

connection::impl::clock::time_point connection::impl::to_clock(time_point t) const {
    return epoch_ + t.time_since_epoch();
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
        if (e == errc::ok) wake_ = true;
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
        if (e == errc::ok) {
            wake_ = true;
            closed_by_application_ = true;
            // A close event is on its way and the next session does not exist yet: that one
            // gets this close as soon as it does (see deliver).
            if (reconnect_delay_) deferred_close_ = std::make_pair(code, std::string(reason));
        }
    }
    if (e == errc::ok) cv_.notify_all();
    return e;
}

bool connection::impl::flush(millis timeout) {
    std::unique_lock lk(m_);
    auto idle = [&] { return !send_in_flight_ && !session_->has_outgoing(); };
    auto done = [&] {
        return finished_ || shutdown_ || session_->state() == ready_state::closing ||
               session_->state() == ready_state::closed || idle();
    };
    events_cv_.wait_for(lk, timeout, done);
    return idle();
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
    return dispatching_.value_or(session_->state());
}

std::string connection::impl::transport() const {
    std::lock_guard lk(m_);
    return transport_name_;
}

std::string connection::impl::last_error() const {
    std::lock_guard lk(m_);
    return last_error_;
}

void connection::impl::new_session(time_point t) {
    session_.emplace(session_options(opts_, random_()), t);
    transport_name_.clear();
    closed_by_application_ = false;
}

detail::transport_context connection::impl::context(std::uint64_t generation) const {
    detail::transport_context ctx;
    ctx.ep = ep_;
    ctx.opts = opts_;
    ctx.receive_path = ep_.prefix + session_->path(false);
    ctx.send_path = ep_.prefix + session_->path(true);
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
    const bool current = e.generation == (e.kind == io_event::info_done ? info_gen_ : transport_gen_);
    if (!current) return;  // from an /info request or a transport already stopped
    // Every decision on what arrived is the session's; last_error_ only keeps it readable.
    auto note = [&](errc r, std::string_view what) {
        if (r != errc::ok) last_error_ = std::string(message(r)) + ": " + std::string(what.substr(0, 60));
    };
    switch (e.kind) {
    case io_event::info_done:
        info_gen_ = 0;
        if (e.status != 200)
            last_error_ = e.status == 0 ? e.error : "/info answered HTTP " + std::to_string(e.status);
        session_->on_info_response(e.status, e.data, t, t - info_started_);
        return;
    case io_event::receiver_response:
        if (e.status != 200) last_error_ = transport_name_ + " answered HTTP " + std::to_string(e.status);
        session_->on_receiver_response(e.status, t);
        return;
    case io_event::receiver_data:
        note(session_->on_receiver_data(e.data, t), e.data);
        return;
    case io_event::receiver_end:
        session_->on_receiver_end(t);
        return;
    case io_event::transport_closed:
        last_error_ = e.error;
        // A WebSocket closed by the server carries its code; the core decides what it means.
        session_->on_transport_closed(t, e.code, e.reason);
        return;
    case io_event::send_done: {
        send_in_flight_ = false;
        const bool closing = session_->close_code() != 0;
        session_->on_send_result(e.status, t);
        // Said only when the session took the answer for a failure (its close follows).
        if (!closing && session_->close_code() != 0)
            last_error_ = e.status == 0 ? e.error : "xhr_send answered HTTP " + std::to_string(e.status);
        return;
    }
    }
}

void connection::impl::collect(std::vector<action>& acts, std::vector<dispatch>& out, time_point t) {
    while (auto ev = session_->next_event()) {
        switch (ev->kind) {
        case client_event::start_transport:
            acts.push_back({action::stop_transport, {}, {}, {}});
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
        case client_event::reopen_receiver:
            acts.push_back({action::reopen_receiver, {}, {}, {}});
            break;
        case client_event::open:
            reconnect_.on_open();
            out.push_back({event{event::open, {}, 0, {}, false, false}, session_->state()});
            break;
        case client_event::message:
            out.push_back({event{event::message, std::move(ev->data), 0, {}, false, false}, session_->state()});
            break;
        case client_event::heartbeat:
            break;
        case client_event::close: {
            reconnect_at_.reset();
            acts.push_back({action::stop_transport, {}, {}, {}});
            acts.push_back({action::stop_info, {}, {}, {}});
            transport_gen_ = info_gen_ = 0;
            send_in_flight_ = false;
            event c{event::close, {}, ev->code, std::move(ev->reason), ev->was_clean, false};
            if (!shutdown_) {
                reconnect_delay_ = reconnect_.on_close({c.code, c.was_clean, closed_by_application_},
                                                       static_cast<std::uint32_t>(random_() >> 32));
                c.will_reconnect = reconnect_delay_.has_value();
            }
            // The close handler sees closed, as the browser's onclose does.
            out.push_back({std::move(c), ready_state::closed});
            break;
        }
        }
    }
    if (!send_in_flight_ && transport_gen_ != 0) {
        std::string payload = session_->take_outgoing();
        if (!payload.empty()) {
            send_in_flight_ = true;
            acts.push_back({action::send, {}, {}, std::move(payload)});
        }
    }
    (void)t;
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
                transport_ = detail::start_xhr(std::move(a.ctx));
            break;
        case action::reopen_receiver:
            if (transport_) transport_->reopen_receiver();
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

void connection::impl::start_waiting(time_point t) {
    const millis delay = reconnect_delay_.value_or(millis{0});
    reconnect_delay_.reset();
    // The next session exists at once (connecting), so that close() during the wait ends it
    // the way a close while connecting does.
    new_session(t);
    reconnect_at_ = t + delay;
    if (deferred_close_) {
        session_->close(deferred_close_->first, deferred_close_->second);
        closed_by_application_ = true;
        deferred_close_.reset();
        wake_ = true;
    }
}

void connection::impl::deliver(std::vector<dispatch>& out) {
    for (auto& [e, state] : out) {
        const bool is_close = e.kind == event::close;
        const bool last = is_close && !e.will_reconnect;
        bool handled = false;
        {
            std::lock_guard lk(m_);
            dispatching_ = state;
        }
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
            dispatching_.reset();
            if (!handled) events_.push_back(std::move(e));
            if (is_close) {
                session_->on_close_dispatched();
                if (last) finished_ = true;
                else start_waiting(now());
            }
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
    std::vector<dispatch> out;
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
