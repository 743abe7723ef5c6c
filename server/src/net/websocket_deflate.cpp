#include "net/websocket_deflate.hpp"

#include "net/websocket_frame.hpp"

#include <algorithm>
#include <vector>

namespace sockjs::net {

namespace {

constexpr unsigned char tail[4] = {0x00, 0x00, 0xFF, 0xFF};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        const std::size_t at = s.find(sep);
        out.push_back(trim(s.substr(0, at)));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}

// A window-bits value: 8..15 as plain digits (a quoted form is allowed by RFC 7692's ABNF).
int window_bits(std::string_view v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty() || v.size() > 2 || (v.size() == 2 && v[0] == '0')) return -1;
    int n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return -1;
        n = n * 10 + (c - '0');
    }
    return n >= 8 && n <= 15 ? n : -1;
}

int mem_level_for(int window) { return std::clamp(window - 7, 1, 8); }

// One offer (the parameters after "permessage-deflate"), or nothing if it must be declined.
std::optional<ws_deflate_params> accept_offer(const std::vector<std::string_view>& params,
                                              const websocket_deflate_options& o) {
    ws_deflate_params p;
    bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
    int offered_server_bits = 15;
    int offered_client_bits = -1;  // -1: the client did not say it can take client_max_window_bits
    for (std::size_t i = 1; i < params.size(); ++i) {
        const std::string_view param = params[i];
        const std::size_t eq = param.find('=');
        const std::string_view name = trim(param.substr(0, eq));
        const bool has_value = eq != std::string_view::npos;
        const std::string_view value = has_value ? trim(param.substr(eq + 1)) : std::string_view{};
        if (name == "server_no_context_takeover" && !has_value && !seen_snct) {
            seen_snct = true;
        } else if (name == "client_no_context_takeover" && !has_value && !seen_cnct) {
            seen_cnct = true;
        } else if (name == "server_max_window_bits" && has_value && !seen_smwb) {
            seen_smwb = true;
            offered_server_bits = window_bits(value);
            if (offered_server_bits < 0) return std::nullopt;
        } else if (name == "client_max_window_bits" && !seen_cmwb) {
            seen_cmwb = true;
            offered_client_bits = has_value ? window_bits(value) : 15;
            if (offered_client_bits < 0) return std::nullopt;
        } else {
            return std::nullopt;  // unknown, duplicate or malformed parameter
        }
    }
    // zlib makes no 8-bit raw deflate windows (it silently uses 9): decline rather than break
    // a client that can only read 8.
    if (offered_server_bits < 9) return std::nullopt;
    p.server_window_bits = std::clamp(std::min(o.server_max_window_bits, offered_server_bits), 9, 15);
    p.client_window_bits = offered_client_bits < 0 ? 15 : std::clamp(std::min(o.client_max_window_bits, offered_client_bits), 9, 15);
    p.server_no_context_takeover = seen_snct || o.server_no_context_takeover;
    p.client_no_context_takeover = seen_cnct || o.client_no_context_takeover;
    // Fit the memory bound: our window first, then theirs if the offer lets us choose it.
    while (ws_deflate_memory(p.server_window_bits, p.client_window_bits, mem_level_for(p.server_window_bits)) >
           o.memory_per_connection) {
        if (p.server_window_bits > 9) --p.server_window_bits;
        else if (offered_client_bits >= 0 && p.client_window_bits > 9) --p.client_window_bits;
        else return std::nullopt;
    }
    // The server_max_window_bits we answer must not exceed an offered one; an offer without
    // it leaves us free to announce a smaller window.
    return p;
}

}  // namespace

std::string ws_deflate_params::response_header() const {
    std::string h = "permessage-deflate";
    if (server_no_context_takeover) h += "; server_no_context_takeover";
    if (client_no_context_takeover) h += "; client_no_context_takeover";
    if (server_window_bits < 15) h += "; server_max_window_bits=" + std::to_string(server_window_bits);
    if (client_window_bits < 15) h += "; client_max_window_bits=" + std::to_string(client_window_bits);
    return h;
}

