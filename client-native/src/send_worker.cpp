#include "send_worker.hpp"

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
        std::string error;
        int status = 0;
        try {
            status = fn_(payload, token_);
        } catch (const aborted&) {
            return;
        } catch (const Poco::Exception& e) {
            error = e.displayText();
        } catch (const std::exception& e) {
            error = e.what();
        }
        if (token_.aborted()) return;
        ctx_.post(io_event::send_done, {}, status, std::move(error));
    }
}

}  // namespace sockjs::client::detail
