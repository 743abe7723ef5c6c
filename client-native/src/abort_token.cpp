#include "abort_token.hpp"

#include <Poco/Exception.h>

namespace sockjs::client::detail {
namespace {
void shut(Poco::Net::StreamSocket& s) {
    try {
        s.shutdown();
    } catch (const Poco::Exception&) {
        // Not connected (yet) or already gone: nothing is blocked on it then.
    }
}
}  // namespace

bool abort_token::attach(const Poco::Net::StreamSocket& socket) {
    std::lock_guard lk(m_);
    socket_ = socket;
    if (aborted_) shut(*socket_);
    return !aborted_;
}

void abort_token::detach() {
    std::lock_guard lk(m_);
    socket_.reset();
}

void abort_token::abort() {
    std::lock_guard lk(m_);
    aborted_ = true;
    if (socket_) shut(*socket_);
}

bool abort_token::aborted() const {
    std::lock_guard lk(m_);
    return aborted_;
}

}  // namespace sockjs::client::detail
