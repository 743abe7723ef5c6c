#include "server_test_util.hpp"

#include "demo_services.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/SHA1Engine.h>
#include <Poco/String.h>

#include <sys/socket.h>

#ifdef SJT_TLS
#include "test_certs.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>
#endif

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sjt {

namespace {

std::mt19937_64& rng() {
    thread_local std::mt19937_64 r{std::random_device{}()};
    return r;
}

// Built with SJT_TLS (the sockjs_server_tls_tests binary), every test speaks https/wss: the
// server gets the test certificate, the clients verify it against the test CA.
void connect_socket(Poco::Net::StreamSocket& sock, std::uint16_t port, std::chrono::milliseconds timeout) {
    sock.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(timeout.count() * 1000));
    sock.setReceiveTimeout(Poco::Timespan(timeout.count() * 1000));
    sock.setNoDelay(true);
#ifdef SJT_TLS
    static const Poco::Net::Context::Ptr ctx = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, sockjs_test::cert_file("ca.pem"), Poco::Net::Context::VERIFY_STRICT);
    sock = Poco::Net::SecureStreamSocket::attach(sock, "localhost", ctx);
#endif
}

std::string base64(std::string_view bytes) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    enc.close();
    return out.str();
}

std::string request_text(std::string_view method, std::string_view target, const headers& hs,
                         std::string_view body, std::string_view version, bool content_length) {
    std::string r;
    r.append(method).append(" ").append(target).append(" HTTP/").append(version).append("\r\n");
    bool host = false;
    for (const auto& [k, v] : hs) {
        if (Poco::icompare(k, "Host") == 0) host = true;
        r.append(k).append(": ").append(v).append("\r\n");
    }
    if (!host) r.append("Host: 127.0.0.1\r\n");
    if (content_length && (!body.empty() || method == "POST"))
        r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    r.append("\r\n").append(body);
    return r;
}

void parse_head(std::string_view head, response& out) {
    auto eol = head.find("\r\n");
    auto status_line = head.substr(0, eol);
    // "HTTP/1.1 200 OK"
    if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12)
        throw std::runtime_error("bad status line: " + std::string(status_line));
    out.version = std::string(status_line.substr(5, 3));
    out.status = std::stoi(std::string(status_line.substr(9, 3)));
    auto pos = eol + 2;
    while (pos < head.size()) {
        auto e = head.find("\r\n", pos);
        if (e == std::string_view::npos) e = head.size();
        auto line = head.substr(pos, e - pos);
        pos = e + 2;
        if (line.empty()) break;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        out.hdrs.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
}

}  // namespace

std::string new_id() {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()()),
                  static_cast<unsigned long long>(rng()()));
    return buf;
}

// ---- fixture ------------------------------------------------------------------------------

void add_suite_services(sockjs::server& srv) { sockjs::demo::add_demo_services(srv); }

sockjs::server_options test_options() {
    sockjs::server_options o;
    sockjs::demo::apply_demo_options(o);
    o.port = 0;
    o.threads = 2;
    o.drain_timeout = 300ms;
#ifdef SJT_TLS
    o.tls.cert_chain_file = sockjs_test::cert_file("server.pem");
    o.tls.private_key_file = sockjs_test::cert_file("server.key");
#endif
    return o;
}

test_server::test_server(const std::function<void(sockjs::server&)>& setup, sockjs::server_options opts)
    : srv(std::move(opts)) {
    setup(srv);
    srv.start();
    port = srv.port();
}

test_server::~test_server() { srv.stop(); }

// ---- HTTP ---------------------------------------------------------------------------------

std::optional<std::string> response::header(std::string_view name) const {
    for (const auto& [k, v] : hdrs)
        if (Poco::icompare(k, std::string(name)) == 0) return v;
    return std::nullopt;
}

response http(std::uint16_t port, std::string_view method, std::string_view target, const headers& hs,
              std::string_view body, bool content_length) {
    raw_http c(port);
    c.request(method, target, hs, body, "1.1", content_length);
    auto r = c.read_head();
    r.body = c.read_body(r);
    return r;
}

raw_http::raw_http(std::uint16_t port, std::chrono::milliseconds timeout) {
    connect_socket(sock_, port, timeout);
}

void raw_http::request(std::string_view method, std::string_view target, const headers& hs,
                       std::string_view body, std::string_view version, bool content_length) {
    send(request_text(method, target, hs, body, version, content_length));
}

void raw_http::send(std::string_view bytes) {
    sock_.sendBytes(bytes.data(), static_cast<int>(bytes.size()), MSG_NOSIGNAL);
}

bool raw_http::fill() {
    char tmp[65536];
    int n = sock_.receiveBytes(tmp, sizeof tmp);  // throws Poco::TimeoutException
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
}

