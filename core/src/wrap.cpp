#include <sockjs/frame.hpp>
#include <sockjs/json_escape.hpp>
#include <sockjs/wrap.hpp>

#include "json_string.hpp"
#include "reserve.hpp"
#include "swar.hpp"
#include "text_scan.hpp"
#include "wrap_detail.hpp"

#include <algorithm>

namespace sockjs {

namespace {

constexpr std::size_t max_callback_length = 32;

constexpr bool is_callback_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

// The callback as it may appear in a response: a callback that skipped validate_callback
// loses its other characters (and its tail past 32) rather than open a script injection.
void append_callback(std::string& out, std::string_view callback) {
    callback = callback.substr(0, max_callback_length);
    if (std::all_of(callback.begin(), callback.end(), is_callback_char)) {
        out.append(callback);
        return;
    }
    for (char c : callback)
        if (is_callback_char(c)) out.push_back(c);
}

// The htmlfile page, around the callback name. The protocol suite compares this text exactly
// (after trimming the padding); the document.domain line lets the page talk to its parent.
constexpr std::string_view htmlfile_head =
    "<!doctype html>\n"
    "<html><head>\n"
    "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
    "</head><body><h2>Don't panic!</h2>\n"
    "  <script>\n"
    "    document.domain = document.domain;\n"
    "    var c = parent.";
constexpr std::string_view htmlfile_tail =
    ";\n"
    "    c.start();\n"
    "    function p(d) {c.message(d);};\n"
    "    window.onload = function() {c.stop();};\n"
    "  </script>\n";
// Old IE renders nothing of a streamed page before it has 1 KiB, so the page is padded past it.
constexpr std::size_t htmlfile_min_size = 1024;

constexpr std::string_view htmlfile_call_open = "<script>\np(";
constexpr std::string_view htmlfile_call_close = ");\n</script>\r\n";
constexpr std::string_view jsonp_call_close = ");\r\n";

constexpr bool eventsource_escaped(char c) noexcept { return c == '%' || c == '\r' || c == '\n' || c == '\0'; }

// EventSource splits on CR/LF and cannot carry NUL, so those (and the escape character itself)
// travel URL-escaped inside the data line.
void append_eventsource_data(std::string& out, std::string_view f) {
    const char* p = f.data();
    const char* const end = p + f.size();
    const char* run = p;
    for (; p < end; ++p) {
        while (end - p >= 8) {  // frames rarely hold any of the four: skip words without them
            const std::uint64_t w = detail::load_word(p);
            if ((detail::has_byte(w, '%') | detail::has_byte(w, '\r') | detail::has_byte(w, '\n') |
                 detail::has_byte(w, 0)) != 0)
                break;
            p += 8;
        }
        if (p == end) break;
        if (!eventsource_escaped(*p)) continue;
        out.append(run, static_cast<std::size_t>(p - run));
        switch (*p) {
        case '%': out.append("%25", 3); break;
        case '\r': out.append("%0D", 3); break;
        case '\n': out.append("%0A", 3); break;
        default: out.append("%00", 3); break;
        }
        run = p + 1;
    }
    out.append(run, static_cast<std::size_t>(end - run));
}

// The end (index of the closing quote) of the JSON string literal whose opening quote is at
// `open`, or npos if the buffer ends first.
std::size_t json_string_end(const std::string& buf, std::size_t open) {
    for (std::size_t i = open + 1; i < buf.size(); ++i) {
        if (buf[i] == '\\') {
            ++i;
        } else if (buf[i] == '"') {
            return i;
        }
    }
    return std::string::npos;
}

}  // namespace

// Undoes append_eventsource_data: only the four escapes it produces are decoded.
std::string detail::eventsource_unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t run = 0;
    for (std::size_t i = 0; i + 2 < s.size(); ++i) {
        if (s[i] != '%') continue;
        const int hi = detail::hex_value(s[i + 1]), lo = detail::hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) continue;
        const char c = static_cast<char>(hi * 16 + lo);
        if (!eventsource_escaped(c)) continue;
        out.append(s.substr(run, i - run));
        out.push_back(c);
        run = i + 3;
        i += 2;
    }
    out.append(s.substr(std::min(run, s.size())));
    return out;
}

