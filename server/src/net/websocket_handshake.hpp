#pragma once
// RFC 6455 opening handshake pieces.

#include <string>
#include <string_view>

namespace sockjs::net {

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key: Base64(SHA-1(key + the RFC's GUID)).
std::string websocket_accept_key(std::string_view key);

/// A Sec-WebSocket-Key must be the Base64 form of 16 bytes (24 characters ending in "==").
bool websocket_key_valid(std::string_view key);

}  // namespace sockjs::net
