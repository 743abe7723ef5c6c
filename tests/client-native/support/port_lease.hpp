#pragma once
// A TCP port of this suite's range (18300-18399), held for the life of the lease so that test
// processes running in parallel never pick the same one: a lock file per port (flock is
// released by the kernel even if the process dies) plus a bind check against strangers.

#include <cstdint>

namespace sockjs::client::test {

class port_lease {
public:
    /// Takes the first free port of [first, last]. Throws std::runtime_error if none is.
    explicit port_lease(std::uint16_t first = 18320, std::uint16_t last = 18399);
    ~port_lease();
    port_lease(const port_lease&) = delete;
    port_lease& operator=(const port_lease&) = delete;

    std::uint16_t port() const noexcept { return port_; }

private:
    std::uint16_t port_ = 0;
    int lock_fd_ = -1;
};

}  // namespace sockjs::client::test
