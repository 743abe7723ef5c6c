#include "fake_server.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/SHA1Engine.h>
#include <Poco/String.h>

#include <sstream>

namespace sockjs::client::test {

std::string fake_request::last_segment() const {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

void fake_request::write(std::string_view bytes) {
    try {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const int n = socket->sendBytes(bytes.data() + done, static_cast<int>(bytes.size() - done));
            if (n <= 0) return;
            done += static_cast<std::size_t>(n);
        }
    } catch (const Poco::Exception&) {
    }
}

void fake_request::respond(int status, std::string_view content_type, std::string_view content) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " Fake\r\nContent-Type: " + std::string(content_type) +
                       "\r\nContent-Length: " + std::to_string(content.size()) + "\r\nConnection: close\r\n\r\n";
    write(head + std::string(content));
}

void fake_request::start_chunked(int status, std::string_view content_type) {
    write("HTTP/1.1 " + std::to_string(status) + " Fake\r\nContent-Type: " + std::string(content_type) +
          "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

void fake_request::chunk(std::string_view data) {
    if (data.empty()) return;
    std::ostringstream size;
    size << std::hex << data.size();
    write(size.str() + "\r\n" + std::string(data) + "\r\n");
}

void fake_request::end_chunks() {
    write("0\r\n\r\n");
}

void fake_request::accept_websocket() {
    Poco::SHA1Engine sha1;
    sha1.update(headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    const auto digest = sha1.digest();
    std::ostringstream accept;
    {
        Poco::Base64Encoder b64(accept);
        b64.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
    }
    write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
          accept.str() + "\r\n\r\n");
}

void fake_request::ws_frame(std::string_view payload, int opcode, bool fin) {
    std::string f;
    f.push_back(static_cast<char>((fin ? 0x80 : 0) | (opcode & 0x0f)));
    const std::size_t n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<char>(n));
    } else if (n < 65536) {
        f.push_back(126);
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n & 0xff));
    } else {
        f.push_back(127);
        for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>((n >> shift) & 0xff));
    }
    f.append(payload);
    write(f);
}

void fake_request::hold(std::chrono::milliseconds limit) {
    server->wait_stopped(limit);
}

fake_server::fake_server(script s)
    : script_(std::move(s)), listener_(Poco::Net::SocketAddress("127.0.0.1", lease_.port()), 64) {
    acceptor_ = std::thread([this] { accept_loop(); });
}

fake_server::~fake_server() {
    {
        std::lock_guard lk(m_);
        stopping_ = true;
        listening_ = false;
        for (auto& s : open_) {
            try {
                s.shutdown();
            } catch (const Poco::Exception&) {
            }
        }
    }
    stopped_cv_.notify_all();
    if (acceptor_.joinable()) acceptor_.join();
    for (auto& t : workers_) t.join();
}

std::string fake_server::url(std::string_view prefix) const {
    return "http://127.0.0.1:" + std::to_string(lease_.port()) + std::string(prefix);
}

void fake_server::stop_listening() {
    {
        std::lock_guard lk(m_);
        listening_ = false;
    }
    if (acceptor_.joinable()) acceptor_.join();
}

int fake_server::count(std::string_view segment) const {
    std::lock_guard lk(m_);
    auto it = counts_.find(segment);
    return it == counts_.end() ? 0 : it->second;
}

void fake_server::wait_stopped(std::chrono::milliseconds limit) {
    std::unique_lock lk(m_);
    stopped_cv_.wait_for(lk, limit, [&] { return stopping_; });
}

void fake_server::accept_loop() {
    for (;;) {
        {
            std::lock_guard lk(m_);
            if (!listening_) break;
        }
        try {
            if (!listener_.poll(Poco::Timespan(0, 20000), Poco::Net::Socket::SELECT_READ)) continue;
            std::lock_guard lk(m_);
            // Straight into the list: the acceptor keeps no reference of its own that it
            // would drop while the worker uses the socket.
            open_.emplace_back(listener_.acceptConnection());
            if (stopping_) {
                open_.back().close();
                open_.pop_back();
                break;
            }
            workers_.emplace_back([this, it = std::prev(open_.end())] { serve(it); });
        } catch (const Poco::Exception&) {
        }
    }
    listener_.close();  // from here on, connections are refused
}

void fake_server::serve(std::list<Poco::Net::StreamSocket>::iterator it) {
    Poco::Net::StreamSocket& socket = *it;
    fake_request r;
    r.socket = &socket;
    r.server = this;
    try {
        socket.setReceiveTimeout(Poco::Timespan(5, 0));
        Poco::Net::SocketStream stream(socket);
        Poco::Net::HTTPRequest head;
        head.read(stream);
        r.method = head.getMethod();
        r.path = head.getURI().substr(0, head.getURI().find('?'));
        for (const auto& [name, value] : head) r.headers[Poco::toLower(name)] = value;
        if (head.hasContentLength() && head.getContentLength() > 0) {
            r.body.resize(static_cast<std::size_t>(std::min<std::streamsize>(head.getContentLength(), 1 << 20)));
            stream.read(r.body.data(), static_cast<std::streamsize>(r.body.size()));
        }
        {
            std::lock_guard lk(m_);
            ++counts_[r.last_segment()];
        }
        script_(r);
    } catch (const Poco::Exception&) {
        // the client went away or sent something odd: drop the connection
    }
    std::lock_guard lk(m_);
    try {
        socket.close();
    } catch (const Poco::Exception&) {
    }
    open_.erase(it);
}

}  // namespace sockjs::client::test
