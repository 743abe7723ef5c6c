#pragma once
/// @file
/// Decoding what clients send: the body of xhr_send / jsonp_send and WebSocket messages.
///
/// The decoder is deliberately tolerant in the one way the protocol needs: clients escape far
/// more than JSON requires, including lone UTF-16 surrogates (`"\ud800"`), which strict
/// UTF-8 JSON parsers reject. Lone surrogates decode to their WTF-8 bytes (ED A0..BF xx), which
/// append_json_string turns back into the same `\u` escape, so a message survives an echo.
/// A high + low surrogate escape pair decodes to the one four-byte character. Bytes that are
/// not UTF-8 decode to one U+FFFD per maximal subpart (as a browser or node decoding the body
/// as text would), surrogate bytes (CESU-8, ED A0 80) included: a lone surrogate arrives only
/// as a `\u` escape;
/// raw control characters inside strings are rejected, as JSON.parse does.

#include <sockjs/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs {

enum class payload_format {
    array,            ///< xhr_send / jsonp_send: a JSON array of strings
    array_or_string,  ///< WebSocket message: an array of strings, or one string
};

/// Decodes `body` into messages appended to `out`. Whitespace around tokens is allowed.
/// Errors: empty_payload (body empty; only for `array`: an empty WebSocket message is a no-op
/// and yields no messages), broken_json (anything else not of the expected shape, including
/// non-string array elements and trailing garbage), message_too_large (a decoded message longer
/// than `max_message_size`). On error, `out` is left as it was.
errc decode_messages(std::string_view body, payload_format format, std::vector<std::string>& out,
                     std::size_t max_message_size = static_cast<std::size_t>(-1));

/// True if a `Content-Type` value names exactly the media type
/// `application/x-www-form-urlencoded` (ASCII case-insensitive, optional whitespace and
/// parameters after `;`, e.g. `; charset=UTF-8`). `...urlencodedXYZ` or a missing header is not.
bool is_form_urlencoded(std::optional<std::string_view> content_type) noexcept;

/// jsonp_send bodies may be form-encoded: `d=<url-encoded json>` (with
/// `application/x-www-form-urlencoded`). Returns the JSON text to decode: for form bodies, the
/// URL-decoded value of `d` (empty if absent); otherwise `body` unchanged.
std::string jsonp_send_body(std::string_view body, bool form_urlencoded);
/// The same, deciding from the request's `Content-Type` (is_form_urlencoded).
inline std::string jsonp_send_body(std::string_view body, std::optional<std::string_view> content_type) {
    return jsonp_send_body(body, is_form_urlencoded(content_type));
}

/// Percent-decoding for query strings and form bodies (`+` becomes a space).
std::string url_decode(std::string_view s);

/// The value of `key` in a query string `a=1&b=2` (URL-decoded), or empty if absent.
std::string query_param(std::string_view query, std::string_view key);

}  // namespace sockjs
