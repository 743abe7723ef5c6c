#pragma once
// The ws_channel implementations: RFC 6455 (websocket.cpp) and hixie-76 (hixie76_channel.cpp)
// over a connection, and what they share (the listener, closed once; buffered(), owner()).

#include "net/tcp_connection.hpp"
#include "net/hixie76.hpp"
#include "net/net.hpp"
#include "net/websocket_deflate.hpp"
#include "net/websocket_frame.hpp"

#include <functional>
#include <memory>
#include <string>

namespace sockjs::net {

class ws_channel_base : public ws_channel,
                        public stream_handler,
                        public std::enable_shared_from_this<ws_channel_base> {
public:
    explicit ws_channel_base(const std::shared_ptr<tcp_connection>& c);

    std::size_t buffered() const override;
    void listen(std::weak_ptr<ws_listener> listener) override;
    loop& owner() override;
    void prefetch_with(const void* object) noexcept override { prefetch_hint_ = object; }
    void on_drained() override;

protected:
    /// The connection if it can still take output.
    std::shared_ptr<tcp_connection> live() const;
    /// live() without taking a reference, for the per-message paths (a reference is two
    /// locked instructions, and a send took three). Valid until the loop's iteration ends:
    /// a connection that closes meanwhile stays in the loop's retired list until then
    /// (event_loop::forget), so it cannot be freed under the caller.
    tcp_connection* live_here() const {
        return !conn_.expired() && raw_conn_->writable() ? raw_conn_ : nullptr;
    }
    void deliver(std::string&& msg);
    /// Tells the listener once that the channel closed, and forgets it.
    void fire_close(int code, std::string_view reason);
    void append_to(tcp_connection& c, std::string_view bytes);

    std::weak_ptr<tcp_connection> conn_;
    tcp_connection* raw_conn_;  // conn_'s object, used only while conn_ has not expired
    event_loop& loop_;

private:
    bool close_fired_ = false;
    std::weak_ptr<ws_listener> listener_;
};

class rfc6455_channel final : public ws_channel_base, private ws_frame_sink {
public:
    rfc6455_channel(const std::shared_ptr<tcp_connection>& c, std::size_t max_message);
    /// permessage-deflate was agreed with `p`: false if zlib could not set it up.
    bool use_deflate(const ws_deflate_params& p, std::size_t min_compress_size);

    bool send_text(std::string_view utf8) override;
    bool send_valid_text(std::string_view utf8) override;
    bool send_text_framed(std::string_view utf8, std::string_view frame, send_batch* batch = nullptr) override;
    std::string* begin_text(std::size_t size) override;
    bool end_text() override;
    void close(int code, std::string_view reason) override;
    void on_bytes(std::string_view bytes) override;
    void on_transport_closed() override;
    void on_deadline() override;

private:
    bool on_ws_message(std::string&& msg, bool binary) override;
    bool on_ws_ping(std::string_view payload) override;
    bool on_ws_pong(std::string_view payload) override;
    bool on_ws_close(int code, std::string_view reason) override;
    void send_frame(tcp_connection& c, ws_opcode op, std::string_view payload, bool compressed = false);
    void fail(int code);

    enum class state { open, closing, closed };
    state state_ = state::open;
    std::unique_ptr<ws_deflate> deflate_;
    std::size_t min_compress_size_ = 0;
    ws_frame_parser parser_;
};

class hixie76_channel final : public ws_channel_base, private hixie76_sink {
public:
    hixie76_channel(const std::shared_ptr<tcp_connection>& c, std::string key1, std::string key2,
                    std::size_t max_message);

    bool send_text(std::string_view utf8) override;
    void close(int code, std::string_view reason) override;
    void on_bytes(std::string_view bytes) override;
    void on_transport_closed() override;
    void on_deadline() override;

private:
    bool on_hixie_message(std::string&& msg) override;
    bool on_hixie_close() override;
    void fail(int code);

    enum class state { awaiting_key, open, closed };
    state state_ = state::awaiting_key;
    std::string key1_, key2_, key3_;
    std::string pending_;  // frames sent before the challenge answer went out
    hixie76_parser parser_;
};

}  // namespace sockjs::net
