#include "conn_backend.hpp"

#include "packed_headers.hpp"
#include "server_impl.hpp"
#include "service_impl.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <utility>

namespace sockjs::detail {

namespace {

/// `"..."` with `"` and `\` escaped and control characters dropped, for key=value log lines.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
    out += '"';
    return out;
}

/// Runs application code (the factory or a handler) and returns what it threw, so that nothing
/// the application throws reaches the loop.
template <class F>
std::optional<std::string> app_threw(F&& call) {
    try {
        call();
        return std::nullopt;
    } catch (const std::exception& e) {
        return std::string(e.what());
    } catch (...) {
        return std::string("unknown exception");
    }
}

// The backend whose callback runs on this thread (conn_backend::in_callback()).
thread_local conn_backend* calling = nullptr;

/// Marks `b` as calling the application for the scope, restoring the outer one after.
class calling_scope {
public:
    explicit calling_scope(conn_backend* b) noexcept : outer_(std::exchange(calling, b)) {}
    ~calling_scope() { calling = outer_; }
    calling_scope(const calling_scope&) = delete;
    calling_scope& operator=(const calling_scope&) = delete;

private:
    conn_backend* outer_;
};

}  // namespace

conn_backend* conn_backend::in_callback() noexcept { return calling; }

conn_backend::conn_backend(service_impl& svc, net::loop& home, std::size_t counted_transport)
    : svc_(svc), home_(home), counted_transport_(counted_transport), counters_(svc.counters.at(home.index())) {}

conn_backend::~conn_backend() = default;

server_impl& conn_backend::server() const noexcept { return svc_.server; }

