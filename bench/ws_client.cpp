#include "ws_client.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace bench {

namespace {

constexpr std::size_t max_message = 64u << 20;
constexpr unsigned char deflate_tail[4] = {0x00, 0x00, 0xff, 0xff};

std::string lower(std::string_view s) {
    std::string r(s);
    std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return r;
}

}  // namespace

/// Raw deflate streams (no zlib header, 15-bit window), kept across messages (context
/// takeover) unless the server asks otherwise.
struct ws_client::zlib_streams {
    z_stream out{}, in{};
    zlib_streams() {
        if (deflateInit2(&out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK ||
            inflateInit2(&in, -15) != Z_OK)
            throw std::runtime_error("zlib init failed");
    }
    ~zlib_streams() {
        deflateEnd(&out);
        inflateEnd(&in);
    }
    zlib_streams(const zlib_streams&) = delete;
    zlib_streams& operator=(const zlib_streams&) = delete;
};

ws_client::ws_client(event_loop& loop, events& ev, std::string host, std::string path, std::uint32_t seed,
                     bool deflate)
    : tcp_connection(loop), ev_(&ev), host_(std::move(host)), path_(std::move(path)), rng_(seed | 1u),
      deflate_(deflate) {}

ws_client::~ws_client() = default;

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
    compressing_ = false;
    reset_per_message_ = false;
    in_.clear();
    fragment_.clear();
    if (deflate_) z_ = std::make_unique<zlib_streams>();  // fresh contexts per connection
    std::string req;
    req.reserve(256);
    req.append("GET ").append(path_).append(" HTTP/1.1\r\nHost: ").append(host_);
    req.append(
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
    if (deflate_) req.append("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    req.append("\r\n");
    write(req);
}

void ws_client::on_closed(std::string_view why) {
    upgraded_ = false;
    ev_->on_ws_closed(why);
}

bool ws_client::accept_extensions(std::string_view head, std::string& why) {
    const std::string h = lower(head);
    std::string value;
    for (std::size_t at = h.find("\r\nsec-websocket-extensions:"); at != std::string::npos;
         at = h.find("\r\nsec-websocket-extensions:", at + 2)) {
        const std::size_t from = at + 28, to = h.find("\r\n", from);
        value.append(h, from, to - from).push_back(',');
    }
    if (!deflate_) {
        if (value.empty()) return true;
        why = "extensions the client did not offer: " + value;
        return false;
    }
    if (value.find("permessage-deflate") == std::string::npos) {
        why = "the server declined permessage-deflate";
        return false;
    }
    // We offered no parameters: client_max_window_bits may not come back; the server's own
    // window and context choices need nothing from an inflater with a 15-bit window.
    if (value.find("client_max_window_bits") != std::string::npos) {
        why = "client_max_window_bits in the answer, not offered: " + value;
        return false;
    }
    reset_per_message_ = value.find("client_no_context_takeover") != std::string::npos;
    compressing_ = true;
    return true;
}

bool ws_client::inflate_message(std::string_view payload) {
    z_stream& z = z_->in;
    inflated_.clear();
    char buf[16384];
    for (int part = 0; part < 2; ++part) {
        // The message, then the four bytes the sender removed (RFC 7692 7.2.2).
        z.next_in = part == 0 ? reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()))
                              : const_cast<Bytef*>(deflate_tail);
        z.avail_in = static_cast<uInt>(part == 0 ? payload.size() : sizeof deflate_tail);
        do {
            z.next_out = reinterpret_cast<Bytef*>(buf);
            z.avail_out = sizeof buf;
            int rc = inflate(&z, Z_SYNC_FLUSH);
            if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return false;
            inflated_.append(buf, sizeof buf - z.avail_out);
            if (inflated_.size() > max_message) return false;
            if (rc == Z_STREAM_END) inflateReset(&z);  // a final block: a new stream may follow
        } while (z.avail_in > 0 || z.avail_out == 0);
    }
    return true;
}

void ws_client::deliver(std::string_view payload, bool compressed, bool& ok) {
    if (!compressed) {
        ev_->on_ws_message(payload);
        return;
    }
    if (!inflate_message(payload)) {
        ok = false;
        return;
    }
    ev_->on_ws_message(inflated_);
}

void ws_client::send_frame(std::uint8_t opcode, std::string_view payload) {
    bool compress = compressing_ && (opcode == 0x1 || opcode == 0x2);
    if (compress) {
        z_stream& z = z_->out;
        deflated_.clear();
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
        z.avail_in = static_cast<uInt>(payload.size());
        char buf[16384];
        do {
            z.next_out = reinterpret_cast<Bytef*>(buf);
            z.avail_out = sizeof buf;
            deflate(&z, Z_SYNC_FLUSH);
            deflated_.append(buf, sizeof buf - z.avail_out);
        } while (z.avail_out == 0);
        if (deflated_.size() >= 4) deflated_.resize(deflated_.size() - 4);  // 00 00 ff ff
        if (reset_per_message_) deflateReset(&z);
        payload = deflated_;
    }
    frame_.clear();
    frame_.push_back(static_cast<char>(0x80 | (compress ? 0x40 : 0) | opcode));
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
        bool rsv1 = (b0 & 0x40) != 0;
        if ((b0 & 0x30) != 0 || (rsv1 && (!compressing_ || (b0 & 0x0f) == 0 || (b0 & 0x08) != 0))) {
            ok = false;  // RSV1 only on the first frame of a data message, and only if negotiated
            return pos;
        }
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
        if (len > max_message) {
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
                deliver(whole, fragment_compressed_, ok);
                if (!ok) return pos;
            }
            break;
        case 0x1:
        case 0x2:
            if (fin) {
                deliver(payload, rsv1, ok);
                if (!ok) return pos;
            } else {
                fragment_.assign(payload);
                fragment_compressed_ = rsv1;
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
        std::string why;
        if (!accept_extensions(data.substr(0, end + 2), why)) {
            close();
            on_closed("upgrade: " + why);
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