std::size_t ws_deflate_memory(int server_window_bits, int client_window_bits, int mem_level) {
    return (std::size_t{1} << (server_window_bits + 2)) + (std::size_t{1} << (mem_level + 9)) +
           (std::size_t{1} << client_window_bits) + 7 * 1024;
}

std::optional<ws_deflate_params> ws_deflate_negotiate(std::string_view offers,
                                                      const websocket_deflate_options& o) {
    if (!o.enabled) return std::nullopt;
    for (std::string_view offer : split(offers, ',')) {
        const auto params = split(offer, ';');
        if (params.empty() || params[0] != "permessage-deflate") continue;
        if (auto p = accept_offer(params, o)) return p;
    }
    return std::nullopt;
}

ws_deflate::ws_deflate(const ws_deflate_params& p) : p_(p) {
    const bool in_ok = inflateInit2(&in_, -p.client_window_bits) == Z_OK;
    const bool out_ok = deflateInit2(&out_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -p.server_window_bits,
                                     mem_level_for(p.server_window_bits), Z_DEFAULT_STRATEGY) == Z_OK;
    ok_ = in_ok && out_ok;
}

ws_deflate::~ws_deflate() {
    inflateEnd(&in_);
    deflateEnd(&out_);
}

int ws_deflate::inflate(std::string_view in, bool last, std::string& out, std::size_t max) {
    unsigned char buf[16384];
    auto run = [&](const unsigned char* data, std::size_t size) -> int {
        in_.next_in = const_cast<unsigned char*>(data);
        in_.avail_in = static_cast<uInt>(size);
        do {
            in_.next_out = buf;
            in_.avail_out = sizeof buf;
            const int r = ::inflate(&in_, Z_SYNC_FLUSH);
            if (r != Z_OK && r != Z_BUF_ERROR && r != Z_STREAM_END) return ws_close_invalid_payload;
            const std::size_t n = sizeof buf - in_.avail_out;
            if (out.size() + n > max) return ws_close_too_big;
            out.append(reinterpret_cast<const char*>(buf), n);
            if (r == Z_STREAM_END) {
                inflateReset(&in_);  // a final block ended the stream: the rest starts a new one
            } else if (n == 0 && (in_.avail_in == 0 || r == Z_BUF_ERROR)) {
                break;  // all input taken (or no progress possible: left for the next piece)
            }
        } while (in_.avail_in > 0 || in_.avail_out == 0);
        return 0;
    };
    if (int e = run(reinterpret_cast<const unsigned char*>(in.data()), in.size())) return e;
    if (last) {
        if (int e = run(tail, sizeof tail)) return e;
        if (p_.client_no_context_takeover) inflateReset(&in_);
    }
    return 0;
}

std::string ws_deflate::deflate(std::string_view message) {
    std::string out;
    out.resize(deflateBound(&out_, static_cast<uLong>(message.size())) + 16);
    out_.next_in = reinterpret_cast<unsigned char*>(const_cast<char*>(message.data()));
    out_.avail_in = static_cast<uInt>(message.size());
    out_.next_out = reinterpret_cast<unsigned char*>(out.data());
    out_.avail_out = static_cast<uInt>(out.size());
    for (;;) {
        ::deflate(&out_, Z_SYNC_FLUSH);
        if (out_.avail_out > 0) break;
        const std::size_t have = out.size();
        out.resize(have * 2);
        out_.next_out = reinterpret_cast<unsigned char*>(out.data()) + have;
        out_.avail_out = static_cast<uInt>(out.size() - have);
    }
    out.erase(out.size() - out_.avail_out);
    if (out.size() >= 4 && std::equal(out.end() - 4, out.end(), reinterpret_cast<const char*>(tail)))
        out.erase(out.size() - 4);
    if (p_.server_no_context_takeover) deflateReset(&out_);
    return out;
}

}  // namespace sockjs::net
