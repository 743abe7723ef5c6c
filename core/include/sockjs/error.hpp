#pragma once
/// @file
/// Errors as values. Nothing in the core throws across its API: fallible calls return an
/// `errc` or a `result<T>`. "Need more input" is never an error; incremental decoders report it
/// separately.

#include <string_view>
#include <system_error>

namespace sockjs {

/// Every error the core can report. The comment says whose fault it is.
enum class errc {
    ok = 0,
    // Remote (the peer sent something the protocol does not allow).
    empty_payload,        ///< client sent no body: HTTP 500 "Payload expected."
    broken_json,          ///< client body is not a JSON array of strings: 500 "Broken JSON encoding."
    missing_callback,     ///< htmlfile/jsonp without `c`/`callback`: 500 "\"callback\" parameter required"
    invalid_callback,     ///< callback outside [a-zA-Z0-9_.-]{1,32}: 500 "invalid \"callback\" parameter"
    message_too_large,    ///< one message or body over max_message_size
    bad_frame,            ///< server sent a frame a client cannot parse
    unexpected_frame,     ///< frame valid, but not allowed in the current state (e.g. second `o`)
    // Local (the application misused the API).
    session_not_open,     ///< send before open or after close
    queue_full,           ///< the outgoing queue would exceed max_queued_bytes
    invalid_close_code,   ///< close code not 1000 or 3000-4999 (client role)
    reason_too_long,      ///< close reason over 123 bytes
};

/// A short, human-readable message for `e` (the protocol's own text where it has one).
std::string_view message(errc e) noexcept;

/// `std::error_code` support, so adapters can carry core errors in their own error channels.
const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace sockjs

template <>
struct std::is_error_code_enum<sockjs::errc> : std::true_type {};
