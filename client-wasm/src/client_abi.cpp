// The browser client's window into the core: a small C ABI over client_session,
// reconnect_policy and the transport names, exported from the wasm module for js/src/core.js.
//
// Why a C ABI and not embind: the glue needs about thirty calls with integer arguments, and
// strings cross as (pointer, length) through two module-wide buffers (wasm runs on one
// thread). That keeps the module small, and keeps text as bytes: messages may hold lone UTF-16
// surrogates, which the core carries as WTF-8 and which embind's UTF-8 conversions would
// replace or corrupt. The glue encodes and decodes WTF-8 itself.
//
// Time crosses as double milliseconds on the caller's monotonic clock (performance.now()).
// Nothing here decides protocol: every call forwards to the core.

#include <sockjs/client.hpp>
#include <sockjs/reconnect.hpp>

#include <emscripten/emscripten.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sockjs;

// An event as js/src/core.js (Session.nextEvent) reads it: one Int32Array of six.
struct event_view {
    std::int32_t kind;
    std::int32_t code;
    std::int32_t was_clean;
    std::int32_t transport;
    const char* text;  ///< a message's data, or a close event's reason
    std::uint32_t text_len;
};
static_assert(sizeof(event_view) == 24);

struct handle {
    handle(client_options opts, time_point now) : session(std::move(opts), now) {}

    client_session session;
    std::optional<client_event> event;  ///< the event being read by the glue
    event_view view;                    ///< its fields, where the glue reads them
};

std::string in_buf;   // input bytes written by the glue (see sj_input)
std::string out_buf;  // the last output string, read by the glue (see sj_output)

// Times and durations are never negative: truncation is floor.
millis ms(double v) { return millis{static_cast<std::int64_t>(v)}; }
time_point at(double v) { return time_point{ms(v)}; }

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

// Splits `s` at the first `;`: returns what is before it, leaves what is after it in `s`.
std::string_view take_field(std::string_view& s) {
    const auto semi = s.find(';');
    const auto head = s.substr(0, semi);
    s = semi == std::string_view::npos ? std::string_view{} : s.substr(semi + 1);
    return head;
}

// js/src/core.js (EventKind, State) and js/src/sockjs.js (ERRC_*) mirror these numbers; a
// change here must change them too.
static_assert(static_cast<int>(errc::invalid_close_code) == 10);
static_assert(static_cast<int>(errc::reason_too_long) == 11);
static_assert(client_event::open == 0 && client_event::message == 1 && client_event::heartbeat == 2 &&
              client_event::close == 3 && client_event::start_transport == 4 && client_event::stop_transport == 5 &&
              client_event::reopen_receiver == 6);
static_assert(static_cast<int>(ready_state::closed) == 3);


}  // namespace

// Each call is exported under a short name, which js/src/core.js (class Session) uses: the
// names travel twice, in the .wasm and in the glue, and the long ones cost 0.6 KB gzipped.
#define SJ_EXPORT(short_name) __attribute__((used, export_name(short_name)))

