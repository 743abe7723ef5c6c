#pragma once
// One frame sent to many connections in a tight loop of send() calls: a broadcast collects
// the connections while it does each session's bookkeeping, then sends to all of them at
// once. Interleaving the two (bookkeeping, send, bookkeeping, send...) left the kernel's send
// path cold at every call: our kernel time per delivery was ~15 % above the bound's, which
// does nothing between its sends (docs/benchmarks.md, "Where the last gaps are").
//
// Loop thread only. Between add() and send_all() nothing may run that can close a connection
// or write to one (no application code): a caller that must do more than bookkeeping for a
// session sends the batch first. A connection is added only while it has nothing queued (so
// the frame cannot overtake earlier bytes) and is plain TCP and open; what a socket does not
// take goes to its connection's buffer, as tcp_connection::send_now() would have put it.

#include <cstddef>
#include <string_view>
#include <vector>

namespace sockjs::net {

class tcp_connection;

class send_batch {
public:
    /// The batch for `frame`, which must outlive it.
    explicit send_batch(std::string_view frame) noexcept : frame_(frame) {}
    ~send_batch() { send_all(); }
    send_batch(const send_batch&) = delete;
    send_batch& operator=(const send_batch&) = delete;

    /// `c` gets the frame at send_all(); c.batchable() must hold.
    void add(tcp_connection& c);
    /// Sends the frame to every connection added since the last call.
    void send_all();
    std::size_t size() const noexcept { return items_.size(); }

private:
    struct item {
        int fd;
        tcp_connection* conn;
    };
    std::string_view frame_;
    std::vector<item> items_;
};

}  // namespace sockjs::net
