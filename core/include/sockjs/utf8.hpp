#pragma once
/// @file
/// UTF-8 for WebSocket text frames: the one validator of the SDK, and the conversion of the
/// core's internal strings into text a WebSocket peer accepts.
///
/// Messages inside the SDK are UTF-8, except that a lone UTF-16 surrogate (which SockJS
/// clients may send as `"\ud800"`) is kept in WTF-8 form (ED A0..BF xx) so that SockJS
/// transports can escape it back exactly. A WebSocket text frame must be well-formed UTF-8
/// (RFC 6455 section 8.1; a peer fails the connection with 1007 otherwise), so text that goes
/// out raw passes through utf8_replace_invalid() first.

#include <string>
#include <string_view>

namespace sockjs {

/// True if `s` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
/// above U+10FFFF, no truncated sequence. ASCII is checked eight bytes at a time.
bool utf8_valid(std::string_view s) noexcept;

/// `s` made well-formed UTF-8, as a JavaScript peer would encode the same string:
/// a lone surrogate in WTF-8 form becomes U+FFFD (a high and a low one written one after the
/// other become the astral character they stand for), and any other ill-formed bytes are
/// replaced by one U+FFFD per maximal subpart (Unicode section 3.9, "U+FFFD Substitution of
/// Maximal Subparts", the WHATWG Encoding Standard's rule). Well-formed input comes back
/// unchanged.
std::string utf8_replace_invalid(std::string_view s);

}  // namespace sockjs