extern "C" {

/// Room for `capacity` input bytes. The glue writes a call's string argument there and passes
/// its byte count to the call.
SJ_EXPORT("i") char* sj_input(std::size_t capacity) {
    if (in_buf.size() < capacity) in_buf.resize(capacity);
    return in_buf.data();
}

/// Where the last returned output string starts (its length was the call's result).
SJ_EXPORT("o") const char* sj_output() { return out_buf.data(); }

/// A new session (client_options). The input holds `<allowed>;<available>;<server id>`: two
/// comma-separated lists of transport names (empty = all) and the server id (empty = the
/// core's random one). `transport_timeout_ms` 0 derives it from the /info round trip as
/// sockjs-client does; `seed_hi`/`seed_lo` are 64 bits from the browser's secure random source.
SJ_EXPORT("c") handle* sj_create(double transport_timeout_ms, double liveness_ms, double max_frame_bytes,
                                       std::size_t session_id_length, std::uint32_t seed_hi, std::uint32_t seed_lo,
                                       std::size_t options_len, double now) {
    auto fields = input(options_len);
    client_options opts;
    opts.transports = parse_list(take_field(fields));
    opts.available = parse_list(take_field(fields));
    opts.server_id = fields;
    opts.transport_timeout = ms(transport_timeout_ms);
    opts.liveness_timeout = ms(liveness_ms);
    if (max_frame_bytes > 0) opts.max_frame_bytes = static_cast<std::size_t>(max_frame_bytes);
    opts.session_id_length = session_id_length;
    opts.random_seed = (std::uint64_t{seed_hi} << 32) | seed_lo;
    return new handle(std::move(opts), at(now));
}

SJ_EXPORT("d") void sj_destroy(handle* h) { delete h; }

SJ_EXPORT("s") int sj_state(const handle* h) { return static_cast<int>(h->session.state()); }

/// The /info response: its HTTP status (0: no answer), body and round trip.
SJ_EXPORT("I") void sj_on_info_response(handle* h, int status, std::size_t len, double rtt_ms, double now) {
    h->session.on_info_response(status, input(len), at(now), ms(rtt_ms));
}

/// A receiving response began with HTTP `status`.
SJ_EXPORT("r") void sj_receiver_response(handle* h, int status, double now) {
    h->session.on_receiver_response(status, at(now));
}

/// Body bytes of the receiving response, or one WebSocket message. Returns the core's errc.
SJ_EXPORT("D") int sj_receiver_data(handle* h, std::size_t len, double now) {
    return static_cast<int>(h->session.on_receiver_data(input(len), at(now)));
}

/// One EventSource message's `data`, as the browser joined its lines.
SJ_EXPORT("E") int sj_receiver_event(handle* h, std::size_t len, double now) {
    return static_cast<int>(h->session.on_receiver_event(input(len), at(now)));
}

/// The receiving response ended normally.
SJ_EXPORT("R") void sj_receiver_end(handle* h, double now) { h->session.on_receiver_end(at(now)); }

/// One bare frame (jsonp: the browser evaluated the callback's argument).
SJ_EXPORT("f") int sj_on_frame(handle* h, std::size_t len, double now) {
    return static_cast<int>(h->session.on_frame(input(len), at(now)));
}

/// The current transport ended without a close frame. `code` < 0: no close code.
SJ_EXPORT("x") void sj_on_transport_closed(handle* h, int code, std::size_t reason_len, double now) {
    if (code < 0) {
        h->session.on_transport_closed(at(now));
    } else {
        h->session.on_transport_closed(at(now), code, input(reason_len));
    }
}

SJ_EXPORT("S") int sj_send(handle* h, std::size_t len) {
    return static_cast<int>(h->session.send(input(len)));
}

/// Takes the queued messages as one payload; read it with sj_output. Returns its length (0:
/// nothing to send now).
SJ_EXPORT("t") std::size_t sj_take_outgoing(handle* h) {
    out_buf = h->session.take_outgoing();
    return out_buf.size();
}

/// The HTTP send of the last payload answered `status` (0: no answer).
SJ_EXPORT("T") void sj_send_result(handle* h, int status, double now) {
    h->session.on_send_result(status, at(now));
}

SJ_EXPORT("C") int sj_close(handle* h, int code, std::size_t reason_len) {
    return static_cast<int>(h->session.close(code, input(reason_len)));
}

SJ_EXPORT("X") void sj_close_dispatched(handle* h) { h->session.on_close_dispatched(); }

/// The next event, or 0 when there is none: the address of six 32-bit fields (event_view),
/// valid until the next call.
SJ_EXPORT("n") const event_view* sj_next_event(handle* h) {
    h->event = h->session.next_event();
    if (!h->event) return nullptr;
    const client_event& e = *h->event;
    const std::string& text = e.kind == client_event::close ? e.reason : e.data;
    h->view = {e.kind, e.code, e.was_clean, static_cast<std::int32_t>(e.transport), text.data(),
               static_cast<std::uint32_t>(text.size())};
    return &h->view;
}

/// When on_deadline is due, or -1 when no timer is needed.
SJ_EXPORT("N") double sj_next_deadline(const handle* h) {
    const auto d = h->session.next_deadline();
    return d ? static_cast<double>(d->time_since_epoch().count()) : -1.0;
}
SJ_EXPORT("F") void sj_on_deadline(handle* h, double now) { h->session.on_deadline(at(now)); }

/// The current transport's URL path, `/<server>/<session>/<transport>`, of its receiving
/// (`sending` = 0) or sending (1) requests. Returns its length; read it with sj_output.
SJ_EXPORT("p") std::size_t sj_path(const handle* h, int sending) {
    out_buf = h->session.path(sending != 0);
    return out_buf.size();
}

/// Transport names, so the glue holds no table of its own.
/// sj_client_transport_name(i) for i = 0.. until it returns an empty string.
SJ_EXPORT("tn") const char* sj_client_transport_name(int ct) {
    if (ct < 0 || ct > static_cast<int>(client_transport::jsonp_polling)) return "";
    // name() views a string literal (core/src/client.cpp), so a NUL follows it.
    return name(static_cast<client_transport>(ct)).data();
}

/// A reconnect policy (reconnect_policy, enabled) for one SockJS object: delays in ms (a
/// negative one: the core's default), `max_attempts` 0 = no limit.
SJ_EXPORT("rc") reconnect_policy* sj_reconnect_create(double initial_delay_ms, double max_delay_ms,
                                                           unsigned max_attempts, int after_server_close) {
    reconnect_options o;
    o.enabled = true;
    if (initial_delay_ms >= 0) o.initial_delay = ms(initial_delay_ms);
    if (max_delay_ms >= 0) o.max_delay = ms(max_delay_ms);
    o.max_attempts = max_attempts;
    o.after_server_close = after_server_close != 0;
    return new reconnect_policy(o);
}
SJ_EXPORT("rd") void sj_reconnect_destroy(reconnect_policy* p) { delete p; }
SJ_EXPORT("ro") void sj_reconnect_open(reconnect_policy* p) { p->on_open(); }
/// A session ended: the delay in ms before the next one, or -1 when this close is final.
SJ_EXPORT("rx") double sj_reconnect_close(reconnect_policy* p, int code, int was_clean, int by_application,
                                               std::uint32_t random) {
    const auto d = p->on_close({code, was_clean != 0, by_application != 0}, random);
    return d ? static_cast<double>(d->count()) : -1.0;
}
SJ_EXPORT("ra") unsigned sj_reconnect_attempts(const reconnect_policy* p) { return p->attempts(); }

}  // extern "C"
