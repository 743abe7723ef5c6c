#pragma once
// A SockJS server in a child process on a leased port: the reference server (node
// tests/support/ref-server.js, npm sockjs 0.3.24) or ours (build/bin/sockjs-server). Both
// serve /echo, /close, /disabled_websocket_echo, /cookie_needed_echo and /broadcast.

#include "port_lease.hpp"

#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace sockjs::client::test {

enum class server_kind { reference, own };

/// Whether this build can run that server (node found / our server built).
bool server_available(server_kind k);
const char* server_name(server_kind k);

class server_process {
public:
    /// Starts the server and waits (at most 10 s) until /echo/info answers. Throws
    /// std::runtime_error with the server's output if it does not come up.
    /// `tls`: https/wss with the test certificate (tests/support/test_certs.hpp); url() is
    /// then https://127.0.0.1:PORT...
    explicit server_process(server_kind k, bool tls = false);
    /// Stops the server (SIGKILL) and reaps it.
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    /// http(s)://127.0.0.1:PORT<service>, e.g. url("/echo").
    std::string url(std::string_view service) const;
    /// Kills the server at once (SIGKILL), as a crash would, and reaps it.
    void kill_now();
    /// What the server printed so far (stdout and stderr).
    std::string output() const;

private:
    bool answers_info() const;

    bool tls_ = false;
    port_lease lease_;
    Poco::Pipe out_;
    std::optional<Poco::ProcessHandle> handle_;
    std::thread drain_;
    mutable std::mutex m_;
    std::string output_;
};

/// One server of each kind per test process, started on first use and stopped at exit.
server_process& shared_server(server_kind k);

}  // namespace sockjs::client::test
