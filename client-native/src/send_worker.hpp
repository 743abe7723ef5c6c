#pragma once
// A thread that performs sends one at a time for a transport, so that neither the driver nor
// the receiving thread ever blocks on a slow send, and reports each as send_done.

#include "abort_token.hpp"
#include "transport_io.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sockjs::client::detail {

class send_worker {
public:
    /// `fn` sends one payload and returns the answer's HTTP status (a WebSocket: 200 once
    /// written); it throws (Poco::Exception or std::exception) when there is no answer, which
    /// is reported as status 0. It may register its socket with the token it is given.
    using send_fn = std::function<int(const std::string& payload, abort_token& token)>;

    send_worker(const transport_context& ctx, send_fn fn);
    ~send_worker();
    send_worker(const send_worker&) = delete;
    send_worker& operator=(const send_worker&) = delete;

    void send(std::string payload);
    /// Aborts the send in flight and joins. Idempotent.
    void stop();

private:
    void run();

    const transport_context& ctx_;
    send_fn fn_;
    abort_token token_;
    std::mutex m_;
    std::condition_variable cv_;
    std::optional<std::string> pending_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace sockjs::client::detail
