#include "info_fetch.hpp"

#include "http_call.hpp"
#include "io_failure.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

namespace sockjs::client::detail {

info_fetch::info_fetch(transport_context ctx) : ctx_(std::move(ctx)), thread_([this] { run(); }) {}

info_fetch::~info_fetch() {
    stop();
}

void info_fetch::stop() {
    token_.abort();
    if (thread_.joinable()) thread_.join();
}

void info_fetch::run() {
    const auto failure = io_failure([&] {
        // sockjs-client gives /info its own timeout; here connect_timeout bounds both the
        // connect and the wait for the answer.
        http_call call(ctx_.ep, ctx_.opts, token_, Poco::Net::HTTPRequest::HTTP_GET, ctx_.ep.prefix + "/info", {},
                       ctx_.opts.connect_timeout);
        std::string body = call.read_all(64 * 1024);
        ctx_.post(io_event::info_done, std::move(body), call.status());
    });
    if (failure && !token_.aborted()) ctx_.post(io_event::info_done, {}, 0, "/info: " + *failure);
}

}  // namespace sockjs::client::detail
