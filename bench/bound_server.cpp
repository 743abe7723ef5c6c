// sockjs-bound: the bound of the benchmark matrix. The least work a WebSocket server can do per
// message on this kernel, so that bench/run.sh can say how close our server comes to what the
// machine allows, not only how it compares with node: one thread, level-triggered epoll, one
// recv per readable event into a shared buffer, frames unmasked in place, all the replies one
// read produced in one send. No SockJS session, no JSON, no timers, no allocation per message.
//
// It speaks just enough for the generator's checks (content, order, loss) on every row it
// serves:
//   GET <service>/websocket                     raw WebSocket: a text frame back per text frame
//   GET <service>/<server>/<session>/websocket  SockJS over WebSocket, minimally: `o` on open,
//                                               then each frame `[...]` back as `a[...]` (the
//                                               payload copied, not parsed or re-encoded)
//   any service whose path starts /broadcast    the same framing, every message to every
//                                               session (sender included); the frame is built
//                                               once per message, one send per session
//   any other GET                               200 "ok" (readiness probe of run.sh)
// Nothing else (no xhr transports: those rows have no bound).
//
// Built a second time as sockjs-floor (SOCKJS_FLOOR defined, linked with the core): the same
// server, but a SockJS echo does the per-message work the protocol itself requires of any
// server, with the core's own routines: the text frame's UTF-8 checked (RFC 6455 8.1), the
// `[...]` payload decoded as a JSON array of strings, and each message JSON-escaped again into
// `a[...]` (the application sees and sends strings, not the client's bytes). No session, queue
// or timer; the decoder's one string per message is the only allocation. The distance from the
// bound to the floor is what SockJS costs on this machine; the distance from the floor to our
// server is what our server adds.
//
//   sockjs-bound PORT
//   sockjs-floor PORT

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef SOCKJS_FLOOR
#include <sockjs/json_escape.hpp>
#include <sockjs/payload.hpp>
#include <sockjs/utf8.hpp>
#endif

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

enum class kind : std::uint8_t { http, raw, sockjs, broadcast };

struct conn {
    int fd = -1;
    kind k = kind::http;
    std::size_t index = 0;  // in the broadcast list
    std::string in;         // an incomplete head or frame (empty nearly always)
    std::string out;        // what the kernel did not take (empty nearly always)
};

volatile std::sig_atomic_t stopping = 0;

int epfd = -1;
std::vector<std::unique_ptr<conn>> conns;  // by fd
std::vector<conn*> broadcast_members;
std::string reply;                          // the replies of one read, sent at once
std::vector<char> scratch(256 * 1024);

