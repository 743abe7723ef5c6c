#include "http_client.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace bench {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x | 0x20) == (y | 0x20);
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool contains_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        auto comma = value.find(',');
        if (iequals(trim(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

http_client::http_client(event_loop& loop, events& ev, std::string host)
    : tcp_connection(loop), ev_(&ev), host_(std::move(host)) {}

void http_client::on_connected() {
    state_ = state::idle;
    in_.clear();
    ev_->on_http_ready(*this);
}

void http_client::post(std::string_view path, std::string_view body) {
    request("POST", path, body, "text/plain;charset=UTF-8");
}

void http_client::request(std::string_view method, std::string_view path, std::string_view body,
                          std::string_view content_type) {
    if (!ready()) return;
    req_.clear();
    req_.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_);
    if (!content_type.empty()) req_.append("\r\nContent-Type: ").append(content_type);
    if (method != "GET" || !body.empty())
        req_.append("\r\nContent-Length: ").append(std::to_string(body.size()));
    req_.append("\r\n\r\n").append(body);
    state_ = state::head;
    in_.clear();
    close_after_ = false;
    write(req_);
}

bool http_client::parse_head(std::string_view head) {
    // "HTTP/1.1 200 OK"
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return false;
    bool http10 = head.substr(0, 8) == "HTTP/1.0";
    int status = 0;
    auto [p, ec] = std::from_chars(head.data() + 9, head.data() + 12, status);
    if (ec != std::errc() || p != head.data() + 12) return false;
    close_after_ = http10;
    bool chunked = false;
    bool have_length = false;
    std::size_t length = 0;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        std::size_t start = pos + 2;
        std::size_t end = head.find("\r\n", start);
        std::string_view line = head.substr(start, end == std::string_view::npos ? head.npos : end - start);
        pos = end;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = trim(line.substr(0, colon));
        std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length")) {
            auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), length);
            if (e != std::errc() || q != value.data() + value.size()) return false;
            have_length = true;
        } else if (iequals(name, "transfer-encoding")) {
            chunked = contains_token(value, "chunked");
        } else if (iequals(name, "connection")) {
            if (contains_token(value, "close")) close_after_ = true;
            if (contains_token(value, "keep-alive")) close_after_ = false;
        }
    }
    ev_->on_http_head(*this, status);
    if (!is_open()) return true;
    if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
        state_ = state::idle;
    } else if (chunked) {
        state_ = state::chunk_size;
    } else if (have_length) {
        left_ = length;
        state_ = length == 0 ? state::idle : state::body_length;
    } else {
        state_ = state::body_close;
        close_after_ = true;
    }
    return true;
}

void http_client::finish() {
    state_ = state::idle;
    in_.clear();
    if (close_after_) close();
    ev_->on_http_done(*this);
    if (close_after_ && !retired_) connect();
}

void http_client::error(std::string why) {
    close();
    state_ = state::idle;
    ev_->on_http_error(*this, why);
}

void http_client::on_closed(std::string_view why) {
    state old = state_;
    state_ = state::idle;
    if (old == state::body_close) {
        ev_->on_http_done(*this);
        if (!retired_) connect();
    } else if (old == state::idle && why == "closed by server") {
        // An idle keep-alive connection the server let go: open a new one.
        if (!retired_) connect();
    } else {
        ev_->on_http_error(*this, why);
    }
}

void http_client::on_bytes(std::string_view data) {
    while (!data.empty() && is_open()) {
        switch (state_) {
        case state::idle:
            error("bytes from the server with no request pending");
            return;
        case state::head: {
            std::size_t from = in_.size() >= 3 ? in_.size() - 3 : 0;
            in_.append(data);
            auto end = in_.find("\r\n\r\n", from);
            if (end == std::string::npos) {
                if (in_.size() > 16384) error("response head too large");
                return;
            }
            // The bytes after the head go back to the loop (`data` is re-pointed at them).
            std::size_t used = end + 4 - (in_.size() - data.size());
            std::string head = in_.substr(0, end + 2);
            in_.clear();
            data.remove_prefix(used);
            if (!parse_head(head)) {
                error("malformed response head");
                return;
            }
            if (state_ == state::idle) finish();
            break;
        }
        case state::body_length:
        case state::chunk_data: {
            std::size_t n = std::min(left_, data.size());
            left_ -= n;
            ev_->on_http_body(*this, data.substr(0, n));
            data.remove_prefix(n);
            if (left_ == 0) {
                if (state_ == state::body_length) finish();
                else if (state_ == state::chunk_data) { state_ = state::chunk_crlf; left_ = 2; }
            }
            break;
        }
        case state::chunk_crlf: {
            std::size_t n = std::min(left_, data.size());
            left_ -= n;
            data.remove_prefix(n);
            if (left_ == 0) state_ = state::chunk_size;
            break;
        }
        case state::chunk_size:
        case state::trailer: {
            auto nl = data.find('\n');
            if (nl == std::string_view::npos) {
                in_.append(data);
                if (in_.size() > 1024) error("chunk line too long");
                return;
            }
            in_.append(data.substr(0, nl + 1));
            data.remove_prefix(nl + 1);
            std::string_view line = trim(in_);
            if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
            line = trim(line);
            if (state_ == state::trailer) {
                bool last = line.empty();
                in_.clear();
                if (last) finish();
                break;
            }
            std::size_t size = 0;
            auto semi = line.find(';');
            std::string_view hex = trim(line.substr(0, semi));
            auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
            in_.clear();
            if (ec != std::errc() || p != hex.data() + hex.size()) {
                error("malformed chunk size");
                return;
            }
            if (size == 0) {
                state_ = state::trailer;
            } else {
                state_ = state::chunk_data;
                left_ = size;
            }
            break;
        }
        case state::body_close:
            ev_->on_http_body(*this, data);
            return;
        }
    }
}

}  // namespace bench
