#pragma once
// One HTTP request on a fresh connection whose blocking reads an abort_token can cut short,
// with the response body readable piece by piece as it arrives (for streaming receivers).

#include "abort_token.hpp"
#include "endpoint.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPResponse.h>

#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace sockjs::client::detail {

class http_call {
public:
    /// Connects, sends `method path` with `body` (POSTs always carry a Content-Length, 0 for
    /// none) and reads the response head. Throws Poco::Exception on network errors, `aborted`
    /// when the token was aborted.
    http_call(const endpoint& ep, const options& opts, abort_token& token, const std::string& method,
              const std::string& path, std::string_view body, std::chrono::milliseconds receive_timeout);
    ~http_call();
    http_call(const http_call&) = delete;
    http_call& operator=(const http_call&) = delete;

    int status() const { return static_cast<int>(response_.getStatus()); }
    const Poco::Net::HTTPResponse& response() const { return response_; }

    /// Appends the body bytes available now (waiting for at least one) to `out`, at most
    /// `max` of them. False at the end of the body. Throws Poco::Exception when the body
    /// broke off with a network error (timeout, reset).
    bool read_some(std::string& out, std::size_t max = 16384);
    /// Reads the rest of the body, at most `limit` bytes (more is an error).
    std::string read_all(std::size_t limit);

private:
    void start(const endpoint& ep, const options& opts, const std::string& method, const std::string& path,
               std::string_view body, std::chrono::milliseconds receive_timeout);

    abort_token& token_;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
    Poco::Net::HTTPResponse response_;
    std::istream* body_ = nullptr;
};

}  // namespace sockjs::client::detail