errc validate_callback(std::string_view callback) {
    if (callback.empty()) return errc::missing_callback;
    if (callback.size() > max_callback_length || !std::all_of(callback.begin(), callback.end(), is_callback_char))
        return errc::invalid_callback;
    return errc::ok;
}

std::string prelude(transport t, std::string_view callback) {
    switch (t) {
    case transport::xhr_streaming: {
        // Some browsers deliver XHR progress only after 2 KiB; the client treats the line as a
        // heartbeat.
        std::string out(2048, 'h');
        out.push_back('\n');
        return out;
    }
    case transport::eventsource: return "\r\n";  // Opera needed a line before the first event
    case transport::htmlfile: {
        std::string out;
        out.reserve(htmlfile_min_size + 2);
        out.append(htmlfile_head);
        append_callback(out, callback);
        out.append(htmlfile_tail);
        if (out.size() < htmlfile_min_size) out.append(htmlfile_min_size - out.size(), ' ');
        out.append("\r\n", 2);
        return out;
    }
    default: return {};
    }
}

void append_wrapped(std::string& out, transport t, std::string_view f, std::string_view callback) {
    switch (t) {
    case transport::xhr:
    case transport::xhr_streaming:
        detail::reserve_at_least(out, out.size() + f.size() + 1);
        out.append(f).push_back('\n');
        return;
    case transport::eventsource:
        detail::reserve_at_least(out, out.size() + f.size() + 10);
        out.append("data: ", 6);
        append_eventsource_data(out, f);
        out.append("\r\n\r\n", 4);
        return;
    case transport::htmlfile:
        detail::reserve_at_least(out, out.size() + f.size() + 32);
        out.append(htmlfile_call_open);
        detail::append_json_string_html_safe(out, f);
        out.append(htmlfile_call_close);
        return;
    case transport::jsonp:
        detail::reserve_at_least(out, out.size() + f.size() + callback.size() + 12);
        out.append("/**/", 4);
        append_callback(out, callback);
        out.push_back('(');
        append_json_string(out, f);
        out.append(jsonp_call_close);
        return;
    case transport::websocket:
    case transport::xhr_send:
    case transport::jsonp_send: out.append(f); return;
    }
}

std::string wrap(transport t, std::string_view f, std::string_view callback) {
    std::string out;
    append_wrapped(out, t, f, callback);
    return out;
}

void stream_unwrapper::feed(std::string_view bytes) {
    if (t_ == transport::websocket || !is_receiving(t_)) {
        messages_.emplace_back(bytes);
        return;
    }
    // Drop what has been consumed once it is most of the buffer, so memory stays bounded by the
    // frame in progress without moving bytes on every call.
    if (pos_ == buf_.size()) {
        buf_.clear();
        scan_ = pos_ = 0;
    } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
        buf_.erase(0, pos_);
        scan_ -= pos_;
        pos_ = 0;
    }
    buf_.append(bytes);
}

std::size_t stream_unwrapper::buffered() const noexcept {
    std::size_t n = buf_.size() - pos_ + data_.size();
    for (std::size_t i = messages_read_; i < messages_.size(); ++i) n += messages_[i].size();
    return n;
}

bool stream_unwrapper::next(std::string& frame_out) {
    switch (t_) {
    case transport::xhr:
    case transport::xhr_streaming: return next_line_frame(frame_out);
    case transport::eventsource: return next_event_frame(frame_out);
    case transport::htmlfile:
    case transport::jsonp: return next_call_frame(frame_out);
    default: return next_message_frame(frame_out);
    }
}