response raw_http::read_head() {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
        if (!fill()) throw std::runtime_error("connection closed before the response head");
    response r;
    parse_head(std::string_view(buf_).substr(0, end + 4), r);
    buf_.erase(0, end + 4);
    return r;
}

std::string raw_http::read_chunk() {
    std::size_t eol;
    while ((eol = buf_.find("\r\n")) == std::string::npos)
        if (!fill()) throw std::runtime_error("connection closed before a chunk");
    auto size = std::stoul(buf_.substr(0, eol), nullptr, 16);
    while (buf_.size() < eol + 2 + size + 2)
        if (!fill()) throw std::runtime_error("connection closed inside a chunk");
    std::string data = buf_.substr(eol + 2, size);
    if (buf_.compare(eol + 2 + size, 2, "\r\n") != 0) throw std::runtime_error("chunk without CRLF");
    buf_.erase(0, eol + 2 + size + 2);
    return data;
}

std::string raw_http::read_exact(std::size_t n) {
    while (buf_.size() < n)
        if (!fill()) throw std::runtime_error("connection closed early");
    std::string out = buf_.substr(0, n);
    buf_.erase(0, n);
    return out;
}

std::string raw_http::read_some() {
    if (buf_.empty() && !fill()) return {};
    return std::exchange(buf_, {});
}

std::string raw_http::read_body(const response& head) {
    if (head.status == 204 || head.status == 304 || head.status == 101 || (head.status >= 100 && head.status < 200))
        return {};
    if (auto cl = head.header("Content-Length")) return read_exact(std::stoul(*cl));
    if (auto te = head.header("Transfer-Encoding"); te && Poco::icompare(*te, "chunked") == 0) {
        std::string body;
        for (;;) {
            auto c = read_chunk();
            if (c.empty()) return body;
            body += c;
        }
    }
    while (fill()) {
    }
    return std::exchange(buf_, {});
}

bool raw_http::closed_within(std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    buf_.clear();
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            if (!fill()) return true;
            buf_.clear();
        } catch (const Poco::TimeoutException&) {
        } catch (const Poco::Net::ConnectionResetException&) {
            return true;
        }
    }
    return false;
}

void raw_http::close() {
    try {
        sock_.close();
    } catch (const Poco::Exception&) {
    }
}

// ---- WebSocket ----------------------------------------------------------------------------

response ws_handshake_response(std::uint16_t port, std::string_view path, const headers& extra) {
    raw_http c(port);
    headers hs{{"Upgrade", "websocket"},
               {"Connection", "Upgrade"},
               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
               {"Sec-WebSocket-Version", "13"}};
    hs.insert(hs.end(), extra.begin(), extra.end());
    c.request("GET", path, hs);
    auto r = c.read_head();
    if (r.status != 101) r.body = c.read_body(r);
    return r;
}

ws_client::ws_client(std::uint16_t port, std::string_view path, const headers& extra,
                     std::chrono::milliseconds timeout) {
    connect_socket(sock_, port, timeout);
    std::string nonce(16, '\0');
    for (auto& c : nonce) c = static_cast<char>(rng()());
    const std::string key = base64(nonce);
    headers hs{{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Key", key},
               {"Sec-WebSocket-Version", "13"}};
    hs.insert(hs.end(), extra.begin(), extra.end());
    send_raw(request_text("GET", path, hs, {}, "1.1", false));

    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
        if (!fill()) throw std::runtime_error("closed during the WebSocket handshake");
    response r;
    parse_head(std::string_view(buf_).substr(0, end + 4), r);
    buf_.erase(0, end + 4);
    if (r.status != 101) throw std::runtime_error("WebSocket handshake answered " + std::to_string(r.status));
    Poco::SHA1Engine sha1;
    sha1.update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    const auto& d = sha1.digest();
    auto expected = base64(std::string(d.begin(), d.end()));
    if (r.header("Sec-WebSocket-Accept") != expected) throw std::runtime_error("bad Sec-WebSocket-Accept");
}

void ws_client::send_raw(std::string_view bytes) {
    sock_.sendBytes(bytes.data(), static_cast<int>(bytes.size()), MSG_NOSIGNAL);
}

void ws_client::send_frame(std::uint8_t opcode, std::string_view payload, bool fin, bool mask) {
    std::string f;
    f += static_cast<char>((fin ? 0x80 : 0x00) | (opcode & 0x0f));
    const std::uint8_t m = mask ? 0x80 : 0x00;
    if (payload.size() < 126) {
        f += static_cast<char>(m | payload.size());
    } else if (payload.size() <= 0xffff) {
        f += static_cast<char>(m | 126);
        f += static_cast<char>((payload.size() >> 8) & 0xff);
        f += static_cast<char>(payload.size() & 0xff);
    } else {
        f += static_cast<char>(m | 127);
        for (int i = 7; i >= 0; --i) f += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> (8 * i)) & 0xff);
    }
    if (mask) {
        char key[4];
        for (auto& k : key) k = static_cast<char>(rng()());
        f.append(key, 4);
        for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ key[i % 4]);
    } else {
        f.append(payload);
    }
    send_raw(f);
}

