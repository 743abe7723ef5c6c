#include "net/websocket_frame.hpp"

#include "net/websocket_deflate.hpp"

#include <sockjs/utf8.hpp>

#include <bit>
#include <cstdint>
#include <cstring>

namespace sockjs::net {

namespace {

bool is_control(ws_opcode op) { return (static_cast<unsigned>(op) & 0x8u) != 0; }

bool known_opcode(unsigned op) {
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

// out[i] = in[i] ^ mask[(phase + i) % 4], eight bytes at a time: byte by byte this loop was
// the largest single cost of a WebSocket echo in user space (~780 of ~5,700 instructions
// per 64-byte message, callgrind). The key is the mask read as one word and rotated to the
// phase (a byte-wise build was ~20 instructions), and the few bytes after the last word are
// a loop, not unrolled: every message runs this code, and what counts for a small one is how
// many distinct code lines it takes (docs/benchmarks.md, "Sixth session").
void unmask(char* out, const char* in, std::size_t n, const unsigned char (&mask)[4], unsigned phase) {
    std::uint32_t m;
    std::memcpy(&m, mask, 4);
    // Memory order: byte j of the key is mask[(phase + j) % 4].
    if (phase != 0) {
        if constexpr (std::endian::native == std::endian::little) m = std::rotr(m, static_cast<int>(8 * phase));
        else m = std::rotl(m, static_cast<int>(8 * phase));
    }
    const std::uint64_t k = (std::uint64_t{m} << 32) | m;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, in + i, 8);
        w ^= k;
        std::memcpy(out + i, &w, 8);
    }
    unsigned char key[4];
    std::memcpy(key, &m, 4);
#pragma GCC unroll 1
    for (; i < n; ++i) out[i] = static_cast<char>(static_cast<unsigned char>(in[i]) ^ key[i & 3]);
}

}  // namespace

bool ws_close_code_valid(int code) {
    if (code >= 3000 && code <= 4999) return true;  // registered / private use
    if (code < 1000 || code > 1014) return false;
    return code != 1004 && code != 1005 && code != 1006;
}

int ws_frame_parser::fail(int code) {
    error_ = code;
    done_ = true;
    return code;
}

// Validates the first two bytes once they are in, and works out the full header length.
// Returns 0 or a close code.
int ws_frame_parser::header_complete() {
    const unsigned b0 = hdr_[0], b1 = hdr_[1];
    if (hdr_need_ == 2) {
        const unsigned op = b0 & 0x0F;
        // RSV1 marks a compressed message once permessage-deflate is agreed, and only on the
        // first frame of a data message; every other reserved bit is an error.
        const bool rsv1 = (b0 & 0x40) != 0;
        if ((b0 & 0x30) || (rsv1 && (!deflate_ || (op != 0x1 && op != 0x2))))
            return fail(ws_close_protocol_error);
        if (!known_opcode(op)) return fail(ws_close_protocol_error);
        if (!(b1 & 0x80)) return fail(ws_close_protocol_error);  // clients must mask
        fin_ = (b0 & 0x80) != 0;
        op_ = static_cast<ws_opcode>(op);
        const unsigned len7 = b1 & 0x7F;
        if (is_control(op_)) {
            if (!fin_ || len7 > 125) return fail(ws_close_protocol_error);
        } else if (op_ == ws_opcode::continuation) {
            if (!in_message_) return fail(ws_close_protocol_error);
        } else if (in_message_) {
            return fail(ws_close_protocol_error);  // new message inside a fragmented one
        }
        if (op_ == ws_opcode::binary && binary_ == ws_binary::refuse)
            return fail(ws_close_unsupported_data);
        hdr_need_ = static_cast<std::uint8_t>(2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4);
        return 0;
    }
    // Whole header present.
    const unsigned len7 = b1 & 0x7F;
    std::size_t pos = 2;
    std::uint64_t len = len7;
    if (len7 == 126) {
        len = (std::uint64_t{hdr_[2]} << 8) | hdr_[3];
        pos = 4;
    } else if (len7 == 127) {
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | hdr_[2 + i];
        if (len >> 63) return fail(ws_close_protocol_error);
        pos = 10;
    }
    for (int i = 0; i < 4; ++i) mask_[i] = hdr_[pos + i];
    mask_pos_ = 0;
    remaining_ = len;
    if (is_control(op_)) {
        control_.clear();
    } else {
        const bool compressed = in_message_ ? message_compressed_ : (hdr_[0] & 0x40) != 0;
        // message_ holds the previous message until this one starts (a sink need not take it).
        const std::size_t so_far = in_message_ ? message_.size() : 0;
        if (len > max_message_ || (!compressed && so_far + len > max_message_)) return fail(ws_close_too_big);
        if (!in_message_) {
            in_message_ = true;
            message_binary_ = (op_ == ws_opcode::binary);
            message_compressed_ = (hdr_[0] & 0x40) != 0;
            message_.clear();
            utf8_.reset();
        }
        // A compressed message's size is known only as it inflates (bounded there).
        if (!message_compressed_) message_.reserve(message_.size() + static_cast<std::size_t>(len));
    }
    in_payload_ = true;
    return 0;
}

