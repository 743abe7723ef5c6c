#include <sockjs/error.hpp>

#include <string>

namespace sockjs {

std::string_view message(errc e) noexcept {
    switch (e) {
    case errc::ok: return "Success";
    // The first four are the exact bodies the protocol suite looks for in 500 responses.
    case errc::empty_payload: return "Payload expected.";
    case errc::broken_json: return "Broken JSON encoding.";
    case errc::missing_callback: return "\"callback\" parameter required";
    case errc::invalid_callback: return "invalid \"callback\" parameter";
    case errc::message_too_large: return "Message too large.";
    case errc::bad_frame: return "Malformed SockJS frame.";
    case errc::unexpected_frame: return "Unexpected SockJS frame.";
    case errc::session_not_open: return "Session is not open.";
    case errc::queue_full: return "Send queue full.";
    case errc::invalid_close_code: return "Invalid close code.";
    case errc::reason_too_long: return "Close reason too long.";
    }
    return "Unknown SockJS error.";
}

namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "sockjs"; }
    std::string message(int ev) const override { return std::string(sockjs::message(static_cast<errc>(ev))); }
};

}  // namespace

const std::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace sockjs
