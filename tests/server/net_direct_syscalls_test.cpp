#include "net/direct_syscalls.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

namespace sys = sockjs::net::sys;

namespace {

struct socket_pair {
    int fd[2] = {-1, -1};
    socket_pair() {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd) == 0);
    }
    ~socket_pair() {
        for (int f : fd)
            if (f >= 0) ::close(f);
    }
};

}  // namespace

// The loops read errno after these calls exactly as after libc's (tcp_connection's io_result),
// so the direct calls must report the same results and errors.
TEST_CASE("direct system calls: recv, send and epoll_wait answer as libc's do") {
    socket_pair s;
    char buf[16];
    errno = 0;
    CHECK(sys::recv(s.fd[0], buf, sizeof buf, 0) == -1);
    CHECK((errno == EAGAIN || errno == EWOULDBLOCK));

    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    REQUIRE(ep >= 0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = s.fd[0];
    REQUIRE(::epoll_ctl(ep, EPOLL_CTL_ADD, s.fd[0], &ev) == 0);
    epoll_event ready[4];
    CHECK(sys::epoll_wait(ep, ready, 4, 0) == 0);  // nothing to read yet

    CHECK(sys::send(s.fd[1], "hello", 5, MSG_NOSIGNAL) == 5);
    REQUIRE(sys::epoll_wait(ep, ready, 4, 1000) == 1);
    CHECK(ready[0].data.fd == s.fd[0]);
    CHECK((ready[0].events & EPOLLIN) != 0);
    REQUIRE(sys::recv(s.fd[0], buf, sizeof buf, 0) == 5);
    CHECK(std::string(buf, 5) == "hello");

    errno = 0;
    CHECK(sys::epoll_wait(-1, ready, 4, 0) == -1);
    CHECK(errno == EBADF);
    ::close(ep);

    ::close(s.fd[0]);
    s.fd[0] = -1;
    errno = 0;
    CHECK(sys::send(s.fd[1], "x", 1, MSG_NOSIGNAL) == -1);  // the peer is gone, and no SIGPIPE
    CHECK(errno == EPIPE);
    errno = 0;
    CHECK(sys::recv(-1, buf, sizeof buf, 0) == -1);
    CHECK(errno == EBADF);
}
