#include "send_worker.hpp"

#include "io_failure.hpp"

#include <Poco/Exception.h>

namespace sockjs::client::detail {

send_worker::send_worker(const transport_context& ctx, send_fn fn)
    : ctx_(ctx), fn_(std::move(fn)), thread_([this] { run(); }) {}

send_worker::~send_worker() {
    stop();
}

void send_worker::send(std::string payload) {
    {
        std::lock_guard lk(m_);
        pending_ = std::move(payload);
    }
    cv_.notify_one();
}

void send_worker::stop() {
    {
        std::lock_guard lk(m_);
        stopping_ = true;
    }
    cv_.notify_one();
    token_.abort();
    if (thread_.joinable()) thread_.join();
}

void send_worker::run() {
    for (;;) {
        std::string payload;
        {
            std::unique_lock lk(m_);
            cv_.wait(lk, [&] { return stopping_ || pending_.has_value(); });
            if (stopping_) return;
            payload = std::move(*pending_);
            pending_.reset();
        }
        int status = 0;
        const auto failure = io_failure([&] { status = fn_(payload, token_); });
        if (token_.aborted()) return;
        ctx_.post(io_event::send_done, {}, status, failure.value_or(""));
    }
}

}  // namespace sockjs::client::detail
