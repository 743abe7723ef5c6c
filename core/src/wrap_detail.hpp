#pragma once
// Internal: the transport unwrapping steps that client_session uses on their own.

#include <string>
#include <string_view>

namespace sockjs::detail {

/// Undoes the eventsource escapes of a frame's data (`%`, CR, LF, NUL as %XX); any other `%`
/// sequence is left alone (a server never sends one, since it escapes `%` itself).
std::string eventsource_unescape(std::string_view data);

}  // namespace sockjs::detail
