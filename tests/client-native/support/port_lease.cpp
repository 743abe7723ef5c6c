#include "port_lease.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sockjs::client::test {
namespace {
bool bindable(std::uint16_t port) {
    try {
        // With SO_REUSEADDR, as the servers bind: a port in TIME_WAIT counts as free.
        Poco::Net::ServerSocket s;
        s.bind(Poco::Net::SocketAddress("127.0.0.1", port), true);
        return true;
    } catch (const Poco::Exception&) {
        return false;
    }
}
}  // namespace

port_lease::port_lease(std::uint16_t first, std::uint16_t last) {
    const auto dir = std::filesystem::temp_directory_path();
    for (std::uint16_t p = first; p <= last; ++p) {
        const std::string lock = (dir / ("sockjs-client-tests-port-" + std::to_string(p) + ".lock")).string();
        const int fd = ::open(lock.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
        if (fd < 0) continue;
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && bindable(p)) {
            port_ = p;
            lock_fd_ = fd;
            return;
        }
        ::close(fd);
    }
    throw std::runtime_error("no free port in the test range");
}

port_lease::~port_lease() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace sockjs::client::test
