// The xhr transports: a receiver that POSTs `<prefix>/<server>/<session>/xhr_streaming` (or
// `/xhr` for polling) again and again, splitting each response body into frames with the
// core's stream_unwrapper, and a sender that POSTs payloads to `/xhr_send`.

#include "abort_token.hpp"
#include "http_call.hpp"
#include "send_worker.hpp"
#include "transport_io.hpp"

#include <sockjs/wrap.hpp>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/NetException.h>

#include <thread>

namespace sockjs::client::detail {
namespace {

using Poco::Net::HTTPRequest;

class xhr_io final : public transport_io {
public:
    xhr_io(transport_context ctx, bool streaming)
        : ctx_(std::move(ctx)),
          receive_(streaming ? transport::xhr_streaming : transport::xhr),
          sender_(ctx_, [this](const std::string& p, abort_token& t) { send_now(p, t); }),
          receiver_([this] { run(); }) {}
    ~xhr_io() override { stop(); }

    void send(std::string payload) override { sender_.send(std::move(payload)); }

    void stop() override {
        token_.abort();
        sender_.stop();
        if (receiver_.joinable()) receiver_.join();
    }

private:
    void send_now(const std::string& payload, abort_token& token) {
        http_call call(ctx_.ep, ctx_.opts, token, HTTPRequest::HTTP_POST, ctx_.path(transport::xhr_send),
                       payload, ctx_.opts.send_timeout);
        // 204 from sockjs-node, 200 from some servers; anything else (404: no such session)
        // means the message was not taken.
        if (call.status() < 200 || call.status() >= 300)
            throw Poco::Net::NetException("xhr_send answered HTTP " + std::to_string(call.status()));
        call.read_all(64 * 1024);
    }

    void run() {
        std::string error;
        try {
            for (;;) receive_once();
        } catch (const aborted&) {
            return;
        } catch (const Poco::Exception& e) {
            error = e.displayText();
        } catch (const std::exception& e) {
            error = e.what();
        }
        if (!token_.aborted()) ctx_.post(io_event::transport_closed, {}, false, std::move(error));
    }

    // One receiving request. Returns when its body ended normally (the caller reopens:
    // polling after each frame, streaming after response_limit), throws otherwise.
    void receive_once() {
        http_call call(ctx_.ep, ctx_.opts, token_, HTTPRequest::HTTP_POST, ctx_.path(receive_), {},
                       ctx_.opts.receive_timeout);
        if (call.status() != 200)
            throw Poco::Net::NetException(std::string(name(receive_)) + " answered HTTP " +
                                          std::to_string(call.status()));
        stream_unwrapper unwrapper(receive_);
        std::string bytes;
        std::string frame;
        std::size_t pending = 0;  // bytes fed since the last complete frame
        std::size_t frames = 0;
        while (call.read_some(bytes)) {
            pending += bytes.size();
            unwrapper.feed(bytes);
            bytes.clear();
            while (unwrapper.next(frame)) {
                if (frame.size() > ctx_.opts.max_frame_size)
                    throw Poco::Net::NetException("frame larger than max_frame_size");
                ++frames;
                pending = 0;
                ctx_.post(io_event::frame, std::move(frame));
                frame.clear();
            }
            // Without this, a server that never sends a newline would make the buffer grow
            // without bound.
            if (pending > ctx_.opts.max_frame_size)
                throw Poco::Net::NetException("frame larger than max_frame_size");
        }
        // A live SockJS server always sends something (the prelude, a frame or `h`) before it
        // ends a response; reopening after empty ones would spin against a broken server.
        if (frames == 0) throw Poco::Net::NetException(std::string(name(receive_)) + " response without a frame");
    }

    transport_context ctx_;
    transport receive_;
    abort_token token_;
    send_worker sender_;
    std::thread receiver_;
};

}  // namespace

std::unique_ptr<transport_io> start_xhr(transport_context ctx, bool streaming) {
    return std::make_unique<xhr_io>(std::move(ctx), streaming);
}

}  // namespace sockjs::client::detail
