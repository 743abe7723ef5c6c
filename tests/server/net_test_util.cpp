#include "net_test_util.hpp"

#include <Poco/Net/NetException.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace sockjs::net::test {

client::client(const Poco::Net::SocketAddress& addr, std::chrono::milliseconds timeout, int receive_buffer)
    : socket_(addr.family()) {
    if (receive_buffer > 0) socket_.setReceiveBufferSize(receive_buffer);
    socket_.connect(addr, Poco::Timespan(2, 0));
    socket_.setReceiveTimeout(Poco::Timespan(static_cast<long>(timeout.count()) * 1000));
    socket_.setNoDelay(true);
}

void client::send(std::string_view bytes) {
    socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
}

bool client::fill() {
    if (eof_) return false;
    char tmp[16384];
    try {
        const int n = socket_.receiveBytes(tmp, sizeof tmp);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        buf_.append(tmp, static_cast<std::size_t>(n));
        return true;
    } catch (const Poco::TimeoutException&) {
        return false;
    } catch (const Poco::Exception&) {
        eof_ = true;  // reset
        return false;
    }
}

std::string client::read_until(std::string_view marker) {
    for (;;) {
        const auto pos = buf_.find(marker);
        if (pos != std::string::npos) {
            std::string out = buf_.substr(0, pos + marker.size());
            buf_.erase(0, pos + marker.size());
            return out;
        }
        if (!fill()) return {};
    }
}

std::string client::read_exact(std::size_t n) {
    while (buf_.size() < n)
        if (!fill()) break;
    const std::size_t take = std::min(n, buf_.size());
    std::string out = buf_.substr(0, take);
    buf_.erase(0, take);
    return out;
}

std::string client::read_to_close() {
    while (fill()) {
    }
    std::string out = std::move(buf_);
    buf_.clear();
    return out;
}

bool client::closed_by_peer() {
    while (fill()) {
    }
    return eof_;
}

std::string client::read_chunk() {
    const std::string line = read_until("\r\n");
    if (line.empty()) return "<timeout>";
    const std::size_t size = std::stoul(line, nullptr, 16);
    std::string data = read_exact(size);
    read_exact(2);  // CRLF
    if (size == 0) return {};
    return data;
}

response client::read_response(bool head_only) {
    response r;
    const std::string head = read_until("\r\n\r\n");
    if (head.empty()) return r;
    std::size_t pos = head.find("\r\n");
    const std::string status_line = head.substr(0, pos);
    r.version = status_line.substr(5, 3);
    r.status = std::stoi(status_line.substr(9, 3));
    pos += 2;
    while (pos < head.size()) {
        const std::size_t end = head.find("\r\n", pos);
        if (end == pos) break;
        const std::string line = head.substr(pos, end - pos);
        const std::size_t colon = line.find(':');
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        r.headers[name] = value;
        pos = end + 2;
    }
    if (head_only) return r;
    if (r.has("content-length")) {
        r.body = read_exact(std::stoul(r.get("content-length")));
    } else if (r.get("transfer-encoding") == "chunked") {
        for (;;) {
            std::string chunk = read_chunk();
            if (chunk.empty() || chunk == "<timeout>") break;
            r.body += chunk;
        }
    }
    return r;
}

std::string client_frame(int opcode, std::string_view payload, bool fin, bool masked, unsigned rsv) {
    std::string out;
    out.push_back(static_cast<char>((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0F)));
    const unsigned char mask_bit = masked ? 0x80 : 0;
    if (payload.size() < 126) {
        out.push_back(static_cast<char>(mask_bit | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(payload.size() >> 8));
        out.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        out.push_back(static_cast<char>(mask_bit | 127));
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
    }
    const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (masked) out.append(reinterpret_cast<const char*>(key), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(masked ? static_cast<char>(payload[i] ^ key[i & 3]) : payload[i]);
    return out;
}

ws_frame read_frame(client& c) {
    ws_frame f;
    const std::string h = c.read_exact(2);
    if (h.size() < 2) return f;
    const auto b0 = static_cast<unsigned char>(h[0]);
    const auto b1 = static_cast<unsigned char>(h[1]);
    std::uint64_t len = b1 & 0x7F;
    if (len == 126) {
        const std::string e = c.read_exact(2);
        len = (static_cast<unsigned char>(e[0]) << 8) | static_cast<unsigned char>(e[1]);
    } else if (len == 127) {
        const std::string e = c.read_exact(8);
        len = 0;
        for (char ch : e) len = (len << 8) | static_cast<unsigned char>(ch);
    }
    f.payload = c.read_exact(static_cast<std::size_t>(len));
    if (f.payload.size() != len) return f;
    f.opcode = b0 & 0x0F;
    f.fin = (b0 & 0x80) != 0;
    return f;
}

response websocket_handshake(client& c, const std::string& path) {
    c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n");
    return c.read_response(true);
}

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

}  // namespace sockjs::net::test
