#include "session.hpp"

#include "http_client.hpp"
#include "ws_client.hpp"

#include <sockjs/frame.hpp>
#include <sockjs/json_escape.hpp>
#include <sockjs/wrap.hpp>

#include <vector>

namespace bench {

bool parse_transport_kind(std::string_view s, transport_kind& out) {
    if (s == "websocket") out = transport_kind::websocket;
    else if (s == "raw-websocket") out = transport_kind::raw_websocket;
    else if (s == "xhr-streaming") out = transport_kind::xhr_streaming;
    else if (s == "xhr-polling") out = transport_kind::xhr_polling;
    else return false;
    return true;
}

namespace {

std::string session_url(const session_target& t, std::size_t index, std::string_view transport) {
    std::string url = t.service;
    url.append("/000/").append(t.id_prefix).append(std::to_string(index)).push_back('/');
    url.append(transport);
    return url;
}


class websocket_session final : public session, ws_client::events {
public:
    websocket_session(event_loop& loop, session_events& ev, const session_target& t, std::size_t index, bool raw)
        : session(index), ev_(&ev), raw_(raw),
          ws_(loop, *this, t.host, raw ? t.service + "/websocket" : session_url(t, index, "websocket"),
              static_cast<std::uint32_t>(index * 2654435761u + 17), t.deflate) {
        if (!t.ports.empty()) ws_.set_port(t.ports[index % t.ports.size()]);
    }

    void start() override { ws_.connect(); }
    void stop() override {
        stopped_ = true;
        ws_.close();
    }
    void send(std::string_view message) override {
        if (raw_) {
            ws_.send_text(message);
            return;
        }
        out_.assign(1, '[');
        sockjs::append_json_string(out_, message);
        out_.push_back(']');
        ws_.send_text(out_);
    }

private:
    void on_ws_open() override {
        if (raw_) ev_->on_open(*this);
    }
    void on_ws_message(std::string_view message) override {
        if (stopped_) return;
        if (raw_) {
            ev_->on_message(*this, message);
        } else if (!deliver_frame(*this, *ev_, message, opened_)) {
            stop();
        }
    }
    void on_ws_closed(std::string_view why) override {
        if (stopped_) return;
        stopped_ = true;
        ev_->on_failed(*this, why);
    }

    session_events* ev_;
    bool raw_;
    bool opened_ = false;
    bool stopped_ = false;
    std::string out_;
    ws_client ws_;
};

// xhr-streaming and xhr-polling: one connection receives (a new request after each response
// ends), another sends; both keep-alive. Sends made while an xhr_send is pending go out
// together in the next one, as sockjs-client does.
class xhr_session final : public session, http_client::events {
public:
    xhr_session(event_loop& loop, session_events& ev, const session_target& t, std::size_t index, bool streaming)
        : session(index), ev_(&ev), streaming_(streaming),
          recv_url_(session_url(t, index, streaming ? "xhr_streaming" : "xhr")),
          send_url_(session_url(t, index, "xhr_send")),
          unwrap_(streaming ? sockjs::transport::xhr_streaming : sockjs::transport::xhr),
          recv_(loop, *this, t.host), send_(loop, *this, t.host) {
        if (!t.ports.empty()) {
            recv_.set_port(t.ports[index % t.ports.size()]);
            send_.set_port(t.ports[index % t.ports.size()]);
        }
    }

    void start() override { recv_.connect(); }
    void stop() override {
        stopped_ = true;
        recv_.retire();
        send_.retire();
        recv_.close();
        send_.close();
    }
    void send(std::string_view message) override {
        if (stopped_) return;
        if (!queue_.empty()) queue_.push_back(',');
        sockjs::append_json_string(queue_, message);
        if (send_.is_idle()) send_.connect();  // opened on first use: a held session has none
        flush();
    }

private:
    void flush() {
        if (queue_.empty() || !send_.ready()) return;
        body_.assign(1, '[');
        body_.append(queue_).push_back(']');
        queue_.clear();
        send_.post(send_url_, body_);
    }
    void fail(std::string_view why) {
        if (stopped_) return;
        std::string w(why);
        stop();
        ev_->on_failed(*this, w);
    }

    void on_http_ready(http_client& c) override {
        if (stopped_) return;
        if (&c == &recv_) {
            unwrap_ = sockjs::stream_unwrapper(streaming_ ? sockjs::transport::xhr_streaming : sockjs::transport::xhr);
            recv_.post(recv_url_, {});
        } else {
            flush();
        }
    }
    void on_http_head(http_client& c, int status) override {
        if (&c == &recv_) {
            if (status != 200) fail("receive request answered " + std::to_string(status));
        } else if (status != 204 && status != 200) {
            fail("xhr_send answered " + std::to_string(status));
        }
    }
    void on_http_body(http_client& c, std::string_view bytes) override {
        if (&c != &recv_ || stopped_) return;
        unwrap_.feed(bytes);
        while (unwrap_.next(frame_)) {
            if (!deliver_frame(*this, *ev_, frame_, opened_)) {
                stop();
                return;
            }
            if (stopped_) return;
        }
    }
    void on_http_done(http_client& c) override {
        if (stopped_) return;
        if (&c == &recv_) {
            if (recv_.ready()) on_http_ready(recv_);  // else a reconnect is under way
        } else {
            flush();
        }
    }
    void on_http_error(http_client& c, std::string_view why) override {
        fail(std::string(&c == &recv_ ? "receive: " : "send: ") + std::string(why));
    }

    session_events* ev_;
    bool streaming_;
    bool opened_ = false;
    bool stopped_ = false;
    std::string recv_url_, send_url_;
    std::string queue_;  ///< escaped messages waiting for the send connection, comma-separated
    std::string body_;
    std::string frame_;
    sockjs::stream_unwrapper unwrap_;
    http_client recv_;
    http_client send_;
};

}  // namespace

bool deliver_frame(session& s, session_events& ev, std::string_view text, bool& opened) {
    auto f = sockjs::parse_frame(text);
    if (!f) {
        ev.on_failed(s, "unparsable frame from server: " + std::string(text.substr(0, 80)));
        return false;
    }
    switch (f->type) {
    case sockjs::frame_type::open:
        if (opened) {
            ev.on_failed(s, "second open frame");
            return false;
        }
        opened = true;
        ev.on_open(s);
        return true;
    case sockjs::frame_type::heartbeat:
        return true;
    case sockjs::frame_type::messages:
        if (!opened) {
            ev.on_failed(s, "messages before the open frame");
            return false;
        }
        for (const auto& m : f->messages) ev.on_message(s, m);
        return true;
    case sockjs::frame_type::close:
        ev.on_failed(s, "closed by server: c[" + std::to_string(f->code) + ",\"" + f->reason + "\"]");
        return false;
    }
    return false;
}

std::unique_ptr<session> make_session(transport_kind kind, event_loop& loop, session_events& ev,
                                      const session_target& target, std::size_t index) {
    switch (kind) {
    case transport_kind::websocket:
        return std::make_unique<websocket_session>(loop, ev, target, index, false);
    case transport_kind::raw_websocket:
        return std::make_unique<websocket_session>(loop, ev, target, index, true);
    case transport_kind::xhr_streaming:
        return std::make_unique<xhr_session>(loop, ev, target, index, true);
    case transport_kind::xhr_polling:
        return std::make_unique<xhr_session>(loop, ev, target, index, false);
    }
    return nullptr;
}

}  // namespace bench
