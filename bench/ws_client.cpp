#include "ws_client.hpp"

#include <cstring>

namespace bench {

ws_client::ws_client(event_loop& loop, events& ev, std::string host, std::string path, std::uint32_t seed)
    : tcp_connection(loop), ev_(&ev), host_(std::move(host)), path_(std::move(path)), rng_(seed | 1u) {}

std::uint32_t ws_client::next_mask() noexcept {
    // xorshift32: masks only need to vary (RFC 6455 wants them unpredictable to proxies; on
    // loopback against our own servers nothing is in between).
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 17;
    rng_ ^= rng_ << 5;
    return rng_;
}

void ws_client::on_connected() {
    upgraded_ = false;
    in_.clear();
    fragment_.clear();
    std::string req;
    req.reserve(256);
    req.append("GET ").append(path_).append(" HTTP/1.1\r\nHost: ").append(host_);
    req.append(
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    write(req);
}

void ws_client::on_closed(std::string_view why) {
    upgraded_ = false;
    ev_->on_ws_closed(why);
}

void ws_client::send_frame(std::uint8_t opcode, std::string_view payload) {
    frame_.clear();
    frame_.push_back(static_cast<char>(0x80 | opcode));
    std::size_t n = payload.size();
    if (n < 126) {
        frame_.push_back(static_cast<char>(0x80 | n));
    } else if (n < 65536) {
        frame_.push_back(static_cast<char>(0x80 | 126));
        frame_.push_back(static_cast<char>(n >> 8));
        frame_.push_back(static_cast<char>(n & 0xff));
    } else {
        frame_.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8) frame_.push_back(static_cast<char>((n >> shift) & 0xff));
    }
    std::uint32_t mask = next_mask();
    unsigned char key[4];
    std::memcpy(key, &mask, 4);
    frame_.append(reinterpret_cast<const char*>(key), 4);
    std::size_t start = frame_.size();
    frame_.append(payload);
    for (std::size_t i = 0; i < n; ++i) frame_[start + i] = static_cast<char>(frame_[start + i] ^ key[i & 3]);
    write(frame_);
}

void ws_client::send_text(std::string_view text) {
    if (upgraded_) send_frame(0x1, text);
}

std::size_t ws_client::parse_frames(std::string_view data, bool& ok) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t size = data.size();
    std::size_t pos = 0;
    ok = true;
    while (size - pos >= 2 && is_open()) {
        unsigned char b0 = p[pos], b1 = p[pos + 1];
        bool fin = (b0 & 0x80) != 0;
        unsigned opcode = b0 & 0x0f;
        if (b1 & 0x80) {  // a server must not mask
            ok = false;
            return pos;
        }
        std::size_t head = 2;
        std::uint64_t len = b1 & 0x7f;
        if (len == 126) {
            if (size - pos < 4) break;
            len = (std::uint64_t{p[pos + 2]} << 8) | p[pos + 3];
            head = 4;
        } else if (len == 127) {
            if (size - pos < 10) break;
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | p[pos + 2 + i];
            head = 10;
        }
        if (len > (64u << 20)) {
            ok = false;
            return pos;
        }
        if (size - pos - head < len) break;
        std::string_view payload(data.data() + pos + head, static_cast<std::size_t>(len));
        pos += head + static_cast<std::size_t>(len);
        switch (opcode) {
        case 0x0:  // continuation
            fragment_.append(payload);
            if (fin) {
                std::string whole = std::move(fragment_);
                fragment_.clear();
                ev_->on_ws_message(whole);
            }
            break;
        case 0x1:
        case 0x2:
            if (fin) {
                ev_->on_ws_message(payload);
            } else {
                fragment_.assign(payload);
            }
            break;
        case 0x8: {
            std::string why = "close frame";
            if (payload.size() >= 2) {
                why += " " + std::to_string((static_cast<unsigned char>(payload[0]) << 8) |
                                            static_cast<unsigned char>(payload[1]));
                why += " " + std::string(payload.substr(2));
            }
            close();
            on_closed(why);
            return pos;
        }
        case 0x9:
            send_frame(0xA, payload);
            break;
        case 0xA:
            break;
        default:
            ok = false;
            return pos;
        }
    }
    return pos;
}

void ws_client::on_bytes(std::string_view bytes) {
    std::string_view data = bytes;
    if (!in_.empty()) {
        in_.append(bytes);
        data = in_;
    }
    std::size_t used = 0;
    if (!upgraded_) {
        auto end = data.find("\r\n\r\n");
        if (end == std::string_view::npos) {
            if (in_.empty()) in_.assign(bytes);
            if (in_.size() > 16384) {
                close();
                on_closed("upgrade response head too large");
            }
            return;
        }
        if (data.substr(0, 12) != "HTTP/1.1 101") {
            std::string status(data.substr(0, data.find("\r\n")));
            close();
            on_closed("upgrade refused: " + status);
            return;
        }
        upgraded_ = true;
        used = end + 4;
        ev_->on_ws_open();
        if (!is_open()) return;
    }
    bool ok = true;
    std::string_view rest = data.substr(used);
    std::size_t n = parse_frames(rest, ok);
    if (!is_open()) return;
    if (!ok) {
        close();
        on_closed("malformed WebSocket frame from server");
        return;
    }
    used += n;
    // Keep only the unparsed tail (in_ may be `data` itself).
    if (data.data() == in_.data()) {
        in_.erase(0, used);
    } else {
        in_.assign(data.substr(used));
    }
}

}  // namespace bench
