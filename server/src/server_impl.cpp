#include "server_impl.hpp"

#include "net/send_batch.hpp"
#include "net/websocket_frame.hpp"
#include "session_backend.hpp"
#include "stop_signals.hpp"
#include "usable_cores.hpp"

#include <sockjs/frame.hpp>
#include <sockjs/json_escape.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <latch>
#include <stdexcept>
#include <thread>

namespace sockjs::detail {

server_impl::server_impl(server_options opts, std::shared_ptr<server_clock> clock,
                         std::shared_ptr<entropy_source> entropy)
    : opts_(std::move(opts)),
      clock_(std::move(clock)),
      entropy_(std::move(entropy)),
      close_labels_(opts_.metrics_close_codes) {
    bus_ = opts_.bus ? opts_.bus : std::make_shared<in_process_broadcaster>();
    node_ = bus_->node_id();
}

server_impl::~server_impl() {
    stop();
    if (stopper_.joinable()) stopper_.join();
}

service_impl& server_impl::add_service(std::string prefix, server::factory make, service_options opts) {
    std::lock_guard lock(state_mutex_);
    if (started_) throw std::logic_error("sockjs::server: route() after start()");
    if (prefix.empty() || prefix.front() != '/' || prefix.back() == '/' ||
        prefix.find_first_of("?#") != std::string::npos)
        throw std::invalid_argument("sockjs::server: a prefix looks like \"/echo\" (got \"" + prefix + "\")");
    for (const auto& s : services_)
        if (s->prefix == prefix) throw std::invalid_argument("sockjs::server: duplicate prefix " + prefix);
    if (!make) throw std::invalid_argument("sockjs::server: empty factory for " + prefix);
    for (const auto& [path, methods] : http_routes_)
        if (path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/'))
            throw std::invalid_argument("sockjs::server: service " + prefix + " would take the HTTP route " + path);
    services_.push_back(std::make_unique<service_impl>(*this, std::move(prefix), std::move(opts), std::move(make)));
    return *services_.back();
}

void server_impl::add_http_route(std::string method, std::string path, http_handler h) {
    std::lock_guard lock(state_mutex_);
    if (started_) throw std::logic_error("sockjs::server: http_route() after start()");
    if (path.empty() || path.front() != '/' || path.find_first_of("?#") != std::string::npos)
        throw std::invalid_argument("sockjs::server: an HTTP route's path looks like \"/healthz\" (got \"" + path + "\")");
    if (method.empty() || method == "HEAD")
        throw std::invalid_argument("sockjs::server: HTTP route " + path + ": method \"" + method +
                                    "\" (HEAD comes with GET)");
    if (match(path) != nullptr)
        throw std::invalid_argument("sockjs::server: HTTP route " + path + " lies under a service prefix");
    if (path == opts_.metrics_path) throw std::invalid_argument("sockjs::server: HTTP route " + path + " is the metrics path");
    if (!h) throw std::invalid_argument("sockjs::server: empty handler for HTTP route " + path);
    if (!http_routes_[path].emplace(std::move(method), std::move(h)).second)
        throw std::invalid_argument("sockjs::server: duplicate HTTP route " + path);
}

void server_impl::prepare(std::size_t loops) {
    if (!opts_.trusted_proxies.empty()) proxies_.emplace(opts_.trusted_proxies);
    loops_ = loops;
    // Longest prefix first, so that "/a/b" wins over "/a".
    std::stable_sort(services_.begin(), services_.end(),
                     [](const auto& a, const auto& b) { return a->prefix.size() > b->prefix.size(); });
    for (auto& s : services_) {
        s->live.resize(loops_);
        s->counters.resize(loops_, close_labels_.size());
    }
    topics_.resize(loops_);
}

void server_impl::start_without_network(std::size_t loops) {
    std::lock_guard lock(state_mutex_);
    if (started_ || without_network_) return;
    without_network_ = true;
    prepare(loops);
}

void server_impl::start() {
    std::lock_guard lock(state_mutex_);
    if (started_) return;
    if (without_network_) throw std::logic_error("sockjs::server: start() after start_without_network()");
    prepare(opts_.threads != 0 ? opts_.threads : usable_cores());

    net::net_options no;
    no.host = opts_.host;
    no.port = opts_.port;
    no.threads = loops_;
    no.max_connections = opts_.max_connections;
    no.max_header_bytes = opts_.max_header_bytes;
    no.max_body_bytes = opts_.max_body_bytes;
    no.max_total_body_bytes = opts_.max_total_body_bytes;
    no.header_timeout = opts_.header_timeout;
    no.keep_alive_timeout = opts_.keep_alive_timeout;
    no.write_high_watermark = opts_.write_high_watermark;
    no.write_hard_limit = opts_.write_hard_limit;
    no.tls = opts_.tls;
    if (opts_.log) no.log = opts_.log;
    no.websocket_deflate = opts_.websocket_deflate;
    net_ = std::make_unique<net::net_server>(
        no, [this](std::shared_ptr<net::exchange> ex, net::http_request& req) { handle(std::move(ex), req); });
    bus_token_ = bus_->subscribe([this](std::string_view topic, std::string_view message) {
        deliver(topic, message);
    });
    try {
        net_->start();
    } catch (...) {
        bus_->unsubscribe(bus_token_);
        net_.reset();
        throw;
    }
    started_ = true;
}

void server_impl::run() {
    if (!opts_.stop_on_signals) {
        start();
        std::unique_lock lock(state_mutex_);
        state_cv_.wait(lock, [this] { return stopped_; });
        return;
    }
    stop_signals signals;  // before start(): no window in which Ctrl-C kills the process
    start();
    for (;;) {
        {
            std::lock_guard lock(state_mutex_);
            if (stopped_) return;
        }
        if (const int sig = signals.wait(std::chrono::milliseconds(100))) {
            if (logging()) log(sig == SIGINT ? "level=info event=draining signal=SIGINT" : "level=info event=draining signal=SIGTERM");
            stop();
        }
    }
}

void server_impl::on_every_loop(const std::function<void(std::size_t)>& fn) {
    std::latch done(static_cast<std::ptrdiff_t>(loops_));
    for (std::size_t i = 0; i < loops_; ++i)
        post_to(net_->loop_at(i), [&fn, &done, i] {
            fn(i);
            done.count_down();
        });
    done.wait();
}

void server_impl::stop() {
    // From an event handler (a loop thread) stop() cannot wait for the loops: hand it to a
    // thread of its own, joined by the destructor.
    if (net_) {
        for (std::size_t i = 0; i < loops_; ++i) {
            if (!net_->loop_at(i).is_current()) continue;
            std::lock_guard lock(state_mutex_);
            if (started_ && !stopped_ && !stopping_.load() && !stopper_.joinable())
                stopper_ = std::thread([this] { stop(); });
            return;
        }
    }
    {
        std::lock_guard lock(state_mutex_);
        if (!started_ || stopped_ || stopping_.exchange(true)) return;
    }
    // From here on no one posts from another thread: wait for a post that saw the server
    // still running (the loops must outlive it).
    { std::unique_lock barrier(posting_); }
    // 1. A close frame to every session, on each session's loop.
    on_every_loop([this](std::size_t i) {
        for (auto& s : services_) {
            auto all = s->live[i].snapshot();
            for (auto& b : all) b->shutdown(opts_.shutdown_code, opts_.shutdown_reason);
        }
    });
    // 2. Let the close frames and the WebSocket close handshakes go out: wait until the
    //    clients have left (WebSocket and streaming connections close after their last
    //    frame) or drain_timeout passes. Idle keep-alive connections hold nothing.
    auto deadline = std::chrono::steady_clock::now() + opts_.drain_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::size_t live = 0;
        for (auto& s : services_) live += s->sessions.load();
        if (live == 0) break;
        // Polling sessions stay until they expire; their clients get the close frame on
        // their next request only if it comes in time. Count only connected ones.
        std::atomic<std::size_t> connected{0};
        on_every_loop([this, &connected](std::size_t i) {
            for (auto& s : services_)
                for (auto& b : s->live[i])
                    if (b->has_connection()) connected.fetch_add(1);
        });
        if (connected.load() == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    bus_->unsubscribe(bus_token_);
    net_->stop();
    // The loops are joined: drop every session (and with them the net objects they hold)
    // before the front end goes away.
    for (auto& s : services_) {
        s->registry.clear();
        for (auto& set : s->live) {
            for (auto& b : set.snapshot()) b->release_at_stop();  // session_count() and find() forget them
            set.clear();
        }
    }
    topics_.clear();
    net_.reset();
    {
        std::lock_guard lock(state_mutex_);
        stopped_ = true;
    }
    state_cv_.notify_all();
}

bool server_impl::post_unless_stopping(net::loop& l, std::function<void()> fn) {
    std::shared_lock lock(posting_);
    if (stopping()) return false;
    post_to(l, std::move(fn));
    return true;
}

std::uint16_t server_impl::port() const { return net_ ? net_->port() : 0; }

void server_impl::publish(std::string_view topic, std::string_view message) {
    if (stopping() || topic.empty() || topic.front() == '@') return;
    bus_->publish(topic, message);
}

namespace {

// A broadcast walks thousands of backends that are each cold in the cache: the user time of a
// delivery was mostly waiting for their memory (15-17 misses of a 512 KiB cache per delivery,
// callgrind's cache simulation; 0.6 instructions per cycle). Asking for a backend's memory a
// few deliveries before it is reached overlaps those waits with the sends in between
// (docs/benchmarks.md, "broadcast"). A session backend with its core is ~500 bytes; lines past
// a smaller backend's end are only a wasted hint.
constexpr std::size_t prefetch_ahead = 4;
constexpr std::size_t prefetch_lines = 8;

void prefetch_backend(const conn_backend* b) {
    const char* p = reinterpret_cast<const char*>(b);
    for (std::size_t line = 0; line < prefetch_lines; ++line) __builtin_prefetch(p + 64 * line);
}

}  // namespace

void server_impl::deliver(std::string_view topic, std::string_view message) {
    if (stopping() || !net_) return;
    if (topic.size() == node_.size() + 1 && topic.front() == '@' && !node_.empty() &&
        topic.substr(1) == node_) {
        deliver_direct(message);
        return;
    }
    if (topic.empty() || topic.front() == '@') return;  // another node's send_to()
    service_impl* svc = nullptr;
    for (auto& s : services_)
        if (s->prefix == topic) svc = s.get();
    // Escaped and framed once here, for every session of every loop.
    auto m = std::make_shared<broadcast_message>();
    m->literal = json_string(message);
    m->raw = message;
    const std::string frame = messages_frame_from_escaped(m->literal);
    unsigned char head[10];
    m->ws_header = net::ws_frame_header(head, net::ws_opcode::text, frame.size());
    m->ws_frame.reserve(m->ws_header + frame.size());
    m->ws_frame.append(reinterpret_cast<const char*>(head), m->ws_header).append(frame);
    std::shared_ptr<const broadcast_message> shared = std::move(m);
    auto name = std::make_shared<const std::string>(topic);
    // Always posted, even to the current loop: no application code (an on_close fired by a
    // queue overflow) may run inside the bus's delivery. A session of the service that also
    // joined the topic of its own prefix gets the message once.
    for (std::size_t i = 0; i < loops_; ++i)
        post_to(net_->loop_at(i), [this, svc, i, shared, name] {
            std::vector<std::shared_ptr<conn_backend>> all;
            if (svc != nullptr) all = svc->live[i].snapshot();
            topics_.collect(i, *name, all, [svc](const conn_backend& b) { return &b.service() == svc; });
            net::send_batch batch(shared->ws_frame);
            for (std::size_t k = 0; k < all.size(); ++k) {
                if (k + prefetch_ahead < all.size()) prefetch_backend(all[k + prefetch_ahead].get());
                all[k]->deliver_broadcast(*shared, batch);
            }
            batch.send_all();
        });
}

void server_impl::deliver_direct(std::string_view envelope) {
    auto newline = envelope.find('\n');
    if (newline == std::string_view::npos) return;
    if (auto c = find(envelope.substr(0, newline))) c->send(envelope.substr(newline + 1));
}

bool server_impl::send_to(std::string_view id, std::string_view message) {
    if (auto c = find(id)) return c->send(message);
    // "<node>-<random>": another node's session when <node> is a well-formed node id (hex)
    // that is not ours; the bus carries it there.
    auto dash = id.find('-');
    if (node_.empty() || stopping() || dash == std::string_view::npos || dash == 0 || dash > 64)
        return false;
    auto node = id.substr(0, dash);
    if (node == node_ || node.find_first_not_of("0123456789abcdef") != std::string_view::npos) return false;
    std::string envelope;
    envelope.reserve(id.size() + 1 + message.size());
    envelope.append(id).append(1, '\n').append(message);
    bus_->publish("@" + std::string(node), envelope);
    return true;
}

std::shared_ptr<connection> server_impl::find(std::string_view id) const {
    std::lock_guard lock(ids_mutex_);
    auto it = ids_.find(id);
    return it == ids_.end() ? nullptr : it->second.lock();
}

void server_impl::register_connection(const std::shared_ptr<connection>& c) {
    std::lock_guard lock(ids_mutex_);
    ids_.insert_or_assign(std::string_view(c->id()), c);
}

void server_impl::unregister_connection(const std::string& id) {
    std::lock_guard lock(ids_mutex_);
    ids_.erase(id);
}

std::string server_impl::new_connection_id() {
    // 96 random bits: unique in practice, and not guessable from one another.
    const std::uint64_t high = entropy_->next();
    const std::uint64_t low = entropy_->next();
    char buf[25];
    std::snprintf(buf, sizeof buf, "%016llx%08x", static_cast<unsigned long long>(high),
                  static_cast<unsigned>(low & 0xffffffffu));
    return node_.empty() ? std::string(buf) : node_ + "-" + buf;
}

server_stats server_impl::stats() const {
    server_stats s;
    for (std::size_t t = 0; t < counted_transports; ++t)  // every transport, with or without services
        if (t == raw_websocket_index || is_receiving(static_cast<transport>(t)))
            s.sessions_by_transport.emplace(std::string(counted_transport_name(t)), 0);
    for (const auto& svc : services_) {
        auto v = svc->counters.snapshot(close_labels_);
        for (const auto& [t, n] : v.sessions_by_transport) s.sessions_by_transport[t] += n;
        s.sessions_opened_total += v.sessions_opened_total;
        s.sessions_closed_total += v.sessions_closed_total;
        s.sessions_refused_total += v.sessions_refused_total;
        s.messages_received_total += v.messages_received_total;
        s.messages_sent_total += v.messages_sent_total;
        s.bytes_received_total += v.bytes_received_total;
        s.bytes_sent_total += v.bytes_sent_total;
        s.services.emplace(svc->prefix, std::move(v));
    }
    s.connections = net_ ? net_->connection_count() : 0;
    s.connections_refused_total = net_ ? net_->refused_count() : 0;
    return s;
}

std::string server_impl::metrics_text() const {
    return prometheus_text(stats()) + process_metrics_text() + app_metrics_.text();
}

}  // namespace sockjs::detail
