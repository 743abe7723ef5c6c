#include "server_impl.hpp"

#include "session_slot.hpp"
#include "usable_cores.hpp"

#include <sockjs/json_escape.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <latch>
#include <random>
#include <stdexcept>
#include <thread>

namespace sockjs::detail {

server_impl::server_impl(server_options opts) : opts_(std::move(opts)) {
    bus_ = opts_.bus ? opts_.bus : std::make_shared<in_process_broadcaster>();
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
    services_.push_back(std::make_unique<service_impl>(*this, std::move(prefix), std::move(opts), std::move(make)));
    return *services_.back();
}

void server_impl::start() {
    std::lock_guard lock(state_mutex_);
    if (started_) return;
    loops_ = opts_.threads != 0 ? opts_.threads : usable_cores();
    // Longest prefix first, so that "/a/b" wins over "/a".
    std::stable_sort(services_.begin(), services_.end(),
                     [](const auto& a, const auto& b) { return a->prefix.size() > b->prefix.size(); });
    for (auto& s : services_) s->live.resize(loops_);

    net::net_options no;
    no.host = opts_.host;
    no.port = opts_.port;
    no.threads = loops_;
    no.max_connections = opts_.max_connections;
    no.max_header_bytes = opts_.max_header_bytes;
    no.max_body_bytes = opts_.max_body_bytes;
    no.header_timeout = opts_.header_timeout;
    no.keep_alive_timeout = opts_.keep_alive_timeout;
    no.write_high_watermark = opts_.write_high_watermark;
    no.write_hard_limit = opts_.write_hard_limit;
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
    start();
    std::unique_lock lock(state_mutex_);
    state_cv_.wait(lock, [this] { return stopped_; });
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
    if (tl_current_loop != nullptr && net_) {
        for (std::size_t i = 0; i < loops_; ++i) {
            if (&net_->loop_at(i) != tl_current_loop) continue;
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
    // 1. A close frame to every session, on each session's loop.
    on_every_loop([this](std::size_t i) {
        for (auto& s : services_) {
            std::vector<std::shared_ptr<conn_backend>> all(s->live[i].begin(), s->live[i].end());
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
        for (auto& set : s->live) set.clear();
    }
    net_.reset();
    {
        std::lock_guard lock(state_mutex_);
        stopped_ = true;
    }
    state_cv_.notify_all();
}

std::uint16_t server_impl::port() const { return net_ ? net_->port() : 0; }

void server_impl::publish(std::string_view topic, std::string_view message) {
    if (stopping()) return;
    bus_->publish(topic, message);
}

void server_impl::deliver(std::string_view topic, std::string_view message) {
    if (stopping() || !net_) return;
    service_impl* svc = nullptr;
    for (auto& s : services_)
        if (s->prefix == topic) svc = s.get();
    if (svc == nullptr) return;
    // Escaped once here, for every session of every loop.
    auto literal = std::make_shared<const std::string>(json_string(message));
    auto raw = std::make_shared<const std::string>(message);
    // Always posted, even to the current loop: no application code (an on_close fired by a
    // queue overflow) may run inside the bus's delivery.
    for (std::size_t i = 0; i < loops_; ++i)
        post_to(net_->loop_at(i), [svc, i, literal, raw] {
            std::vector<std::shared_ptr<conn_backend>> all(svc->live[i].begin(), svc->live[i].end());
            for (auto& b : all) b->deliver_broadcast(literal, raw);
        });
}

std::shared_ptr<connection> server_impl::find(std::string_view id) const {
    std::lock_guard lock(ids_mutex_);
    auto it = ids_.find(std::string(id));
    return it == ids_.end() ? nullptr : it->second.lock();
}

void server_impl::register_connection(const std::shared_ptr<connection>& c) {
    std::lock_guard lock(ids_mutex_);
    ids_[c->id()] = c;
}

void server_impl::unregister_connection(const std::string& id) {
    std::lock_guard lock(ids_mutex_);
    ids_.erase(id);
}

std::string server_impl::new_connection_id() {
    // 96 random bits: unique in practice, and not guessable from one another.
    thread_local std::mt19937_64 rng{[] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }()};
    char buf[25];
    std::snprintf(buf, sizeof buf, "%016llx%08x", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned>(rng() & 0xffffffffu));
    return buf;
}

server_stats server_impl::stats() const {
    auto s = counters_.snapshot();
    s.connections = net_ ? net_->connection_count() : 0;
    return s;
}

}  // namespace sockjs::detail
