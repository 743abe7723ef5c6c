// RFC 6455 WebSockets on a connection, and accept_websocket() (which also routes hixie-76
// handshakes to hixie76_channel).
//
// Poco::Net::WebSocket is not used: it is a blocking socket that reads whole frames itself, so
// it cannot be fed bytes from an event loop; the framing is in websocket_frame.cpp instead,
// and only the handshake's SHA-1/Base64 (and hixie-76's MD5) come from POCO.

#include "net/http_exchange.hpp"
#include "net/response_writer.hpp"
#include "net/send_batch.hpp"
#include "net/websocket_channel.hpp"
#include "net/websocket_handshake.hpp"

#include <sockjs/utf8.hpp>

#include <Poco/String.h>

#include <optional>

namespace sockjs::net {

namespace {

// How long we wait for the peer's close frame after sending ours.
constexpr auto close_handshake_timeout = std::chrono::seconds(2);

}  // namespace

rfc6455_channel::rfc6455_channel(const std::shared_ptr<tcp_connection>& c, std::size_t max_message)
    : ws_channel_base(c), parser_(max_message, ws_binary::refuse) {}

bool rfc6455_channel::use_deflate(const ws_deflate_params& p, std::size_t min_compress_size) {
    deflate_ = std::make_unique<ws_deflate>(p);
    if (!deflate_->ok()) {
        deflate_.reset();
        return false;
    }
    min_compress_size_ = min_compress_size;
    parser_.use_deflate(deflate_.get());
    return true;
}

void rfc6455_channel::send_frame(tcp_connection& c, ws_opcode op, std::string_view payload, bool compressed) {
    unsigned char hdr[10];
    const std::size_t n = ws_frame_header(hdr, op, payload.size(), compressed);
    std::string& out = c.out();
    out.append(reinterpret_cast<const char*>(hdr), n);
    out.append(payload);
    c.wrote();
}

bool rfc6455_channel::send_text(std::string_view utf8) {
    // A text frame must be well-formed UTF-8 or the peer fails the connection (1007); a lone
    // surrogate kept as WTF-8 inside the SDK goes out as U+FFFD.
    if (!utf8_valid(utf8)) return send_valid_text(utf8_replace_invalid(utf8));
    return send_valid_text(utf8);
}

bool rfc6455_channel::send_valid_text(std::string_view utf8) {
    if (state_ != state::open) return false;
    auto* c = live_here();
    if (!c) return false;
    if (deflate_ && utf8.size() >= min_compress_size_) send_frame(*c, ws_opcode::text, deflate_->deflate(utf8), true);
    else send_frame(*c, ws_opcode::text, utf8);
    return c->writable();
}

std::string* rfc6455_channel::begin_text(std::size_t size) {
    if (state_ != state::open || (deflate_ && size >= min_compress_size_)) return nullptr;
    auto* c = live_here();
    if (!c) return nullptr;
    unsigned char hdr[10];
    const std::size_t n = ws_frame_header(hdr, ws_opcode::text, size);
    std::string& out = c->out();
    out.append(reinterpret_cast<const char*>(hdr), n);
    return &out;
}

bool rfc6455_channel::end_text() {
    // begin_text() found the connection live, and only the caller's appending ran since.
    raw_conn_->wrote();
    return raw_conn_->writable();
}

bool rfc6455_channel::send_text_framed(std::string_view, std::string_view frame, send_batch* batch) {
    if (state_ != state::open) return false;
    auto* c = live_here();
    if (!c) return false;
    if (batch && c->batchable()) {
        batch->add(*c);
        return true;
    }
    c->send_now(frame);
    return c->writable();
}

void rfc6455_channel::close(int code, std::string_view reason) {
    if (state_ != state::open) return;
    state_ = state::closing;
    auto c = live();
    if (!c) return;
    send_frame(*c, ws_opcode::close, ws_close_payload(code, reason));
    c->set_handler_deadline(loop_.now() + close_handshake_timeout);
}

void rfc6455_channel::on_bytes(std::string_view bytes) {
    if (state_ == state::closed) return;
    if (const int code = parser_.feed(bytes, *this)) fail(code);
}

void rfc6455_channel::fail(int code) {
    auto c = live();
    if (state_ == state::open && c) send_frame(*c, ws_opcode::close, ws_close_payload(code, {}));
    state_ = state::closed;
    fire_close(code, {});
    if (c) c->close_graceful();
}

bool rfc6455_channel::on_ws_message(std::string&& msg, bool /*binary*/) {
    if (state_ == state::open) deliver(std::move(msg));
    return state_ != state::closed;
}

bool rfc6455_channel::on_ws_ping(std::string_view payload) {
    if (state_ == state::open) {
        if (auto c = live()) send_frame(*c, ws_opcode::pong, payload);
    }
    return state_ != state::closed;
}

bool rfc6455_channel::on_ws_pong(std::string_view) {
    return state_ != state::closed;
}

bool rfc6455_channel::on_ws_close(int code, std::string_view reason) {
    auto c = live();
    // Echo the peer's close (its code, no reason) unless we already sent ours; then the
    // server closes the TCP connection first, as RFC 6455 section 7.1.1 asks.
    if (state_ == state::open && c) send_frame(*c, ws_opcode::close, ws_close_payload(code, {}));
    state_ = state::closed;
    fire_close(code, reason);
    if (c) c->close_graceful();
    return false;
}

void rfc6455_channel::on_transport_closed() {
    state_ = state::closed;
    fire_close(ws_close_abnormal, {});
}

void rfc6455_channel::on_deadline() {
    // Our close frame got no answer in time.
    state_ = state::closed;
    fire_close(ws_close_abnormal, {});
    if (auto c = conn_.lock()) c->close_now();
}

namespace {

void refuse(exchange& ex, std::string_view why, header_list extra = {}) {
    extra.emplace_back("Content-Type", "text/plain; charset=UTF-8");
    ex.respond(400, extra, why);
}

}  // namespace

std::shared_ptr<ws_channel> accept_websocket(std::shared_ptr<exchange> ex, const http_request& req,
                                             std::size_t max_message) {
    auto impl = std::dynamic_pointer_cast<exchange_impl>(ex);
    if (!impl) return nullptr;
    auto c = impl->connection_for_upgrade();
    if (!c) return nullptr;
    const auto& h = req.headers;

    if (h.has("Sec-WebSocket-Key")) {
        const std::string key = Poco::trim(h.get("Sec-WebSocket-Key"));
        if (!websocket_key_valid(key)) {
            refuse(*ex, "Invalid Sec-WebSocket-Key header\n");
            return nullptr;
        }
        const std::string version = Poco::trim(h.get("Sec-WebSocket-Version", ""));
        // 13 is RFC 6455; 7 and 8 are the hybi drafts with the same framing.
        if (version != "13" && version != "8" && version != "7") {
            refuse(*ex, "Unsupported WebSocket version\n", {{"Sec-WebSocket-Version", "13"}});
            return nullptr;
        }
        auto channel = std::make_shared<rfc6455_channel>(c, max_message);
        const auto& deflate_options = c->owner().options().websocket_deflate;
        std::optional<ws_deflate_params> deflate;
        if (h.has("Sec-WebSocket-Extensions"))
            deflate = ws_deflate_negotiate(h.get("Sec-WebSocket-Extensions"), deflate_options);
        if (deflate && !channel->use_deflate(*deflate, deflate_options.min_compress_size)) deflate.reset();
        std::string& out = c->out();
        append_status_line(out, 101);
        append_header(out, "Upgrade", "websocket");
        append_header(out, "Connection", "Upgrade");
        append_header(out, "Sec-WebSocket-Accept", websocket_accept_key(key));
        if (deflate) append_header(out, "Sec-WebSocket-Extensions", deflate->response_header());
        out.append("\r\n");
        c->wrote();
        impl->mark_upgraded();
        c->upgrade(channel);
        return channel;
    }

    if (h.has("Sec-WebSocket-Key1") && h.has("Sec-WebSocket-Key2")) {
        const std::string& key1 = h.get("Sec-WebSocket-Key1");
        const std::string& key2 = h.get("Sec-WebSocket-Key2");
        if (!hixie76_key_number(key1) || !hixie76_key_number(key2)) {
            refuse(*ex, "Invalid Sec-WebSocket-Key1/Key2 header\n");
            return nullptr;
        }
        // The head goes out now, before the 8 key bytes arrive: proxies such as HAProxy only
        // forward those after they have seen the 101.
        const auto location = hixie76_location(h.get("Host", ""), req.path, req.query);
        if (!location) {
            refuse(*ex, "Invalid Host header\n");
            return nullptr;
        }
        std::string& out = c->out();
        out.append("HTTP/1.1 101 WebSocket Protocol Handshake\r\n");
        append_header(out, "Upgrade", "WebSocket");
        append_header(out, "Connection", "Upgrade");
        append_header(out, "Sec-WebSocket-Origin", h.get("Origin", "null"));
        append_header(out, "Sec-WebSocket-Location", *location);
        out.append("\r\n");
        c->wrote();
        auto channel = std::make_shared<hixie76_channel>(c, key1, key2, max_message);
        impl->mark_upgraded();
        c->upgrade(channel);
        c->set_handler_deadline(c->owner().now() + c->owner().options().header_timeout);
        return channel;
    }

    refuse(*ex, "Missing Sec-WebSocket-Key header\n");
    return nullptr;
}

}  // namespace sockjs::net
