#pragma once
// The loops' per-message system calls (recv, send, epoll_wait), made without libc's
// cancellation wrappers. glibc makes each of them a pthread cancellation point: once a
// process has a second thread, every call switches asynchronous cancellation on and off
// around the system call, ~90 instructions per echoed message (a single-threaded server
// skips them; ours always has its main thread besides the loops). Nothing in this library
// cancels threads. Sanitizer builds keep the libc calls, which their runtimes intercept to
// check the buffers and to order the threads' accesses.

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SOCKJS_LIBC_SYSCALLS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SOCKJS_LIBC_SYSCALLS 1
#endif
#endif

namespace sockjs::net::sys {

/// As ::recv: the byte count, or -1 with errno set.
inline ssize_t recv(int fd, void* buf, std::size_t n, int flags) noexcept {
#ifdef SOCKJS_LIBC_SYSCALLS
    return ::recv(fd, buf, n, flags);
#else
    return static_cast<ssize_t>(::syscall(SYS_recvfrom, fd, buf, n, flags, nullptr, nullptr));
#endif
}

/// As ::send.
inline ssize_t send(int fd, const void* buf, std::size_t n, int flags) noexcept {
#ifdef SOCKJS_LIBC_SYSCALLS
    return ::send(fd, buf, n, flags);
#else
    return static_cast<ssize_t>(::syscall(SYS_sendto, fd, buf, n, flags, nullptr, 0));
#endif
}

/// As ::epoll_wait.
inline int epoll_wait(int epfd, epoll_event* events, int max, int timeout_ms) noexcept {
#ifdef SOCKJS_LIBC_SYSCALLS
    return ::epoll_wait(epfd, events, max, timeout_ms);
#else
    // x86-64 has epoll_wait; newer architectures (aarch64) only epoll_pwait with no mask.
#ifdef SYS_epoll_wait
    return static_cast<int>(::syscall(SYS_epoll_wait, epfd, events, max, timeout_ms));
#else
    return static_cast<int>(::syscall(SYS_epoll_pwait, epfd, events, max, timeout_ms, nullptr, 0));
#endif
#endif
}

}  // namespace sockjs::net::sys
