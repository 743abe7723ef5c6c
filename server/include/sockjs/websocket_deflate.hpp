#pragma once
/// @file
/// permessage-deflate (RFC 7692) on the server's WebSockets, SockJS and raw alike.

#include <cstddef>

namespace sockjs {

/// Settings of permessage-deflate, negotiated from each client's offer (browsers, python
/// websockets and npm ws all offer it).
///
/// Off by default: compression costs CPU on every message and zlib state per connection
/// (with the defaults below about 170 KiB while a connection is open: a 32 KiB inflate window
/// plus a 64 KiB deflate window with its 64 KiB hash tables), which at the default
/// max_connections of 20,000 could reach 3.4 GB; most SockJS traffic is small JSON that gains
/// little. Turn it on where messages are large and compressible and bandwidth costs more
/// than CPU and memory; memory_per_connection then bounds what one connection may hold.
struct websocket_deflate_options {
    bool enabled = false;
    /// LZ77 window of our compressor, 9..15 (RFC 7692 server_max_window_bits; a client that
    /// asks for less gets less, an offer of 8 is declined since zlib cannot make 8-bit windows).
    int server_max_window_bits = 14;
    /// Window we ask clients to compress with, 9..15, when their offer lets us choose
    /// (client_max_window_bits); the inflate window we hold is this size, 15 otherwise.
    int client_max_window_bits = 15;
    /// Reset our compressor after each message: no state carried between messages (worse
    /// ratio for repetitive traffic, same peak memory).
    bool server_no_context_takeover = false;
    /// Ask clients to reset theirs after each message.
    bool client_no_context_takeover = false;
    /// Upper bound of zlib state per connection (both directions). Windows are lowered to fit;
    /// if even the smallest do not fit, the offer is declined and the connection runs without
    /// compression. A compressed message inflates into the message buffer, which
    /// max_message_size bounds (a decompression bomb is refused with 1009 there).
    std::size_t memory_per_connection = 256 * 1024;
    /// Messages shorter than this go out uncompressed (RFC 7692 allows it per message).
    std::size_t min_compress_size = 64;
};

}  // namespace sockjs
