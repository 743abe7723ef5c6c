// The websocket transport: `GET <prefix>/<server>/<session>/websocket` upgraded with POCO's
// client WebSocket; every text message is one bare frame for the session.

#include "abort_token.hpp"
#include "http_call.hpp"
#include "io_failure.hpp"
#include "send_worker.hpp"
#include "transport_io.hpp"

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>

#include <memory>
#include <mutex>
#include <thread>

namespace sockjs::client::detail {
namespace {

using Poco::Net::WebSocket;

class websocket_io final : public transport_io {
public:
    explicit websocket_io(transport_context ctx)
        : ctx_(std::move(ctx)),
          sender_(ctx_, [this](const std::string& p, abort_token&) { return send_now(p); }),
          receiver_([this] { run(); }) {}
    ~websocket_io() override { stop(); }

    void send(std::string payload) override { sender_.send(std::move(payload)); }

    void stop() override {
        if (stopped_) return;
        stopped_ = true;
        if (auto ws = socket()) {
            // A polite close frame, as the browser's ws.close() sends; skipped when a send is
            // stuck on a full socket (waiting for it could take the whole send timeout). The
            // peer's answer is not awaited.
            std::unique_lock lk(send_m_, std::try_to_lock);
            if (lk.owns_lock()) {
                try {
                    ws->shutdown(WebSocket::WS_NORMAL_CLOSE);
                } catch (const Poco::Exception&) {
                }
            }
        }
        token_.abort();
        sender_.stop();
        if (receiver_.joinable()) receiver_.join();
    }

private:
    std::shared_ptr<WebSocket> socket() {
        std::lock_guard lk(ws_m_);
        return ws_;
    }

    int send_now(const std::string& payload) {
        try {
            auto ws = socket();
            if (!ws) throw Poco::Net::NetException("WebSocket not connected");
            std::lock_guard lk(send_m_);
            ws->sendFrame(payload.data(), static_cast<int>(payload.size()), WebSocket::FRAME_TEXT);
            return 200;
        } catch (const Poco::Exception& e) {
            // A WebSocket that cannot be written to is gone; the session decides what that means.
            if (!token_.aborted()) ctx_.post(io_event::transport_closed, {}, 0, "WebSocket send: " + e.displayText());
            throw;
        }
    }

    void run() {
        const auto failure = io_failure([&] { receive_loop(); });
        if (failure && !token_.aborted()) ctx_.post(io_event::transport_closed, {}, 0, *failure);
    }

    void receive_loop() {
        Poco::Net::HTTPClientSession session(
            connect_socket(ctx_.ep, ctx_.opts, token_, ctx_.opts.receive_timeout));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, ctx_.receive_path,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setHost(ctx_.ep.host, ctx_.ep.port);
        Poco::Net::HTTPResponse response;
        auto ws = std::make_shared<WebSocket>(session, request, response);
        // One frame's allocation stays bounded (the session bounds whole messages with the
        // same limit, so a larger one fails the transport either way).
        ws->setMaxPayloadSize(static_cast<int>(std::min<std::size_t>(ctx_.opts.max_frame_size, 0x7fffffff)));
        if (!token_.attach(*ws)) throw aborted();
        {
            std::lock_guard lk(ws_m_);
            ws_ = ws;
        }

        Poco::Buffer<char> buf(0);
        std::string message;  // a text message being reassembled from fragments
        bool in_message = false;
        for (;;) {
            buf.resize(0);
            int flags = 0;
            const int n = ws->receiveFrame(buf, flags);
            if (token_.aborted()) throw aborted();
            const int opcode = flags & WebSocket::FRAME_OP_BITMASK;
            if (n == 0 && flags == 0) {
                ctx_.post(io_event::transport_closed, {}, 0, "WebSocket connection closed");
                return;
            }
            switch (opcode) {
            case WebSocket::FRAME_OP_CLOSE:
                post_close_frame(buf);
                return;
            case WebSocket::FRAME_OP_PING: {
                std::lock_guard lk(send_m_);
                ws->sendFrame(buf.begin(), static_cast<int>(buf.size()),
                              static_cast<int>(WebSocket::FRAME_FLAG_FIN) | static_cast<int>(WebSocket::FRAME_OP_PONG));
                continue;
            }
            case WebSocket::FRAME_OP_PONG:
                continue;
            case WebSocket::FRAME_OP_TEXT:
            case WebSocket::FRAME_OP_BINARY:
                if (in_message) throw Poco::Net::WebSocketException("new message inside a fragmented one");
                message.assign(buf.begin(), buf.size());
                in_message = true;
                break;
            case WebSocket::FRAME_OP_CONT:
                if (!in_message) throw Poco::Net::WebSocketException("continuation without a message");
                message.append(buf.begin(), buf.size());
                break;
            default:
                throw Poco::Net::WebSocketException("unknown opcode");
            }
            // Reassembly stops at the session's own limit (max_frame_bytes is this option):
            // handing it more would only fail the transport later, after the allocation.
            if (message.size() > ctx_.opts.max_frame_size)
                throw Poco::Net::WebSocketException("message larger than max_frame_size");
            if ((flags & WebSocket::FRAME_FLAG_FIN) == 0) continue;
            in_message = false;
            // SockJS frames are text; a binary message is handed over too and the session
            // rejects it as a bad frame if it is not one.
            ctx_.post(io_event::receiver_data, std::move(message));
            message.clear();
        }
    }

    // The server closed the WebSocket: its code (if any) goes to the session, which decides
    // what it means for the SockJS session.
    void post_close_frame(const Poco::Buffer<char>& buf) {
        io_event e;
        e.kind = io_event::transport_closed;
        e.generation = ctx_.generation;
        e.error = "WebSocket closed by the server";
        if (buf.size() >= 2) {
            e.code = (static_cast<unsigned char>(buf[0]) << 8) | static_cast<unsigned char>(buf[1]);
            e.reason.assign(buf.begin() + 2, buf.size() - 2);
            e.error += ": " + std::to_string(*e.code) + " " + e.reason;
        }
        ctx_.sink->post(std::move(e));
    }

    transport_context ctx_;
    abort_token token_;
    std::mutex ws_m_;
    std::shared_ptr<WebSocket> ws_;
    std::mutex send_m_;
    bool stopped_ = false;
    send_worker sender_;
    std::thread receiver_;
};

}  // namespace

std::unique_ptr<transport_io> start_websocket(transport_context ctx) {
    return std::make_unique<websocket_io>(std::move(ctx));
}

}  // namespace sockjs::client::detail
