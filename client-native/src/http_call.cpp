#include "http_call.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/NetException.h>

#include <ostream>

namespace sockjs::client::detail {

http_call::http_call(const endpoint& ep, const options& opts, abort_token& token, const std::string& method,
                     const std::string& path, std::string_view body, std::chrono::milliseconds receive_timeout)
    : token_(token) {
    try {
        start(ep, opts, method, path, body, receive_timeout);
    } catch (...) {
        token_.detach();
        throw;
    }
}

void http_call::start(const endpoint& ep, const options& opts, const std::string& method,
                      const std::string& path, std::string_view body, std::chrono::milliseconds receive_timeout) {
    session_ = std::make_unique<Poco::Net::HTTPClientSession>(
        connect_socket(ep, opts, token_, receive_timeout));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    // A session built on a connected socket knows no host: say it ourselves.
    request.setHost(ep.host, ep.port);
    request.setKeepAlive(false);
    if (method == Poco::Net::HTTPRequest::HTTP_POST) {
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        if (!body.empty()) request.setContentType("text/plain;charset=UTF-8");
    }
    std::ostream& out = session_->sendRequest(request);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    body_ = &session_->receiveResponse(response_);
    if (token_.aborted()) throw aborted();
}

http_call::~http_call() {
    token_.detach();
}

bool http_call::read_some(std::string& out, std::size_t max) {
    std::istream& in = *body_;
    // peek() blocks until the stream has refilled its buffer from the socket (one recv:
    // whatever has arrived); readsome() then takes what is buffered without blocking again.
    if (in.peek() == std::istream::traits_type::eof()) {
        if (token_.aborted()) throw aborted();
        if (in.bad()) {
            if (const Poco::Exception* e = session_->networkException()) e->rethrow();
            throw Poco::Net::NetException("reading the response failed");
        }
        return false;
    }
    char buf[16384];
    const auto want = static_cast<std::streamsize>(std::min(max, sizeof buf));
    const std::streamsize n = in.readsome(buf, want);
    out.append(buf, static_cast<std::size_t>(n));
    return true;
}

std::string http_call::read_all(std::size_t limit) {
    std::string body;
    while (read_some(body)) {
        if (body.size() > limit) throw Poco::Net::NetException("response body too large");
    }
    return body;
}

}  // namespace sockjs::client::detail
