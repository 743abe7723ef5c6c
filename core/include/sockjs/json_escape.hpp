#pragma once
/// @file
/// The SockJS JSON string escaping pass.
///
/// Outgoing strings are JSON string literals with standard escapes (`\"`, `\\`, `\b`, `\f`,
/// `\n`, `\r`, `\t`, other C0 controls as `\u00XX`), plus `\uXXXX` (lowercase hex) for every
/// code point the protocol requires escaped because browsers or proxies mangle them:
/// `[\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]` and lone surrogates. Input is
/// UTF-8; a lone surrogate arrives in WTF-8 form (ED A0..BF xx, as produced by
/// decode_messages) and leaves as `\udXXX`. Bytes that are not valid UTF-8 are written as one
/// `\ufffd` per maximal subpart (see utf8.hpp), so that output is always valid JSON in valid
/// UTF-8. (A high and a low surrogate
/// written as two WTF-8 sequences are escaped one by one, which a JSON decoder joins into one
/// code point; decode_messages never produces that form.)
///
/// This runs for every outgoing message: plain bytes are skipped a word at a time and copied
/// in runs.

#include <string>
#include <string_view>

namespace sockjs {

/// Appends `"` + escaped `s` + `"` to `out`.
void append_json_string(std::string& out, std::string_view s);

/// Returns `"` + escaped `s` + `"`.
std::string json_string(std::string_view s);

}  // namespace sockjs
