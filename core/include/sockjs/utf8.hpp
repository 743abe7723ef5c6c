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

#include <cstddef>
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

/// utf8_valid() for text that arrives in pieces (a WebSocket message in fragments, a payload
/// read in chunks): a sequence may be split anywhere, and an error is reported by the piece
/// that holds it, so a receiver can fail fast instead of waiting for the whole message.
class utf8_stream_validator {
public:
    /// Checks the next piece. False once the text cannot be well-formed, whatever follows.
    bool feed(std::string_view piece) noexcept;
    /// True if the text so far ends on a character boundary (a complete message is valid
    /// only if every feed() returned true and this holds).
    bool at_boundary() const noexcept { return pending_size_ == 0; }
    void reset() noexcept { pending_size_ = 0; }

private:
    unsigned char pending_[4] = {};  // the start of a sequence cut by the end of a piece
    std::size_t pending_size_ = 0;
};

}  // namespace sockjs