bool stream_unwrapper::next_line_frame(std::string& frame_out) {
    for (;;) {
        const std::size_t nl = buf_.find('\n', scan_);
        if (nl == std::string::npos) {
            scan_ = buf_.size();
            return false;
        }
        std::string_view line(buf_.data() + pos_, nl - pos_);
        scan_ = pos_ = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (line.size() > 1 && line.find_first_not_of('h') == std::string_view::npos) {
            frame_out.assign(heartbeat_frame);  // the xhr_streaming prelude
        } else {
            frame_out.assign(line);
        }
        return true;
    }
}

bool stream_unwrapper::next_event_frame(std::string& frame_out) {
    for (;;) {
        if (skip_lf_ && pos_ < buf_.size()) {
            // The CR that ended the previous line was the last byte then; a LF now completes it.
            if (buf_[pos_] == '\n') ++pos_;
            scan_ = std::max(scan_, pos_);
            skip_lf_ = false;
        }
        const std::size_t eol = buf_.find_first_of("\r\n", scan_);
        if (eol == std::string::npos) {
            scan_ = buf_.size();
            return false;
        }
        const std::string_view line(buf_.data() + pos_, eol - pos_);
        pos_ = eol + 1;
        if (buf_[eol] == '\r') {
            if (pos_ < buf_.size()) {
                if (buf_[pos_] == '\n') ++pos_;
            } else {
                skip_lf_ = true;
            }
        }
        scan_ = pos_;

        if (line.empty()) {  // end of event
            const bool dispatch = have_data_ && !data_.empty();
            have_data_ = false;
            if (dispatch) {
                frame_out = detail::eventsource_unescape(data_);
                data_.clear();
                return true;
            }
            data_.clear();
            continue;
        }
        if (line.front() == ':') continue;  // comment
        const std::size_t colon = line.find(':');
        if (line.substr(0, colon) != "data") continue;  // other fields, or garbage
        std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (have_data_) data_.push_back('\n');
        data_.append(value);
        have_data_ = true;
    }
}

bool stream_unwrapper::next_call_frame(std::string& frame_out) {
    const bool html = t_ == transport::htmlfile;
    const std::string_view open = html ? htmlfile_call_open : std::string_view("(");
    const std::string_view close = html ? htmlfile_call_close : jsonp_call_close;
    for (;;) {
        const std::size_t at = buf_.find(open, scan_);
        if (at == std::string::npos) {
            // Keep the tail that could still be the start of `open`.
            scan_ = pos_ = std::max(scan_, buf_.size() >= open.size() ? buf_.size() - open.size() + 1 : 0);
            return false;
        }
        const std::size_t quote = at + open.size();
        if (quote >= buf_.size()) {
            scan_ = pos_ = at;
            return false;
        }
        if (buf_[quote] != '"') {  // not a call of ours: look further
            scan_ = pos_ = at + 1;
            continue;
        }
        const std::size_t last = json_string_end(buf_, quote);
        if (last == std::string::npos || buf_.size() - (last + 1) < close.size()) {
            scan_ = pos_ = at;  // the call is incomplete: looked at again once more arrives
            return false;
        }
        const std::size_t after = last + 1;
        std::string decoded;
        const char* end = buf_.data() + after;
        if (buf_.compare(after, close.size(), close) != 0 ||
            detail::decode_json_string(buf_.data() + quote, end, decoded) != end) {
            scan_ = pos_ = at + 1;  // broken call: skipped
            continue;
        }
        scan_ = pos_ = after + close.size();
        frame_out = std::move(decoded);
        return true;
    }
}

bool stream_unwrapper::next_message_frame(std::string& frame_out) {
    if (messages_read_ == messages_.size()) return false;
    frame_out = std::move(messages_[messages_read_++]);
    if (messages_read_ == messages_.size()) {
        messages_.clear();
        messages_read_ = 0;
    }
    return true;
}

}  // namespace sockjs
