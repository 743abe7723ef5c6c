#pragma once
// `GET <prefix>/info` on its own thread; the answer (or the failure) arrives as info_done.
// Interpreting the body is the core's job (parse_info, client_session::on_info).

#include "abort_token.hpp"
#include "transport_io.hpp"

#include <thread>

namespace sockjs::client::detail {

class info_fetch {
public:
    /// Starts the request at once. ctx's paths are not used.
    explicit info_fetch(transport_context ctx);
    ~info_fetch();
    info_fetch(const info_fetch&) = delete;
    info_fetch& operator=(const info_fetch&) = delete;

    /// Cuts the request short and joins. Idempotent.
    void stop();

private:
    void run();

    transport_context ctx_;
    abort_token token_;
    std::thread thread_;
};

}  // namespace sockjs::client::detail
