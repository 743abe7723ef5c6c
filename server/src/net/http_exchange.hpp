#pragma once
// The exchange handed to the http_handler: formats the response into its connection's output
// buffer and tells the connection when the response is complete. Holds the connection weakly:
// a call after the connection died does nothing (write() returns false).

#include "net/net.hpp"

#include <cstdint>
#include <memory>

namespace sockjs::net {

class tcp_connection;
class event_loop;

class exchange_impl final : public exchange {
public:
    exchange_impl(const std::shared_ptr<tcp_connection>& c, std::uint64_t id, const http_request& req);
    /// Dropped without a response: the connection answers 500 (or cuts the stream).
    ~exchange_impl() override;

    void respond(int status, const header_list& headers, std::string_view body) override;
    void begin_stream(int status, const header_list& headers) override;
    bool write(std::string_view bytes) override;
    void end_stream() override;
    std::size_t buffered() const override;
    void listen(std::weak_ptr<exchange_listener> listener) override;
    loop& owner() override;

    // For the connection and accept_websocket.
    void fire_abort();
    void fire_drain();
    bool fresh() const { return state_ == state::fresh; }
    /// The live connection while nothing has been answered yet, else null.
    std::shared_ptr<tcp_connection> connection_for_upgrade() const;
    /// The response was a 101 written by accept_websocket: the exchange is over.
    void mark_upgraded();

private:
    enum class state { fresh, streaming, done };
    void finish(bool keep_alive);

    std::weak_ptr<tcp_connection> conn_;
    event_loop& loop_;
    std::uint64_t id_;
    bool http10_;
    bool head_;
    bool keep_alive_;
    bool stream_closes_ = false;
    state state_ = state::fresh;
    std::weak_ptr<exchange_listener> listener_;
};

}  // namespace sockjs::net
