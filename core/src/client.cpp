// The client-side session state machine (client.hpp documents the rules and where they come
// from in sockjs-client 1.6).
#include <sockjs/client.hpp>

#include <sockjs/frame.hpp>

#include "wrap_detail.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace sockjs {

namespace {

constexpr std::array<client_transport, 5> all_transports = {
    client_transport::websocket, client_transport::xhr_streaming, client_transport::eventsource,
    client_transport::xhr_polling, client_transport::jsonp_polling};

constexpr std::array<std::string_view, 5> transport_names = {
    "websocket", "xhr-streaming", "eventsource", "xhr-polling", "jsonp-polling"};

constexpr std::size_t max_reason_bytes = 123;
// A bound on an option that sizes an allocation (and a URL): far beyond any real id.
constexpr std::size_t max_session_id_length = 1024;
// Used when neither a fixed transport timeout nor an /info round trip is known
// (sockjs-client's `|| 5000`).
constexpr millis default_transport_timeout{5000};

bool user_close_code(int code) noexcept { return code == 1000 || (code >= 3000 && code <= 4999); }

// sockjs-client's session id alphabet: 32 characters, 5 bits each.
constexpr std::string_view id_alphabet = "abcdefghijklmnopqrstuvwxyz012345";

bool allowed_by(const std::vector<client_transport>& list, client_transport t) {
    return list.empty() || std::find(list.begin(), list.end(), t) != list.end();
}

}  // namespace

std::string_view name(client_transport t) noexcept {
    return transport_names[static_cast<std::size_t>(t)];
}

std::optional<client_transport> parse_client_transport(std::string_view s) noexcept {
    for (std::size_t i = 0; i < transport_names.size(); ++i)
        if (transport_names[i] == s) return all_transports[i];
    return std::nullopt;
}

transport receive_transport(client_transport t) noexcept {
    switch (t) {
    case client_transport::websocket: return transport::websocket;
    case client_transport::xhr_streaming: return transport::xhr_streaming;
    case client_transport::eventsource: return transport::eventsource;
    case client_transport::xhr_polling: return transport::xhr;
    case client_transport::jsonp_polling: return transport::jsonp;
    }
    return transport::xhr;
}

transport send_transport(client_transport t) noexcept {
    switch (t) {
    case client_transport::websocket: return transport::websocket;
    case client_transport::jsonp_polling: return transport::jsonp_send;
    case client_transport::xhr_streaming:
    case client_transport::eventsource:
    case client_transport::xhr_polling: return transport::xhr_send;
    }
    return transport::xhr_send;
}

std::vector<client_transport> transport_order(const server_info& info,
                                              const std::vector<client_transport>& allowed,
                                              const std::vector<client_transport>& available) {
    std::vector<client_transport> order;
    for (auto t : all_transports) {
        if (t == client_transport::websocket && !info.websocket) continue;
        if (allowed_by(allowed, t) && allowed_by(available, t)) order.push_back(t);
    }
    return order;
}

std::string session_path(std::string_view server_id, std::string_view session_id, transport t) {
    const std::string_view tn = name(t);
    std::string path;
    path.reserve(server_id.size() + session_id.size() + tn.size() + 3);
    path.append(1, '/').append(server_id).append(1, '/').append(session_id).append(1, '/').append(tn);
    return path;
}

millis round_trip_timeout(millis rtt) noexcept {
    if (rtt > millis{100}) return rtt * 4;
    return millis{300} + rtt;
}

int round_trips(client_transport t) noexcept {
    return t == client_transport::jsonp_polling ? 1 : 2;
}

client_session::client_session(client_options opts, time_point now)
    : opts_(std::move(opts)), random_state_(opts_.random_seed) {
    if (opts_.info_timeout > millis{0}) info_deadline_ = now + opts_.info_timeout;
    last_frame_ = now;
    server_id_ = opts_.server_id;
    if (server_id_.empty()) {
        const auto n = random() % 1000;
        server_id_ = {static_cast<char>('0' + n / 100), static_cast<char>('0' + n / 10 % 10),
                      static_cast<char>('0' + n % 10)};
    }
}

