// The browser client's window into the core: a small C ABI over client_session,
// stream_unwrapper and the transport names, exported from the wasm module for js/src/core.js.
//
// Why a C ABI and not embind: the glue needs about twenty calls with integer arguments, and
// strings cross as (pointer, length) through two module-wide buffers (wasm runs on one
// thread). That keeps the module small, and keeps text as bytes: messages may hold lone UTF-16
// surrogates, which the core carries as WTF-8 and which embind's UTF-8 conversions would
// replace or corrupt. The glue encodes and decodes WTF-8 itself.
//
// Time crosses as double milliseconds on the caller's monotonic clock (performance.now()).
// Nothing here decides protocol: every call forwards to the core.

#include <sockjs/client.hpp>
#include <sockjs/wrap.hpp>

#include <emscripten/emscripten.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sockjs;

struct handle {
    handle(client_options opts, time_point now) : session(std::move(opts), now) {}

    client_session session;
    std::optional<stream_unwrapper> receiver;  ///< unwraps the current receiving transport's bytes
    std::optional<client_event> event;         ///< the event being read by the glue
    std::string frame;                         ///< scratch for receiver frames
};

std::string in_buf;   // input bytes written by the glue (see sj_input)
std::string out_buf;  // the last output string, read by the glue (see sj_output)

time_point at(double ms) { return time_point{static_cast<std::int64_t>(std::floor(ms))}; }

std::string_view input(std::size_t len) { return std::string_view(in_buf).substr(0, len); }

// Parses a comma-separated list of sockjs-client transport names. Unknown names are ignored,
// as sockjs-client ignores them.
std::vector<client_transport> parse_list(std::string_view list) {
    std::vector<client_transport> out;
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (auto t = parse_client_transport(list.substr(0, comma))) out.push_back(*t);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

// js/src/core.js (EventKind) and js/src/sockjs.js (ERRC_*) mirror these numbers; a change
// here must change them too.
static_assert(static_cast<int>(errc::invalid_close_code) == 10);
static_assert(static_cast<int>(errc::reason_too_long) == 11);
static_assert(client_event::open == 0 && client_event::message == 1 && client_event::heartbeat == 2 &&
              client_event::close == 3 && client_event::start_transport == 4 && client_event::stop_transport == 5);

// Hands every complete frame the receiver holds to the session; returns the first error.
errc deliver_frames(handle* h, time_point now) {
    errc first = errc::ok;
    while (h->session.state() != ready_state::closed && h->receiver->next(h->frame)) {
        const errc e = h->session.on_frame(h->frame, now);
        if (first == errc::ok) first = e;
    }
    return first;
}

const std::string& event_text(const client_event& e) {
    return e.kind == client_event::close ? e.reason : e.data;
}

}  // namespace