bool iequals_prefix(std::string_view line, std::string_view name) {
    if (line.size() < name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if ((line[i] | 0x20) != (name[i] | 0x20)) return false;
    return true;
}

void close_conn(conn* c) {
    if (c->k == kind::broadcast) {
        auto* last = broadcast_members.back();
        broadcast_members[c->index] = last;
        last->index = c->index;
        broadcast_members.pop_back();
    }
    ::close(c->fd);
    conns[static_cast<std::size_t>(c->fd)].reset();
}

// Sends `data` to `c`; what the kernel does not take waits for EPOLLOUT. False: closed.
bool send_to(conn* c, std::string_view data) {
    if (!c->out.empty()) {
        c->out.append(data);
        return true;
    }
    ssize_t n = ::send(c->fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            close_conn(c);
            return false;
        }
        n = 0;
    }
    if (static_cast<std::size_t>(n) < data.size()) {
        c->out.assign(data.substr(static_cast<std::size_t>(n)));
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.fd = c->fd;
        ::epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return true;
}

void append_frame_head(std::string& out, std::uint8_t opcode, std::size_t n) {
    out.push_back(static_cast<char>(0x80 | opcode));
    if (n < 126) {
        out.push_back(static_cast<char>(n));
    } else if (n < 65536) {
        out.push_back(static_cast<char>(126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(127));
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
    }
}

// The upgrade: RFC 6455 section 4.2.2, SHA-1 and base64 from OpenSSL. Returns the bytes used,
// 0 when the head is incomplete; closes `c` on anything it does not serve.
std::size_t handshake(conn* c, std::string_view data) {
    auto end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (data.size() > 8192) close_conn(c);
        return 0;
    }
    std::string_view head = data.substr(0, end + 2);
    auto sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
    std::string_view path = head.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view key;
    for (std::size_t at = head.find("\r\n") + 2; at < head.size();) {
        auto eol = head.find("\r\n", at);
        std::string_view line = head.substr(at, eol - at);
        if (iequals_prefix(line, "sec-websocket-key:")) {
            key = line.substr(18);
            while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
            while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
        }
        at = eol + 2;
    }
    if (key.empty()) {
        int fd = c->fd;
        send_to(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        if (conns[static_cast<std::size_t>(fd)]) close_conn(c);
        return 0;
    }
    std::string accept_in(key);
    accept_in.append("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    unsigned char digest[SHA_DIGEST_LENGTH];
    ::SHA1(reinterpret_cast<const unsigned char*>(accept_in.data()), accept_in.size(), digest);
    char accept[32];
    ::EVP_EncodeBlock(reinterpret_cast<unsigned char*>(accept), digest, SHA_DIGEST_LENGTH);

    // /<service>/websocket is raw; /<service>/<server>/<session>/websocket is SockJS.
    std::size_t slashes = 0;
    for (char ch : path) slashes += ch == '/';
    c->k = slashes >= 4 ? kind::sockjs : kind::raw;
    if (c->k == kind::sockjs && path.substr(0, 10) == "/broadcast") {
        c->k = kind::broadcast;
        c->index = broadcast_members.size();
        broadcast_members.push_back(c);
    }
    reply.assign("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: ");
    reply.append(accept).append("\r\n\r\n");
    if (c->k != kind::raw) append_frame_head(reply, 0x1, 1), reply.push_back('o');
    return send_to(c, reply) ? end + 4 : 0;
}

void broadcast(std::string_view frame) {
    // Backwards: a member that closes is replaced by the last, which was already served.
    for (std::size_t i = broadcast_members.size(); i-- > 0;) send_to(broadcast_members[i], frame);
}

#ifdef SOCKJS_FLOOR
// The floor's SockJS echo of one text frame into `reply`: false if the frame is not UTF-8 or
// not a JSON array of strings (a real server closes the session then too).
bool sockjs_echo(std::string_view text) {
    static std::vector<std::string> messages;
    static std::string frame;
    if (!sockjs::utf8_valid(text)) return false;
    messages.clear();
    if (sockjs::decode_messages(text, sockjs::payload_format::array, messages, 1u << 20) != sockjs::errc::ok)
        return false;
    frame.assign("a[");
    for (std::size_t i = 0; i < messages.size(); ++i) {
        if (i > 0) frame.push_back(',');
        sockjs::append_json_string(frame, messages[i]);
    }
    frame.push_back(']');
    append_frame_head(reply, 0x1, frame.size());
    reply.append(frame);
    return true;
}
#endif

// Handles the whole frames in `data` (unmasking in place); returns the bytes used, or
// npos when `c` was closed.
std::size_t frames(conn* c, char* data, std::size_t size) {
    constexpr std::size_t closed = std::string::npos;
    auto* p = reinterpret_cast<unsigned char*>(data);
    std::size_t pos = 0;
    reply.clear();
    while (size - pos >= 6) {
        unsigned opcode = p[pos] & 0x0f;
        if (!(p[pos] & 0x80) || !(p[pos + 1] & 0x80)) {  // fragments and unmasked frames: not served
            close_conn(c);
            return closed;
        }
        std::size_t head = 6;
        std::uint64_t len = p[pos + 1] & 0x7f;
        if (len == 126) {
            if (size - pos < 8) break;
            len = (std::uint64_t{p[pos + 2]} << 8) | p[pos + 3];
            head = 8;
        } else if (len == 127) {
            if (size - pos < 14) break;
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | p[pos + 2 + i];
            head = 14;
        }
        if (len > (16u << 20)) {
            close_conn(c);
            return closed;
        }
        if (size - pos - head < len) break;
        const unsigned char* mask = p + pos + head - 4;
        unsigned char* payload = p + pos + head;
        for (std::size_t i = 0; i < len; ++i) payload[i] ^= mask[i & 3];
        std::string_view text(reinterpret_cast<char*>(payload), static_cast<std::size_t>(len));
        pos += head + static_cast<std::size_t>(len);
        switch (opcode) {
        case 0x1:
        case 0x2:
            if (c->k == kind::raw) {
                append_frame_head(reply, static_cast<std::uint8_t>(opcode), text.size());
                reply.append(text);
            } else if (c->k == kind::sockjs) {
#ifdef SOCKJS_FLOOR
                if (!sockjs_echo(text)) {
                    close_conn(c);
                    return closed;
                }
#else
                append_frame_head(reply, 0x1, text.size() + 1);
                reply.push_back('a');
                reply.append(text);
#endif
            } else {
                static std::string frame;
                frame.clear();
                append_frame_head(frame, 0x1, text.size() + 1);
                frame.push_back('a');
                frame.append(text);
                bool self_open = true;
                if (!reply.empty()) self_open = send_to(c, reply), reply.clear();
                if (!self_open) return closed;
                int fd = c->fd;
                broadcast(frame);
                if (!conns[static_cast<std::size_t>(fd)]) return closed;
            }
            break;
        case 0x8:
            append_frame_head(reply, 0x8, 0);
            send_to(c, reply);
            if (conns[static_cast<std::size_t>(c->fd)]) close_conn(c);
            return closed;
        case 0x9:
            append_frame_head(reply, 0xA, text.size());
            reply.append(text);
            break;
        case 0xA:
            break;
        default:
            close_conn(c);
            return closed;
        }
    }
    if (!reply.empty() && !send_to(c, reply)) return closed;
    return pos;
}

void on_readable(conn* c) {
    ssize_t n = ::recv(c->fd, scratch.data(), scratch.size(), 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        close_conn(c);
        return;
    }
    char* data = scratch.data();
    std::size_t size = static_cast<std::size_t>(n);
    if (!c->in.empty()) {
        c->in.append(data, size);
        data = c->in.data();
        size = c->in.size();
    }
    int fd = c->fd;
    std::size_t used = 0;
    if (c->k == kind::http) {
        used = handshake(c, std::string_view(data, size));
        if (!conns[static_cast<std::size_t>(fd)]) return;
        if (used == 0) {
            if (c->in.empty()) c->in.assign(data, size);
            return;
        }
    }
    std::size_t more = frames(c, data + used, size - used);
    if (more == std::string::npos) return;
    used += more;
    if (data == c->in.data()) {
        c->in.erase(0, used);
        if (c->in.empty()) std::string().swap(c->in);
    } else if (used < size) {
        c->in.assign(data + used, size - used);
    }
}

void on_writable(conn* c) {
    ssize_t n = ::send(c->fd, c->out.data(), c->out.size(), MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) close_conn(c);
        return;
    }
    c->out.erase(0, static_cast<std::size_t>(n));
    if (c->out.empty()) {
        std::string().swap(c->out);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = c->fd;
        ::epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    }
}

void on_accept(int listener) {
    for (;;) {
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        int one = 1;  // as our server: both take the same kernel path
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (conns.size() <= static_cast<std::size_t>(fd)) conns.resize(static_cast<std::size_t>(fd) + 1);
        auto c = std::make_unique<conn>();
        c->fd = fd;
        conns[static_cast<std::size_t>(fd)] = std::move(c);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        ::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: sockjs-bound PORT\n");
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGTERM, [](int) { stopping = 1; });
    std::signal(SIGINT, [](int) { stopping = 1; });

    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 4096) != 0) {
        std::perror("sockjs-bound: bind/listen");
        return 1;
    }
    epfd = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event lev{};
    lev.events = EPOLLIN;
    lev.data.fd = listener;
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev);

    std::vector<epoll_event> events(1024);
    while (!stopping) {
        int n = ::epoll_wait(epfd, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            if (fd == listener) {
                on_accept(listener);
                continue;
            }
            auto* c = static_cast<std::size_t>(fd) < conns.size() ? conns[static_cast<std::size_t>(fd)].get() : nullptr;
            if (!c) continue;
            auto what = events[static_cast<std::size_t>(i)].events;
            if (what & EPOLLOUT) {
                on_writable(c);
                if (!conns[static_cast<std::size_t>(fd)]) continue;
            }
            if (what & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
        }
    }
    for (auto& c : conns)
        if (c) ::close(c->fd);
    ::close(listener);
    return 0;
}