// splitmix64: small, fast, and good enough to spread ids; the seed's entropy is what matters.
std::uint32_t client_session::random() noexcept {
    std::uint64_t z = (random_state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<std::uint32_t>((z ^ (z >> 31)) >> 32);
}

std::string client_session::path(bool sending) const {
    if (!current_) return {};
    return session_path(server_id_, session_id_, sending ? send_transport(*current_) : receive_transport(*current_));
}

void client_session::push(client_event::kind_t kind) {
    client_event e;
    e.kind = kind;
    events_.push_back(std::move(e));
}

void client_session::on_info_response(int status, std::string_view body, time_point now,
                                      std::optional<millis> rtt) {
    if (status != 200) {
        on_info(std::nullopt, now, rtt);
        return;
    }
    auto parsed = parse_info(body);
    on_info(parsed ? std::move(*parsed) : server_info{}, now, rtt);
}

void client_session::on_info(std::optional<server_info> info, time_point now,
                             std::optional<millis> rtt) {
    if (!info_pending_ || state_ != ready_state::connecting) return;
    info_pending_ = false;
    info_deadline_.reset();
    if (!info) {
        finish(1002, "Cannot connect to server", false);
        return;
    }
    rtt_ = rtt;
    plan_ = transport_order(*info, opts_.transports, opts_.available);
    next_ = 0;
    start_next(now);
}

void client_session::start_next(time_point now) {
    if (next_ >= plan_.size()) {
        finish(2000, "All transports failed", false);
        return;
    }
    const client_transport t = plan_[next_++];
    current_ = t;
    // Every attempt gets a fresh session id, as in sockjs-client.
    session_id_ = opts_.session_id;
    if (session_id_.empty()) {
        session_id_.resize(std::min(opts_.session_id_length, max_session_id_length));
        for (char& c : session_id_) c = id_alphabet[random() & 31];
    }
    response_frames_ = 0;
    send_in_flight_ = false;
    if (t == client_transport::websocket)
        receiver_.emplace(transport::websocket);
    else
        receiver_.reset();  // until on_receiver_response
    millis timeout = opts_.transport_timeout;
    if (timeout <= millis{0})
        timeout = rtt_ ? round_trip_timeout(*rtt_) * round_trips(t) : default_transport_timeout;
    transport_deadline_ = now + timeout;
    client_event e;
    e.kind = client_event::start_transport;
    e.transport = t;
    events_.push_back(std::move(e));
}

void client_session::stop_current() {
    if (current_) {
        client_event e;
        e.kind = client_event::stop_transport;
        e.transport = *current_;
        events_.push_back(std::move(e));
    } else if (info_pending_) {
        push(client_event::stop_transport);  // aborts the /info request
    }
    current_.reset();
    transport_deadline_.reset();
    info_pending_ = false;
    info_deadline_.reset();
    receiver_.reset();
    send_in_flight_ = false;
}

void client_session::fail_transport(time_point now) {
    if (!current_) return;
    stop_current();
    if (state_ == ready_state::connecting)
        start_next(now);
    else
        finish(1006, "Server lost session", false);
}

void client_session::finish(int code, std::string_view reason, bool was_clean) {
    stop_current();
    state_ = ready_state::closing;  // until the adapter has dispatched the close event
    outgoing_.clear();
    close_code_ = code;
    close_reason_.assign(reason);
    client_event e;
    e.kind = client_event::close;
    e.code = code;
    e.reason.assign(reason);
    e.was_clean = was_clean;
    events_.push_back(std::move(e));
}

errc client_session::on_frame(std::string_view f, time_point now) {
    if (state_ == ready_state::closing || state_ == ready_state::closed) return errc::ok;
    if (!current_) return errc::unexpected_frame;
    if (f.size() > opts_.max_frame_bytes) {
        fail_transport(now);
        return errc::message_too_large;
    }
    ++response_frames_;
    if (f.empty()) return errc::bad_frame;
    last_frame_ = now;
    switch (f.front()) {
    case 'o':
        if (state_ == ready_state::connecting) {
            state_ = ready_state::open;
            transport_deadline_.reset();
            push(client_event::open);
            return errc::ok;
        }
        // The server restarted or forgot us and opened a new session.
        finish(1006, "Server lost session", false);
        return errc::unexpected_frame;
    case 'h':
        push(client_event::heartbeat);
        return errc::ok;
    case 'a':
    case 'c': {
        auto parsed = parse_frame(f);
        if (!parsed) return errc::bad_frame;
        if (parsed->type == frame_type::close) {
            finish(parsed->code, parsed->reason, true);
            return errc::ok;
        }
        if (parsed->type != frame_type::messages) return errc::bad_frame;
        if (state_ != ready_state::open) return errc::unexpected_frame;
        for (auto& m : parsed->messages) {
            client_event e;
            e.kind = client_event::message;
            e.data = std::move(m);
            events_.push_back(std::move(e));
        }
        return errc::ok;
    }
    default:
        return errc::bad_frame;
    }
}

void client_session::on_receiver_response(int status, time_point now) {
    if (state_ == ready_state::closing || state_ == ready_state::closed || !current_) return;
    if (status != 200) {
        fail_transport(now);
        return;
    }
    receiver_.emplace(receive_transport(*current_));
    response_frames_ = 0;
}

errc client_session::deliver_unwrapped(time_point now) {
    errc first = errc::ok;
    // on_frame may end the transport (and the receiver with it) on any frame.
    while (receiver_ && receiver_->next(frame_)) {
        const errc e = on_frame(frame_, now);
        if (first == errc::ok) first = e;
    }
    if (receiver_ && receiver_->buffered() > opts_.max_frame_bytes) {
        fail_transport(now);
        if (first == errc::ok) first = errc::message_too_large;
    }
    return first;
}

errc client_session::on_receiver_data(std::string_view bytes, time_point now) {
    if (state_ == ready_state::closing || state_ == ready_state::closed) return errc::ok;
    if (!current_ || !receiver_) return errc::unexpected_frame;
    receiver_->feed(bytes);
    return deliver_unwrapped(now);
}

errc client_session::on_receiver_event(std::string_view data, time_point now) {
    if (state_ == ready_state::closing || state_ == ready_state::closed) return errc::ok;
    // The browser has split the event into lines and joined its data lines with LF: what is
    // left of the wrapping is the server's %XX escapes.
    if (data.empty()) return errc::bad_frame;
    const std::string f = detail::eventsource_unescape(data);
    return on_frame(f, now);
}

void client_session::on_receiver_end(time_point now) {
    if (state_ == ready_state::closing || state_ == ready_state::closed || !current_) return;
    if (*current_ == client_transport::websocket) return;  // a WebSocket ends with on_transport_closed
    if (response_frames_ == 0) {
        fail_transport(now);
        return;
    }
    receiver_.reset();
    client_event e;
    e.kind = client_event::reopen_receiver;
    e.transport = *current_;
    events_.push_back(std::move(e));
}

void client_session::on_transport_closed(time_point now, std::optional<int> code,
                                         std::string_view reason) {
    if (state_ == ready_state::closing || state_ == ready_state::closed || !current_) return;
    // The transport is gone already: nothing to stop.
    current_.reset();
    transport_deadline_.reset();
    receiver_.reset();
    send_in_flight_ = false;
    if (state_ == ready_state::connecting) {
        if (code && (user_close_code(*code) || *code == 2000))
            finish(*code, reason, false);
        else
            start_next(now);
        return;
    }
    if (code)
        finish(*code, reason, false);
    else
        finish(1006, "Server lost session", false);
}

errc client_session::send(std::string_view message) {
    if (state_ != ready_state::open) return errc::session_not_open;
    outgoing_.emplace_back(message);
    return errc::ok;
}

std::string client_session::take_outgoing() {
    if (outgoing_.empty() || send_in_flight_) return {};
    std::string body = encode_client_messages(outgoing_);
    outgoing_.clear();
    send_in_flight_ = current_ && *current_ != client_transport::websocket;
    return body;
}

void client_session::on_send_result(int status, time_point) {
    if (!send_in_flight_) return;
    send_in_flight_ = false;
    if (state_ == ready_state::closing || state_ == ready_state::closed) return;
    if (status == 200 || status == 204) return;
    if (status == 0) {
        finish(1006, "Sending error: no answer", false);
        return;
    }
    // Digits by hand: std::to_string would pull printf into the wasm build, std::to_chars its
    // digit tables (0.3 KB).
    std::string reason = "Sending error: http status ";
    if (status < 0) reason.push_back('-');
    auto n = status < 0 ? 0u - static_cast<unsigned>(status) : static_cast<unsigned>(status);
    const auto at = reason.size();
    do {
        reason.insert(reason.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>('0' + n % 10));
        n /= 10;
    } while (n != 0);
    finish(1006, reason, false);
}

void client_session::on_close_dispatched() noexcept {
    if (state_ == ready_state::closing) state_ = ready_state::closed;
    if (shown_ == ready_state::closing) shown_ = ready_state::closed;
}

errc client_session::close(int code, std::string_view reason) {
    if (code == 0) code = 1000;
    if (!user_close_code(code)) return errc::invalid_close_code;
    if (reason.size() > max_reason_bytes) return errc::reason_too_long;
    if (state_ == ready_state::closing || state_ == ready_state::closed) return errc::ok;
    finish(code, reason.empty() ? std::string_view("Normal closure") : reason, true);
    return errc::ok;
}

std::optional<client_event> client_session::next_event() {
    if (events_read_ == events_.size()) return std::nullopt;
    client_event e = std::move(events_[events_read_++]);
    if (events_read_ == events_.size()) {
        events_.clear();
        events_read_ = 0;
    }
    if (e.kind == client_event::open) shown_ = ready_state::open;
    if (e.kind == client_event::close) shown_ = ready_state::closing;
    return e;
}

std::optional<time_point> client_session::next_deadline() const noexcept {
    std::optional<time_point> d;
    auto consider = [&d](std::optional<time_point> t) {
        if (t && (!d || *t < *d)) d = t;
    };
    if (state_ == ready_state::closed || state_ == ready_state::closing) return std::nullopt;
    if (info_pending_) consider(info_deadline_);
    if (state_ == ready_state::connecting) consider(transport_deadline_);
    if (state_ == ready_state::open && opts_.liveness_timeout > millis{0})
        consider(last_frame_ + opts_.liveness_timeout);
    return d;
}

void client_session::on_deadline(time_point now) {
    if (state_ == ready_state::closing || state_ == ready_state::closed) return;
    if (info_pending_) {
        if (info_deadline_ && now >= *info_deadline_)
            finish(1002, "Cannot connect to server", false);
        return;
    }
    if (state_ == ready_state::connecting) {
        if (transport_deadline_ && now >= *transport_deadline_) {
            // sockjs-client: abort the transport, then treat it as closed with 2007, which
            // falls back to the next transport (or ends with 2000).
            stop_current();
            start_next(now);
        }
        return;
    }
    if (opts_.liveness_timeout > millis{0} && now >= last_frame_ + opts_.liveness_timeout)
        finish(4900, "Liveness timeout", false);
}

}  // namespace sockjs