extern "C" {

/// Room for `capacity` input bytes. The glue writes a call's string argument there and passes
/// its byte count to the call.
EMSCRIPTEN_KEEPALIVE char* sj_input(std::size_t capacity) {
    if (in_buf.size() < capacity) in_buf.resize(capacity);
    return in_buf.data();
}

/// Where the last returned output string starts (its length was the call's result).
EMSCRIPTEN_KEEPALIVE const char* sj_output() { return out_buf.data(); }

/// A new session. The input holds two comma-separated lists of transport names, separated by a
/// semicolon: the allowed ones (empty = all) and the ones the environment can run (empty =
/// all). `transport_timeout_ms` 0 derives it from the /info round trip as sockjs-client does.
EMSCRIPTEN_KEEPALIVE handle* sj_create(double transport_timeout_ms, double liveness_ms, std::size_t lists_len,
                                       double now) {
    const auto lists = input(lists_len);
    const auto semi = lists.find(';');
    client_options opts;
    opts.transports = parse_list(lists.substr(0, semi));
    if (semi != std::string_view::npos) opts.available = parse_list(lists.substr(semi + 1));
    opts.transport_timeout = millis{static_cast<std::int64_t>(transport_timeout_ms)};
    opts.liveness_timeout = millis{static_cast<std::int64_t>(liveness_ms)};
    return new handle(std::move(opts), at(now));
}

EMSCRIPTEN_KEEPALIVE void sj_destroy(handle* h) { delete h; }

/// The /info response body (`ok` = 1) and its round trip, or its failure (`ok` = 0). A body
/// that is not a JSON object counts as `{}`, as in sockjs-client.
EMSCRIPTEN_KEEPALIVE void sj_on_info(handle* h, int ok, std::size_t len, double rtt_ms, double now) {
    if (!ok) {
        h->session.on_info(std::nullopt, at(now));
        return;
    }
    auto parsed = parse_info(input(len));
    h->session.on_info(parsed ? std::move(*parsed) : server_info{}, at(now), at(rtt_ms));
}

/// Starts unwrapping a new receiving response of server transport `t` (numeric sockjs::transport).
EMSCRIPTEN_KEEPALIVE void sj_receiver_start(handle* h, int t) { h->receiver.emplace(static_cast<transport>(t)); }

/// Body bytes (or one WebSocket message) of the current receiver: every complete frame goes to
/// the session. Returns the first error the session reported (0 if none).
EMSCRIPTEN_KEEPALIVE int sj_receiver_feed(handle* h, std::size_t len, double now) {
    if (!h->receiver) return static_cast<int>(errc::unexpected_frame);
    h->receiver->feed(input(len));
    return static_cast<int>(deliver_frames(h, at(now)));
}

/// One EventSource message's `data` as the browser delivered it. The browser has done the
/// event-stream parsing; the core still owns the unescaping, so the data is fed back to it as
/// the one-line event it came in.
EMSCRIPTEN_KEEPALIVE int sj_receiver_feed_event(handle* h, std::size_t len, double now) {
    if (!h->receiver) return static_cast<int>(errc::unexpected_frame);
    h->receiver->feed("data: ");
    h->receiver->feed(input(len));
    h->receiver->feed("\n\n");
    return static_cast<int>(deliver_frames(h, at(now)));
}

/// One bare frame (jsonp: the browser evaluated the callback's argument).
EMSCRIPTEN_KEEPALIVE int sj_on_frame(handle* h, std::size_t len, double now) {
    return static_cast<int>(h->session.on_frame(input(len), at(now)));
}

/// The current transport ended without a close frame. `code` < 0: no close code.
EMSCRIPTEN_KEEPALIVE void sj_on_transport_closed(handle* h, int code, std::size_t reason_len, double now) {
    h->receiver.reset();
    if (code < 0) {
        h->session.on_transport_closed(at(now));
    } else {
        h->session.on_transport_closed(at(now), code, input(reason_len));
    }
}

EMSCRIPTEN_KEEPALIVE int sj_send(handle* h, std::size_t len) {
    return static_cast<int>(h->session.send(input(len)));
}

/// Takes the queued messages as one payload; read it with sj_output. Returns its length.
EMSCRIPTEN_KEEPALIVE std::size_t sj_take_outgoing(handle* h) {
    out_buf = h->session.take_outgoing();
    return out_buf.size();
}

EMSCRIPTEN_KEEPALIVE int sj_close(handle* h, int code, std::size_t reason_len) {
    return static_cast<int>(h->session.close(code, input(reason_len)));
}

/// The next event's kind (client_event::kind_t), or -1 when there is none. Its fields stay
/// readable through sj_event_* until the next call.
EMSCRIPTEN_KEEPALIVE int sj_next_event(handle* h) {
    h->event = h->session.next_event();
    return h->event ? static_cast<int>(h->event->kind) : -1;
}
EMSCRIPTEN_KEEPALIVE int sj_event_code(const handle* h) { return h->event ? h->event->code : 0; }
EMSCRIPTEN_KEEPALIVE int sj_event_was_clean(const handle* h) { return h->event && h->event->was_clean ? 1 : 0; }
EMSCRIPTEN_KEEPALIVE int sj_event_transport(const handle* h) {
    return h->event ? static_cast<int>(h->event->transport) : -1;
}
/// A message's data, or a close event's reason.
EMSCRIPTEN_KEEPALIVE const char* sj_event_text(const handle* h) { return h->event ? event_text(*h->event).data() : ""; }
EMSCRIPTEN_KEEPALIVE std::size_t sj_event_text_len(const handle* h) { return h->event ? event_text(*h->event).size() : 0; }

/// When on_deadline is due, or -1 when no timer is needed.
EMSCRIPTEN_KEEPALIVE double sj_next_deadline(const handle* h) {
    const auto d = h->session.next_deadline();
    return d ? static_cast<double>(d->count()) : -1.0;
}
EMSCRIPTEN_KEEPALIVE void sj_on_deadline(handle* h, double now) { h->session.on_deadline(at(now)); }

/// The URL path, `/<server>/<session>/<transport>`, of client transport `ct`'s receiving
/// (`sending` = 0) or sending (1) requests; the input holds `<server>/<session>`.
/// Returns its length; read it with sj_output.
EMSCRIPTEN_KEEPALIVE std::size_t sj_session_path(int ct, int sending, std::size_t len) {
    const auto ids = input(len);
    const auto slash = ids.find('/');
    const auto t = static_cast<client_transport>(ct);
    out_buf = session_path(ids.substr(0, slash), slash == std::string_view::npos ? "" : ids.substr(slash + 1),
                          sending ? send_transport(t) : receive_transport(t));
    return out_buf.size();
}

/// Transport names and numbers, so the glue holds no table of its own.
/// sj_client_transport_name(i) for i = 0.. until it returns an empty string.
EMSCRIPTEN_KEEPALIVE const char* sj_client_transport_name(int ct) {
    static std::string names[5];
    if (ct < 0 || ct > static_cast<int>(client_transport::jsonp_polling)) return "";
    auto& s = names[ct];
    if (s.empty()) s = name(static_cast<client_transport>(ct));
    return s.c_str();
}
/// The server transport (sockjs::transport) that client transport `ct` receives on.
EMSCRIPTEN_KEEPALIVE int sj_receive_transport(int ct) {
    return static_cast<int>(receive_transport(static_cast<client_transport>(ct)));
}

}  // extern "C"
