#include "net/response_writer.hpp"

#include <Poco/Ascii.h>

namespace sockjs::net {

std::string_view reason_phrase(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

namespace {

void append_number(std::string& out, unsigned long long n, unsigned base) {
    char tmp[24];
    std::size_t len = 0;
    do {
        const unsigned d = static_cast<unsigned>(n % base);
        tmp[len++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
        n /= base;
    } while (n);
    while (len) out.push_back(tmp[--len]);
}

void append_clean(std::string& out, std::string_view s) {
    const std::size_t start = out.size();
    out.append(s);
    for (std::size_t i = start; i < out.size(); ++i)
        if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (Poco::Ascii::toLower(a[i]) != Poco::Ascii::toLower(b[i])) return false;
    return true;
}

}  // namespace

void append_status_line(std::string& out, int status) {
    out.append("HTTP/1.1 ");
    append_number(out, static_cast<unsigned>(status), 10);
    out.push_back(' ');
    out.append(reason_phrase(status));
    out.append("\r\n");
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
    append_clean(out, name);
    out.append(": ");
    append_clean(out, value);
    out.append("\r\n");
}

bool append_user_headers(std::string& out, const header_list& headers) {
    bool close = false;
    for (const auto& [name, value] : headers) {
        if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
        if (iequals(name, "Connection")) {
            if (value.find("close") != std::string::npos || value.find("Close") != std::string::npos)
                close = true;
            continue;
        }
        append_header(out, name, value);
    }
    return close;
}

void append_content_length(std::string& out, std::size_t n) {
    out.append("Content-Length: ");
    append_number(out, n, 10);
    out.append("\r\n");
}

void append_chunk(std::string& out, std::string_view data) {
    // Sized once, exactly: grown append by append, a 70-byte chunk ended in a 148-byte buffer,
    // over what a stream's connection keeps between writes (tcp_connection::idle_keep_capacity),
    // so every chunk allocated twice. Exactly, because a small chunk (a held stream's "o\n" or
    // heartbeat) must still fit the string's own inline buffer: no heap block per held stream.
    std::size_t digits = 1;
    for (std::size_t n = data.size() >> 4; n != 0; n >>= 4) ++digits;
    out.reserve(out.size() + digits + 2 + data.size() + 2);
    append_number(out, data.size(), 16);
    out.append("\r\n");
    out.append(data);
    out.append("\r\n");
}

}  // namespace sockjs::net

