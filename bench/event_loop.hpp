#pragma once
// The load generator's I/O: one epoll loop on one thread driving every TCP connection to the
// server under test. Plain epoll rather than POCO's PollSet/SocketReactor: the generator must
// spend less CPU per message than the server it measures, so it reads into one shared buffer,
// writes straight from the caller's bytes and allocates nothing per event. With use_tls(),
// every connection speaks TLS (OpenSSL on the same non-blocking socket, the server's
// certificate verified against a CA file, as the native client does with --ca-file).

#include <netinet/in.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

struct ssl_ctx_st;
struct ssl_st;

namespace bench {

using clock = std::chrono::steady_clock;

class event_loop;

/// One non-blocking TCP connection. Subclasses speak a protocol over it.
/// connect() only queues the connection: the loop opens it between event batches, at most
/// `max_connecting` at a time (so a burst of thousands does not overflow the listen backlog
/// and stall on SYN retransmits), and never while it dispatches events, so a stale event for
/// a socket closed in the same batch can never reach its successor.
class tcp_connection {
public:
    explicit tcp_connection(event_loop& loop) noexcept : loop_(&loop) {}
    virtual ~tcp_connection();
    tcp_connection(const tcp_connection&) = delete;
    tcp_connection& operator=(const tcp_connection&) = delete;

    /// Queues a connect to the loop's server address (on `port` if set_port() gave one).
    void connect();
    void set_port(std::uint16_t port) noexcept { port_ = port; }
    /// Sends `bytes` now if the socket takes them, buffers the rest. Ignored when not open.
    void write(std::string_view bytes);
    /// Closes the socket at once, or cancels a queued connect (no callback). Safe to call at
    /// any time, also twice.
    void close() noexcept;
    bool is_open() const noexcept { return fd_ >= 0 && connected_; }
    bool is_idle() const noexcept { return fd_ < 0 && !queued_; }
    event_loop& loop() const noexcept { return *loop_; }

protected:
    virtual void on_connected() = 0;
    /// Bytes read from the socket (a view into the loop's buffer, valid during the call).
    virtual void on_bytes(std::string_view bytes) = 0;
    /// The peer closed, or the socket failed (`why` says which). The socket is closed already.
    virtual void on_closed(std::string_view why) = 0;

private:
    friend class event_loop;
    void open_now();
    void handle(std::uint32_t events);
    void fail(std::string_view why);
    void flush();
    void want_write(bool on);
    void connected();
    bool start_tls();
    void handshake();
    /// send()/recv() or their TLS counterparts: bytes moved, 0 when the socket would block,
    /// -1 on an error (then `why` says what) or, for receive, the peer's close ("" in why).
    long send_some(const char* data, std::size_t n, std::string& why);
    long recv_some(char* data, std::size_t n, std::string& why);

    event_loop* loop_;
    int fd_ = -1;
    bool connected_ = false;
    bool queued_ = false;
    bool writing_ = false;  ///< EPOLLOUT is registered
    std::string out_;       ///< bytes the socket did not take yet
    std::size_t out_pos_ = 0;
    std::uint16_t port_ = 0;
    ssl_st* ssl_ = nullptr;  ///< with TLS: from the TCP connect on (the handshake until connected_)
};

class event_loop {
public:
    event_loop(const sockaddr_in& server, std::size_t max_connecting = 128);
    ~event_loop();
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;

    /// Runs until `done()` is true (checked after every batch of events) or `deadline` passes.
    /// Returns done().
    bool run_until(const std::function<bool()>& done, clock::time_point deadline);
    /// Runs for `d` (or until `stop` says so).
    void run_for(clock::duration d, const std::function<bool()>& stop = {});

    /// Time of the current batch of events: one clock read per epoll_wait, not per message.
    clock::time_point now() const noexcept { return now_; }
    /// Reads the clock again (for timestamps that must not be shared by a batch).
    clock::time_point refresh_now() noexcept { return now_ = clock::now(); }

    /// Every connection from now on speaks TLS and verifies the server's certificate (chain to
    /// `ca_file`, PEM; name: the server's IP address). Throws std::runtime_error when the file
    /// cannot be used.
    void use_tls(const std::string& ca_file);

    /// Bytes sent and received on all sockets so far (TCP payload; over TLS, the plaintext).
    std::uint64_t bytes_out() const noexcept { return bytes_out_; }
    std::uint64_t bytes_in() const noexcept { return bytes_in_; }

    std::size_t connecting() const noexcept { return connecting_; }
    std::size_t open_sockets() const noexcept { return open_; }

private:
    friend class tcp_connection;
    void poll_once(int timeout_ms);
    void start_queued();

    sockaddr_in server_;
    std::size_t max_connecting_;
    int epfd_;
    clock::time_point now_;
    std::size_t connecting_ = 0;
    std::size_t open_ = 0;
    std::vector<tcp_connection*> queue_;  ///< waiting to connect, in order
    std::size_t queue_head_ = 0;
    std::vector<char> buf_;
    ssl_ctx_st* tls_ = nullptr;
    std::string tls_host_;  ///< the server's address, as the certificate must name it
    std::uint64_t bytes_out_ = 0, bytes_in_ = 0;
};

}  // namespace bench
