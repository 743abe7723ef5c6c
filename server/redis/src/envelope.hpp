#pragma once
// The Redis message of one publish: `sockjs1 <node> <seq>\n<message>`. A text header so that
// `redis-cli subscribe` shows what flows; the message after it is taken as is (binary-safe).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sockjs::redis_detail {

struct envelope {
    std::string_view node;
    std::uint64_t seq = 0;
    std::string_view message;
};

std::string encode_envelope(std::string_view node, std::uint64_t seq, std::string_view message);
/// Null for anything that is not an envelope of this version (ignored by the subscriber).
std::optional<envelope> decode_envelope(std::string_view payload);

/// Redis URL parts: redis://[[user]:password@]host[:port][/db].
struct redis_url {
    std::string host;
    std::uint16_t port = 6379;
    std::string password;
    int db = 0;
};
/// Null when malformed.
std::optional<redis_url> parse_redis_url(std::string_view url);

/// `s` with glob characters escaped, for a PSUBSCRIBE pattern that must match it literally.
std::string glob_escape(std::string_view s);

}  // namespace sockjs::redis_detail
