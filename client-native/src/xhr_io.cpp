// The xhr transports: a receiver that POSTs `<prefix>/<server>/<session>/xhr_streaming` (or
// `/xhr` for polling), reporting each response's status, body bytes and end, and starting the
// next one when the session asks; and a sender that POSTs payloads to `/xhr_send`.

#include "abort_token.hpp"
#include "http_call.hpp"
#include "io_failure.hpp"
#include "send_worker.hpp"
#include "transport_io.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace sockjs::client::detail {
namespace {

using Poco::Net::HTTPRequest;

class xhr_io final : public transport_io {
public:
    xhr_io(transport_context ctx)
        : ctx_(std::move(ctx)),
          sender_(ctx_, [this](const std::string& p, abort_token& t) { return send_now(p, t); }),
          receiver_([this] { run(); }) {}
    ~xhr_io() override { stop(); }

    void send(std::string payload) override { sender_.send(std::move(payload)); }

    void reopen_receiver() override {
        {
            std::lock_guard lk(m_);
            reopen_ = true;
        }
        cv_.notify_one();
    }

    void stop() override {
        token_.abort();
        {
            std::lock_guard lk(m_);
            stopping_ = true;
        }
        cv_.notify_one();
        sender_.stop();
        if (receiver_.joinable()) receiver_.join();
    }

private:
    int send_now(const std::string& payload, abort_token& token) {
        http_call call(ctx_.ep, ctx_.opts, token, HTTPRequest::HTTP_POST, ctx_.send_path, payload,
                       ctx_.opts.send_timeout);
        call.read_all(64 * 1024);
        return call.status();
    }

    void run() {
        const auto failure = io_failure([&] {
            do receive_once();
            while (wait_for_reopen());
        });
        if (failure && !token_.aborted()) ctx_.post(io_event::transport_closed, {}, 0, *failure);
    }

    // One receiving request: its status, its body as it arrives, its end, whatever the status
    // (the session decides what it means, and stops this transport if it fails it).
    void receive_once() {
        http_call call(ctx_.ep, ctx_.opts, token_, HTTPRequest::HTTP_POST, ctx_.receive_path, {},
                       ctx_.opts.receive_timeout);
        ctx_.post(io_event::receiver_response, {}, call.status());
        std::string bytes;
        while (call.read_some(bytes)) {
            ctx_.post(io_event::receiver_data, std::move(bytes));
            bytes.clear();
        }
        ctx_.post(io_event::receiver_end);
    }

    // Until the session asks for the next request (true) or the transport stops (false).
    bool wait_for_reopen() {
        std::unique_lock lk(m_);
        cv_.wait(lk, [&] { return reopen_ || stopping_; });
        reopen_ = false;
        return !stopping_;
    }

    transport_context ctx_;
    abort_token token_;
    std::mutex m_;
    std::condition_variable cv_;
    bool reopen_ = false;
    bool stopping_ = false;
    send_worker sender_;
    std::thread receiver_;
};

}  // namespace

std::unique_ptr<transport_io> start_xhr(transport_context ctx) {
    return std::make_unique<xhr_io>(std::move(ctx));
}

}  // namespace sockjs::client::detail
