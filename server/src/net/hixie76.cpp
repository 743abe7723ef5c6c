#include "net/hixie76.hpp"

#include "net/http_parser.hpp"
#include "net/websocket_frame.hpp"

#include <sockjs/utf8.hpp>

#include <Poco/MD5Engine.h>

#include <cstdint>
#include <cstring>

namespace sockjs::net {

std::optional<std::uint32_t> hixie76_key_number(std::string_view key) {
    std::uint64_t number = 0;
    std::uint64_t spaces = 0;
    for (char c : key) {
        if (c >= '0' && c <= '9') {
            number = number * 10 + static_cast<std::uint64_t>(c - '0');
            if (number > 0xFFFFFFFFull * 12) return std::nullopt;  // no valid key gets here
        } else if (c == ' ') {
            ++spaces;
        }
    }
    if (spaces == 0 || number % spaces != 0) return std::nullopt;
    const std::uint64_t value = number / spaces;
    if (value > 0xFFFFFFFFull) return std::nullopt;
    return static_cast<std::uint32_t>(value);
}

std::optional<std::string> hixie76_answer(std::string_view key1, std::string_view key2,
                                          std::string_view key3) {
    const auto n1 = hixie76_key_number(key1);
    const auto n2 = hixie76_key_number(key2);
    if (!n1 || !n2 || key3.size() != 8) return std::nullopt;
    unsigned char challenge[16];
    for (int i = 0; i < 4; ++i) {
        challenge[i] = static_cast<unsigned char>(*n1 >> (24 - 8 * i));
        challenge[4 + i] = static_cast<unsigned char>(*n2 >> (24 - 8 * i));
    }
    std::memcpy(challenge + 8, key3.data(), 8);
    Poco::MD5Engine md5;
    md5.update(challenge, sizeof challenge);
    const Poco::DigestEngine::Digest& d = md5.digest();
    return std::string(d.begin(), d.end());
}

std::optional<std::string> hixie76_location(std::string_view host, std::string_view path,
                                            std::string_view query) {
    if (!valid_host(host)) return std::nullopt;
    std::string out = "ws://";
    out.append(host);
    const auto append_escaped = [&out](std::string_view s) {
        static constexpr char hex[] = "0123456789ABCDEF";
        for (char c : s) {
            const auto b = static_cast<unsigned char>(c);
            if (b > 0x20 && b < 0x7F) {
                out.push_back(c);
            } else {
                out.push_back('%');
                out.push_back(hex[b >> 4]);
                out.push_back(hex[b & 15]);
            }
        }
    };
    append_escaped(path);
    if (!query.empty()) {
        out.push_back('?');
        append_escaped(query);
    }
    return out;
}

int hixie76_parser::feed(std::string_view bytes, hixie76_sink& sink) {
    std::size_t i = 0;
    while (!done_ && i < bytes.size()) {
        switch (state_) {
        case state::frame_type: {
            const auto type = static_cast<unsigned char>(bytes[i++]);
            if (type == 0x00) {
                state_ = state::text;
                message_.clear();
            } else if (type == 0xFF) {
                state_ = state::close_length;
            } else {
                done_ = true;
                return error_ = ws_close_protocol_error;
            }
            break;
        }
        case state::text: {
            const auto* start = bytes.data() + i;
            const auto* stop = static_cast<const char*>(std::memchr(start, '\xFF', bytes.size() - i));
            const std::size_t n = stop ? static_cast<std::size_t>(stop - start) : bytes.size() - i;
            if (message_.size() + n > max_message_) {
                done_ = true;
                return error_ = ws_close_too_big;
            }
            message_.append(start, n);
            i += n;
            if (!stop) break;
            ++i;  // the 0xFF terminator
            state_ = state::frame_type;
            if (!utf8_valid(message_)) {
                done_ = true;
                return error_ = ws_close_invalid_payload;
            }
            if (!sink.on_hixie_message(std::move(message_))) {
                done_ = true;
                return 0;
            }
            message_.clear();
            break;
        }
        case state::close_length: {
            const auto len = static_cast<unsigned char>(bytes[i++]);
            done_ = true;
            if (len != 0x00) return error_ = ws_close_protocol_error;  // length-prefixed frames unsupported
            sink.on_hixie_close();
            return 0;
        }
        }
    }
    return error_;
}

void hixie76_append_frame(std::string& out, std::string_view utf8) {
    out.push_back('\x00');
    out.append(utf8);
    out.push_back('\xFF');
}

}  // namespace sockjs::net