bool ws_frame_parser::frame_complete(ws_frame_sink& sink) {
    in_payload_ = false;
    hdr_have_ = 0;
    hdr_need_ = 2;
    switch (op_) {
    case ws_opcode::ping:
        return sink.on_ws_ping(control_);
    case ws_opcode::pong:
        return sink.on_ws_pong(control_);
    case ws_opcode::close: {
        done_ = true;  // nothing after a close frame is read
        if (control_.empty()) return sink.on_ws_close(ws_close_no_status, {});
        if (control_.size() == 1) {
            fail(ws_close_protocol_error);
            return false;
        }
        const int code = (static_cast<unsigned char>(control_[0]) << 8) |
                         static_cast<unsigned char>(control_[1]);
        if (!ws_close_code_valid(code)) {
            fail(ws_close_protocol_error);
            return false;
        }
        const std::string_view reason = std::string_view(control_).substr(2);
        if (!utf8_valid(reason)) {
            fail(ws_close_invalid_payload);
            return false;
        }
        return sink.on_ws_close(code, reason);
    }
    default:
        break;
    }
    if (!fin_) return true;  // more fragments to come
    in_message_ = false;
    if (message_compressed_) {
        const std::size_t before = message_.size();
        if (const int e = deflate_->inflate({}, true, message_, max_message_)) {
            fail(e);
            return false;
        }
        if (!message_binary_ && !utf8_.feed(std::string_view(message_).substr(before))) {
            fail(ws_close_invalid_payload);
            return false;
        }
    }
    if (!message_binary_ && !utf8_.at_boundary()) {
        fail(ws_close_invalid_payload);
        return false;
    }
    return sink.on_ws_message(std::move(message_), message_binary_);
}

const char* ws_frame_parser::whole_message(const char* p, const char* end, ws_frame_sink& sink) {
    if (end - p < 6) return nullptr;
    const unsigned b0 = static_cast<unsigned char>(p[0]), b1 = static_cast<unsigned char>(p[1]);
    const unsigned op = b0 & 0x0F;
    // FIN, no reserved bit, masked, text (or binary when accepted), under 64 KiB.
    if ((b0 & 0xF0) != 0x80 || !(b1 & 0x80) || (b1 & 0x7F) == 127) return nullptr;
    if (op != 0x1 && (op != 0x2 || binary_ == ws_binary::refuse)) return nullptr;
    std::size_t len = b1 & 0x7F;
    std::size_t hdr = 6;
    if (len == 126) {
        if (end - p < 8) return nullptr;
        len = (std::size_t{static_cast<unsigned char>(p[2])} << 8) | static_cast<unsigned char>(p[3]);
        hdr = 8;
    }
    if (len > max_message_ || static_cast<std::size_t>(end - p) - hdr < len) return nullptr;
    unsigned char mask[4];
    std::memcpy(mask, p + hdr - 4, 4);
    message_.clear();  // then append, as the core's queue does: one string member, not two
    message_.append(p + hdr, len);
    unmask(message_.data(), message_.data(), len, mask, 0);
    const bool binary = op == 0x2;
    if (!binary && !utf8_valid(message_)) {
        fail(ws_close_invalid_payload);
        return nullptr;
    }
    op_ = static_cast<ws_opcode>(op);
    if (!sink.on_ws_message(std::move(message_), binary)) done_ = true;
    return p + hdr + len;
}