namespace {

/// Times one application callback into `h` (two steady-clock reads).
class handler_timer {
public:
    explicit handler_timer(loop_histogram<handler_duration_bounds.size()>& h,
                           std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now()) noexcept
        : h_(h), start_(start) {}
    ~handler_timer() { h_.observe(std::chrono::steady_clock::now() - start_, handler_duration_bounds); }
    handler_timer(const handler_timer&) = delete;
    handler_timer& operator=(const handler_timer&) = delete;

private:
    loop_histogram<handler_duration_bounds.size()>& h_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace

bool conn_backend::send(std::string_view message) {
    if (!is_open()) return false;
    if (on_loop(home_)) return send_here(message);
    return server().post_unless_stopping(
        home_, [self = shared_from_this(), m = std::string(message)] { self->send_here(m); });
}

void conn_backend::close(int code, std::string_view reason) {
    if (on_loop(home_)) {
        close_here(code, reason);
        return;
    }
    server().post_unless_stopping(
        home_, [self = shared_from_this(), code, r = std::string(reason)] { self->close_here(code, r); });
}

void conn_backend::broadcast(std::string_view message) { server().publish(svc_.prefix, message); }

void conn_backend::publish(std::string_view topic, std::string_view message) {
    server().publish(topic, message);
}

bool conn_backend::subscribe(std::string_view topic) {
    if (!is_open() || topic.empty() || topic.front() == '@') return false;
    auto join = [self = shared_from_this(), t = std::string(topic)] {
        if (self->released_ || !self->server().topics().join(self->home_.index(), t, self)) return;
        self->topics_.push_back(t);
    };
    if (on_loop(home_)) {
        join();
        return true;
    }
    return server().post_unless_stopping(home_, std::move(join));
}

void conn_backend::unsubscribe(std::string_view topic) {
    auto leave = [self = shared_from_this(), t = std::string(topic)] {
        auto it = std::find(self->topics_.begin(), self->topics_.end(), t);
        if (it == self->topics_.end()) return;
        self->topics_.erase(it);
        self->server().topics().leave(self->home_.index(), t, self.get());
    };
    if (on_loop(home_))
        leave();
    else
        server().post_unless_stopping(home_, std::move(leave));
}

bool conn_backend::make_connection(const net::http_request& req) {
    // In the live set first, whatever the factory does: shutdown and broadcast find it there.
    svc_.live[home_.index()].insert(shared_from_this());
    std::shared_ptr<connection> c;
    if (auto threw = app_threw([&] { c = svc_.make(); })) {
        app_failed(*threw);
        return false;
    }
    if (!c) return false;
    const bool upgrade = iequal(req.headers.get("Upgrade", ""), "websocket");
    connection_access::bind(*c, weak_from_this(), server().new_connection_id(),
                            counted_transport_name(counted_transport_), remote_text(req.peer.get()), svc_.prefix,
                            req.path, req.headers, upgrade);
    server().register_connection(c);
    conn_ = std::move(c);
    return true;
}

void conn_backend::app_open() {
    opened_ = true;
    opened_at_ = server().now();
    auto& st = counters();
    add(st.opened);
    add(st.open_by_transport[counted_transport_]);
    if (server().logging())
        server().log("level=info event=open service=" + svc_.prefix + " conn=" + (conn_ ? conn_->id() : "-") +
                     " transport=" + std::string(counted_transport_name(counted_transport_)) +
                     " remote=" + (conn_ ? std::string(conn_->remote_address()) : "-"));
    if (!conn_) {
        close_here(1011, "Internal server error");
        return;
    }
    if (auto threw = app_threw([&] {
            calling_scope scope(this);
            handler_timer timed(st.handler_duration[static_cast<std::size_t>(handler_kind::on_open)]);
            conn_->on_open();
        }))
        app_failed(*threw);
}

void conn_backend::app_message(std::string_view message) {
    auto& st = counters();
    add(st.messages_in);
    add(st.bytes_in, message.size());
    if (!conn_) return;
    if (auto threw = app_threw([&] {
            calling_scope scope(this);
            handler_timer timed(st.handler_duration[static_cast<std::size_t>(handler_kind::on_message)]);
            conn_->on_message(message);
        }))
        app_failed(*threw);
}

void conn_backend::app_close(int code, std::string_view reason) {
    open_.store(false, std::memory_order_release);
    if (!opened_) return;  // never opened: the application never heard of it
    opened_ = false;
    const auto closed_at = server().now();
    auto& st = counters();
    add(st.closed_by_code[server().close_labels().index(code)]);
    sub(st.open_by_transport[counted_transport_]);
    st.session_duration.observe(closed_at - opened_at_, session_duration_bounds);
    if (server().logging())
        server().log("level=info event=close service=" + svc_.prefix + " conn=" + (conn_ ? conn_->id() : "-") +
                     " code=" + std::to_string(code) + " reason=" + quoted(reason));
    if (!conn_) return;
    // The session is gone already: what on_close throws can only be logged.
    if (auto threw = app_threw([&] {
            calling_scope scope(this);
            handler_timer timed(st.handler_duration[static_cast<std::size_t>(handler_kind::on_close)]);
            conn_->on_close(code, reason);
        });
        threw && server().logging())
        server().log("level=error event=error service=" + svc_.prefix + " conn=" + conn_->id() +
                     " in=on_close what=" + quoted(*threw));
}

void conn_backend::app_failed(std::string_view what) {
    if (server().logging())
        server().log("level=error event=error service=" + svc_.prefix + " conn=" + (conn_ ? conn_->id() : "-") +
                     " what=" + quoted(what));
    close_here(1011, "Internal server error");
}

void conn_backend::release() {
    if (released_) return;
    released_ = true;
    open_.store(false, std::memory_order_release);
    auto self = shared_from_this();  // the live set may hold the last owner
    if (conn_) {
        server().unregister_connection(conn_->id());
        conn_.reset();
    }
    for (const auto& t : topics_) server().topics().leave(home_.index(), t, this);
    topics_.clear();
    svc_.live[home_.index()].erase(*this);
    svc_.unreserve();
}

void server_impl::log(std::string_view line) const {
    if (opts_.log) opts_.log(line);
}

}  // namespace sockjs::detail
