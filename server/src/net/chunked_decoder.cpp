#include "net/chunked_decoder.hpp"

namespace sockjs::net {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

chunked_decoder::status chunked_decoder::feed(std::string_view in, std::string& body,
                                              std::size_t& consumed) {
    std::size_t i = 0;
    auto finish = [&](status s) {
        consumed = i;
        return s;
    };
    while (i < in.size()) {
        const char c = in[i];
        switch (state_) {
        case state::size: {
            const int v = hex_value(c);
            if (v >= 0) {
                if (++size_digits_ > 15) return finish(status::bad);  // would overflow
                chunk_ = chunk_ * 16 + static_cast<unsigned>(v);
                ++i;
                break;
            }
            if (size_digits_ == 0) return finish(status::bad);
            if (chunk_ > max_body_ - body.size()) return finish(status::too_large);
            line_len_ = 0;
            state_ = state::size_ext;
            break;  // re-examine c as part of the extension / line end
        }
        case state::size_ext:
            // Chunk extensions (";name=value") are allowed and ignored.
            ++i;
            if (c == '\n') {
                state_ = chunk_ == 0 ? state::trailer : state::data;
                line_len_ = 0;
            } else if (++line_len_ > max_line_) {
                return finish(status::bad);
            }
            break;
        case state::data: {
            const std::size_t avail = in.size() - i;
            const std::size_t n = chunk_ < avail ? static_cast<std::size_t>(chunk_) : avail;
            body.append(in.data() + i, n);
            i += n;
            chunk_ -= n;
            if (chunk_ == 0) state_ = state::data_cr;
            break;
        }
        case state::data_cr:
            ++i;
            if (c == '\r') state_ = state::data_lf;
            else if (c == '\n') state_ = state::size, size_digits_ = 0;
            else return finish(status::bad);
            break;
        case state::data_lf:
            ++i;
            if (c != '\n') return finish(status::bad);
            state_ = state::size;
            size_digits_ = 0;
            break;
        case state::trailer:
            // After the last chunk: trailer fields (ignored) until an empty line.
            ++i;
            if (c == '\n') {
                if (line_len_ == 0) {
                    state_ = state::done;
                    return finish(status::done);
                }
                line_len_ = 0;
            } else if (c != '\r' || line_len_ > 0) {
                if (++line_len_ > max_line_) return finish(status::bad);
            }
            break;
        case state::done:
            return finish(status::done);
        }
    }
    return finish(state_ == state::done ? status::done : status::need_more);
}

}  // namespace sockjs::net
