#pragma once
// Where an I/O thread's exceptions become a report: each thread runs its blocking body through
// io_failure(), which says in words what failed, or nothing when it finished or was cut short
// on purpose.

#include "abort_token.hpp"

#include <Poco/Exception.h>

#include <exception>
#include <optional>
#include <string>

namespace sockjs::client::detail {

/// Runs `body`. Returns what failed (Poco's displayText() or what()), or nullopt when `body`
/// returned or was cut short by its abort_token (`aborted`).
template <class F>
std::optional<std::string> io_failure(F&& body) {
    try {
        body();
        return std::nullopt;
    } catch (const aborted&) {
        return std::nullopt;
    } catch (const Poco::Exception& e) {
        return e.displayText();
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
}

}  // namespace sockjs::client::detail