int ws_frame_parser::feed(std::string_view bytes, ws_frame_sink& sink) {
    const char* p = bytes.data();
    const char* const end = p + bytes.size();
    while (!done_) {
        if (!in_payload_) {
            // The common case, a whole unfragmented message in the input, in one pass.
            if (hdr_have_ == 0 && !in_message_) {
                if (const char* next = whole_message(p, end, sink)) {
                    p = next;
                    continue;
                }
                if (done_) break;
            }
            while (hdr_have_ < hdr_need_ && p < end) hdr_[hdr_have_++] = static_cast<unsigned char>(*p++);
            if (hdr_have_ < hdr_need_) break;  // need more input
            if (int e = header_complete()) return e;
            if (!in_payload_) continue;  // first two bytes done: read the rest of the header
        }
        if (remaining_ > 0) {
            if (p == end) break;
            const std::size_t avail = static_cast<std::size_t>(end - p);
            const std::size_t n = remaining_ < avail ? static_cast<std::size_t>(remaining_) : avail;
            const bool inflating = !(static_cast<unsigned>(op_) & 0x8u) && message_compressed_;
            std::string& target = (static_cast<unsigned>(op_) & 0x8u) ? control_ : inflating ? deflate_->scratch() : message_;
            if (inflating) target.clear();
            const std::size_t base = target.size();
            target.resize(base + n);
            char* out = target.data() + base;
            unmask(out, p, n, mask_, static_cast<unsigned>(mask_pos_));
            mask_pos_ = static_cast<std::uint8_t>((mask_pos_ + n) & 3);
            p += n;
            remaining_ -= n;
            if (inflating) {
                const std::size_t before = message_.size();
                if (const int e = deflate_->inflate(target, false, message_, max_message_)) return fail(e);
                if (!message_binary_ && !utf8_.feed(std::string_view(message_).substr(before)))
                    return fail(ws_close_invalid_payload);
            } else if (&target == &message_ && !message_binary_ && !utf8_.feed(std::string_view(out, n))) {
                return fail(ws_close_invalid_payload);
            }
            if (remaining_ > 0) break;
        }
        if (!frame_complete(sink)) {
            done_ = true;
            return error_;
        }
    }
    return error_;
}

std::size_t ws_frame_header(unsigned char (&out)[10], ws_opcode op, std::size_t len, bool compressed) {
    out[0] = static_cast<unsigned char>(0x80u | (compressed ? 0x40u : 0u) | static_cast<unsigned>(op));
    if (len < 126) {
        out[1] = static_cast<unsigned char>(len);
        return 2;
    }
    if (len <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<unsigned char>(len >> 8);
        out[3] = static_cast<unsigned char>(len);
        return 4;
    }
    out[1] = 127;
    const auto v = static_cast<std::uint64_t>(len);
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>(v >> (56 - 8 * i));
    return 10;
}

std::string ws_encode_frame(ws_opcode op, std::string_view payload) {
    unsigned char hdr[10];
    const std::size_t n = ws_frame_header(hdr, op, payload.size());
    std::string out(reinterpret_cast<const char*>(hdr), n);
    out.append(payload);
    return out;
}

std::string ws_close_payload(int code, std::string_view reason) {
    std::string out;
    if (code == ws_close_no_status || code < 1000 || code > 4999 || code == ws_close_abnormal ||
        code == 1015)
        return out;
    out.push_back(static_cast<char>((code >> 8) & 0xFF));
    out.push_back(static_cast<char>(code & 0xFF));
    std::string fixed;
    if (!utf8_valid(reason)) {
        fixed = utf8_replace_invalid(reason);
        reason = fixed;
    }
    if (reason.size() > 123) {
        std::size_t cut = 123;
        // Do not split a UTF-8 sequence: back up over continuation bytes.
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
        reason = reason.substr(0, cut);
    }
    out.append(reason);
    return out;
}

}  // namespace sockjs::net