void ws_client::send_text(std::string_view text) { send_frame(0x1, text); }

void ws_client::close(int code, std::string_view reason) {
    std::string p;
    p += static_cast<char>((code >> 8) & 0xff);
    p += static_cast<char>(code & 0xff);
    p.append(reason);
    send_frame(0x8, p);
}

void ws_client::drop() {
    try {
        sock_.close();
    } catch (const Poco::Exception&) {
    }
}

bool ws_client::fill() {
    char tmp[65536];
    int n = 0;
    try {
        n = sock_.receiveBytes(tmp, sizeof tmp);
    } catch (const Poco::Net::ConnectionResetException&) {
        return false;
    }
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
}

std::string ws_client::take(std::size_t n) {
    std::string out = buf_.substr(0, n);
    buf_.erase(0, n);
    return out;
}

ws_message ws_client::recv() {
    for (;;) {
        while (buf_.size() < 2)
            if (!fill()) return {ws_message::eof, {}, 0};
        auto b0 = static_cast<std::uint8_t>(buf_[0]);
        auto b1 = static_cast<std::uint8_t>(buf_[1]);
        std::size_t header = 2;
        std::uint64_t len = b1 & 0x7f;
        if (len == 126) header = 4;
        if (len == 127) header = 10;
        if (b1 & 0x80) header += 4;  // servers do not mask, but be exact
        while (buf_.size() < header)
            if (!fill()) return {ws_message::eof, {}, 0};
        if (len == 126) len = (static_cast<std::uint64_t>(static_cast<std::uint8_t>(buf_[2])) << 8) | static_cast<std::uint8_t>(buf_[3]);
        if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<std::uint8_t>(buf_[2 + i]);
        }
        while (buf_.size() < header + len)
            if (!fill()) return {ws_message::eof, {}, 0};
        take(header);
        std::string payload = take(static_cast<std::size_t>(len));
        const std::uint8_t op = b0 & 0x0f;
        const bool fin = (b0 & 0x80) != 0;
        switch (op) {
        case 0x9: send_frame(0xA, payload); continue;  // ping
        case 0xA: continue;                            // pong
        case 0x8: {
            ws_message m{ws_message::close, {}, 1005};
            if (payload.size() >= 2) {
                m.code = (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]);
                m.data = payload.substr(2);
            }
            return m;
        }
        case 0x0:
            partial_ += payload;
            if (!fin) continue;
            return {partial_op_ == 0x2 ? ws_message::binary : ws_message::text, std::exchange(partial_, {}), 0};
        default:
            if (!fin) {
                partial_op_ = op;
                partial_ = payload;
                continue;
            }
            return {op == 0x2 ? ws_message::binary : ws_message::text, payload, 0};
        }
    }
}

// ---- misc -----------------------------------------------------------------------------------

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return pred();
        std::this_thread::sleep_for(10ms);
    }
}

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

std::size_t thread_count() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Threads:", 0) == 0) return std::stoul(line.substr(8));
    return 0;
}

std::u16string json_string_to_utf16(std::string_view s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') throw std::runtime_error("not a JSON string");
    s = s.substr(1, s.size() - 2);
    std::u16string out;
    auto push_cp = [&](char32_t cp) {
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out += static_cast<char16_t>(0xD800 + (cp >> 10));
            out += static_cast<char16_t>(0xDC00 + (cp & 0x3ff));
        } else {
            out += static_cast<char16_t>(cp);
        }
    };
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == '\\') {
            if (i + 1 >= s.size()) throw std::runtime_error("dangling backslash");
            char e = s[i + 1];
            i += 2;
            switch (e) {
            case '"': out += u'"'; break;
            case '\\': out += u'\\'; break;
            case '/': out += u'/'; break;
            case 'b': out += u'\b'; break;
            case 'f': out += u'\f'; break;
            case 'n': out += u'\n'; break;
            case 'r': out += u'\r'; break;
            case 't': out += u'\t'; break;
            case 'u':
                out += static_cast<char16_t>(std::stoul(std::string(s.substr(i, 4)), nullptr, 16));
                i += 4;
                break;
            default: throw std::runtime_error("bad escape");
            }
            continue;
        }
        // UTF-8 (including the WTF-8 form of lone surrogates) to one code point.
        int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (n == 0 || i + static_cast<std::size_t>(n) > s.size()) throw std::runtime_error("bad UTF-8");
        char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
        for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3f);
        push_cp(cp);
        i += static_cast<std::size_t>(n);
    }
    return out;
}

}  // namespace sjt
