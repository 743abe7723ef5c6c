// Every record of tests/data/client_behaviour.vectors that a native client can meet, replayed
// through the real client (client-native) against a fake server on loopback that the replay
// drives step by step: the adapter must add nothing to the core's decisions. What the
// application sees (events, the ready state as each handler ran, send() and close() results)
// and the requests the server receives are checked; the records that cannot apply are listed
// in not_native with the reason. The native client reads a real clock (no injected one), so
// the replay has no timing assertion: each expectation waits, bounded, for what it expects.

#include <sockjs/client/connection.hpp>
#include <sockjs/error.hpp>

#include "../core/ready_state_name.hpp"
#include "../core/test_vectors.hpp"
#include "support/fake_server.hpp"

#include <catch2/catch.hpp>

#include <Poco/Exception.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace sockjs::client;
using namespace sockjs::client::test;
using namespace std::chrono_literals;
using sockjs::client_transport;
using sockjs::errc;
using sockjs::ready_state;

namespace {

// Records the native client cannot meet, by name (or "kind: reconnect"), with the reason.
const std::map<std::string, std::string> not_native = {
    {"kind: reconnect",
     "these records drive reconnect_policy alone, with the close code, its cleanness and the random number as "
     "inputs; the native client draws its random numbers itself and a session cannot be made to end with each of "
     "those in turn. client_behaviour_test.cpp checks the native client's use of the policy end to end."},
    {"/info: no answer within info_timeout aborts the request and closes with 1002",
     "the native client has no info_timeout (its /info limit is connect_timeout) and reads a real clock: the "
     "record's 8 s would be a real wait"},
    {"transports: the order is websocket, xhr-streaming, eventsource, xhr-polling, jsonp-polling, each with a fresh "
     "session id",
     "the native client implements neither eventsource nor jsonp-polling (options.hpp: they are ignored)"},
    {"receiver: a bare frame (jsonp) over max_frame_bytes after open loses the session",
     "the native client implements no jsonp-polling"},
    {"eventsource: the browser's joined data lines and the server's %XX escapes",
     "the native client implements no eventsource (and `event` steps are a browser's joined data)"},
    {"a WebSocket closed before open with a code that is not an application's falls back",
     "its last fallback is eventsource, which the native client does not implement"},
    {"liveness: no frame for the watchdog's time closes with 4900",
     "the native client has no liveness option (receive_timeout ends a silent transport instead) and reads a real "
     "clock: the record's 50 s would be real waits"},
};

std::string key_of(const sockjs_test::vector_record& r) {
    return r.get("kind") == "reconnect" ? "kind: reconnect" : r.get("name");
}

std::pair<std::string, std::string> split_word(const std::string& s) {
    const auto sp = s.find(' ');
    if (sp == std::string::npos) return {s, ""};
    return {s.substr(0, sp), s.substr(sp + 1)};
}

std::string url_name(const std::string& transport) {
    if (transport == "xhr-polling") return "xhr";
    if (transport == "xhr-streaming") return "xhr_streaming";
    return transport;
}

// One request the fake server holds; the replay queues commands that its worker thread runs.
// A command returns true when the request is done (the server then closes the connection).
struct held_request {
    std::string segment, path, body;
    bool websocket = false;
    std::mutex m;
    std::condition_variable cv;
    std::deque<std::function<bool(fake_request&)>> commands;
    std::atomic<bool> gone{false};  // the client closed it, or the server finished it

    void run(std::function<bool(fake_request&)> f) {
        {
            std::lock_guard lk(m);
            commands.push_back(std::move(f));
        }
        cv.notify_all();
    }
};

// What the fake server received, shared with its worker threads.
struct stage {
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::shared_ptr<held_request>> infos, receivers, sends;
    std::vector<std::string> ws_sends;  // WebSocket messages from the client
    std::atomic<bool> stopping{false};

    template <class Pred> bool until(Pred p, std::chrono::milliseconds limit = 5s) {
        std::unique_lock lk(m);
        return cv.wait_for(lk, limit, p);
    }
    void stop() {
        stopping = true;
        std::lock_guard lk(m);
        for (auto* v : {&infos, &receivers, &sends})
            for (auto& h : *v) h->cv.notify_all();
    }
};

// Reads the client's masked WebSocket frames that have arrived (non-blocking); false once the
// client closed the socket or sent a close frame.
bool read_ws(fake_request& r, std::string& buffer, stage& st) {
    try {
        while (r.socket->poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) {
            char tmp[4096];
            const int n = r.socket->receiveBytes(tmp, sizeof tmp);
            if (n <= 0) return false;
            buffer.append(tmp, static_cast<std::size_t>(n));
        }
    } catch (const Poco::Exception&) {
        return false;
    }
    for (;;) {
        if (buffer.size() < 2) return true;
        const auto b = [&](std::size_t i) { return static_cast<unsigned char>(buffer[i]); };
        const int opcode = b(0) & 0x0f;
        std::size_t len = b(1) & 0x7f, at = 2;
        if (len == 126) {
            if (buffer.size() < 4) return true;
            len = (std::size_t{b(2)} << 8) | b(3);
            at = 4;
        } else if (len == 127) {
            if (buffer.size() < 10) return true;
            len = 0;
            for (std::size_t i = 2; i < 10; ++i) len = (len << 8) | b(i);
            at = 10;
        }
        if (buffer.size() < at + 4 + len) return true;
        std::string payload = buffer.substr(at + 4, len);
        for (std::size_t i = 0; i < len; ++i) payload[i] = static_cast<char>(payload[i] ^ buffer[at + (i % 4)]);
        buffer.erase(0, at + 4 + len);
        if (opcode == 8) return false;
        if (opcode == 1) {
            std::lock_guard lk(st.m);
            st.ws_sends.push_back(std::move(payload));
            st.cv.notify_all();
        }
    }
}

// True once the client has closed an HTTP request's connection (it gave the request up).
bool client_left(fake_request& r) {
    try {
        if (!r.socket->poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) return false;
        char tmp[256];
        return r.socket->receiveBytes(tmp, sizeof tmp) <= 0;
    } catch (const Poco::Exception&) {
        return true;
    }
}

fake_server::script puppet(stage& st) {
    return [&st](fake_request& r) {
        auto h = std::make_shared<held_request>();
        h->segment = r.last_segment();
        h->path = r.path;
        h->body = r.body;
        h->websocket = h->segment == "websocket";
        if (h->websocket) r.accept_websocket();
        {
            std::lock_guard lk(st.m);
            if (h->segment == "info") st.infos.push_back(h);
            else if (h->segment == "xhr_send") st.sends.push_back(h);
            else st.receivers.push_back(h);
        }
        st.cv.notify_all();
        std::string ws_buffer;
        const auto until = std::chrono::steady_clock::now() + 20s;
        while (!st.stopping && std::chrono::steady_clock::now() < until) {
            std::unique_lock lk(h->m);
            h->cv.wait_for(lk, 5ms, [&] { return !h->commands.empty() || st.stopping; });
            while (!h->commands.empty()) {
                auto f = std::move(h->commands.front());
                h->commands.pop_front();
                lk.unlock();
                const bool done = f(r);
                lk.lock();
                if (done) {
                    h->gone = true;
                    return;
                }
            }
            lk.unlock();
            if (h->websocket ? !read_ws(r, ws_buffer, st) : client_left(r)) break;
        }
        h->gone = true;
    };
}

// The application's view: each event as its handler saw it, with the ready state then. A
// handler returns only once the replay has read its event, so that the sends of a record's
// next steps can be made in it, together, as an application makes them in its handler (the
// core batches what is queued when the I/O thread next looks).
struct app_log {
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::pair<std::string, ready_state>> events;
    std::atomic<connection*> self{nullptr};
    std::size_t released = 0;  // handlers of events before this index have returned
    bool shutdown = false;
    std::function<void()> task;  // run by the handler that waits

    ready_state state() {
        // A handler may run before the constructor has returned.
        for (int i = 0; i < 2000 && !self.load(); ++i) std::this_thread::sleep_for(1ms);
        return self.load()->ready_state();
    }
    void note(std::string e) {
        const ready_state s = state();
        std::unique_lock lk(m);
        const std::size_t index = events.size();
        events.emplace_back(std::move(e), s);
        cv.notify_all();
        const auto until = std::chrono::steady_clock::now() + 10s;
        while (!shutdown && released <= index && std::chrono::steady_clock::now() < until) {
            cv.wait_for(lk, 10ms);
            if (task) {
                auto t = std::move(task);
                task = nullptr;
                lk.unlock();
                t();
                lk.lock();
                cv.notify_all();
            }
        }
    }
    void release(std::size_t upto) {
        std::lock_guard lk(m);
        released = std::max(released, upto);
        cv.notify_all();
    }
    /// Runs `f` in the handler of event `index` if that one still waits; false otherwise.
    bool run_in_handler(std::size_t index, std::function<void()> f) {
        std::unique_lock lk(m);
        if (shutdown || released > index || events.size() <= index) return false;
        bool done = false;
        task = [&] {
            f();
            done = true;
        };
        cv.wait(lk, [&] { return done; });
        return true;
    }
    void stop() {
        std::lock_guard lk(m);
        shutdown = true;
        cv.notify_all();
    }
};

options native_options(const sockjs_test::vector_record& rec) {
    options o;
    for (const auto& opt : rec.all("option")) {
        const auto [k, v] = split_word(opt);
        INFO("record line " << rec.line << ": option " << opt);
        if (k == "transports") {
            std::size_t from = 0;
            for (;;) {
                const auto comma = v.find(',', from);
                const auto t = sockjs::parse_client_transport(v.substr(from, comma - from));
                REQUIRE(t);
                o.transports.push_back(*t);
                if (comma == std::string::npos) break;
                from = comma + 1;
            }
        } else if (k == "timeout") {
            o.timeout = sockjs::millis(std::stoi(v));
        } else if (k == "max_frame_bytes") {
            o.max_frame_size = static_cast<std::size_t>(std::stoul(v));
        } else if (k == "server_id") {
            o.server_id = v;
        } else if (k == "session_id") {
            o.session_id = v;
        } else {
            FAIL("option without a native counterpart: list the record in not_native");
        }
    }
    return o;
}

// The messages of one or more sends, as the core's `take` writes them (one JSON array).
std::string joined(const std::vector<std::string>& bodies) {
    std::string inner;
    for (const auto& b : bodies) {
        if (b.size() < 2) continue;
        if (!inner.empty()) inner += ",";
        inner += b.substr(1, b.size() - 2);
    }
    return "[" + inner + "]";
}

void replay(const sockjs_test::vector_record& rec) {
    const auto steps = rec.all("step");
    stage st;
    app_log log;
    fake_server server(puppet(st));
    struct stopper {
        stage& s;
        ~stopper() { s.stop(); }
    } stop_workers{st};

    event_handlers handlers;
    handlers.on_open = [&] { log.note("open"); };
    handlers.on_message = [&](const std::string& m) { log.note("message " + m); };
    handlers.on_close = [&](int code, const std::string& reason, bool clean) {
        log.note("close " + std::to_string(code) + (clean ? " clean " : " unclean ") + reason);
    };
    connection c(server.url(), native_options(rec), handlers);
    log.self = &c;
    struct releaser {
        app_log& l;
        ~releaser() { l.stop(); }
    } release_handlers{log};

    std::size_t events = 0, receivers = 0, sends_seen = 0, ws_seen = 0;
    std::shared_ptr<held_request> current;
    std::deque<std::shared_ptr<held_request>> taken;  // xhr_sends waiting for their `sent`
    std::vector<std::string> session_ids;
    std::optional<std::string> last_result;
    std::string error_before;  // last_error() before the latest input
    bool close_expected = false;

    auto next_receiver = [&](const std::string& at) {
        INFO(at << ": a receiving request");
        REQUIRE(st.until([&] { return st.receivers.size() > receivers; }));
        std::lock_guard lk(st.m);
        return st.receivers[receivers++];
    };
    auto settle = [&] { std::this_thread::sleep_for(150ms); };
    auto no_new_events = [&](const std::string& at) {
        std::lock_guard lk(log.m);
        std::vector<std::string> extra;
        for (std::size_t i = events; i < log.events.size(); ++i) extra.push_back(log.events[i].first);
        INFO(at << ": events not expected");
        CHECK(extra == std::vector<std::string>{});
    };
    auto sends_count = [&] {
        std::lock_guard lk(st.m);
        return st.sends.size() + st.ws_sends.size();
    };

    // /info is asked at once: the first step finds it pending.
    REQUIRE(st.until([&] { return !st.infos.empty(); }));

    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string at = "record line " + std::to_string(rec.line) + " \"" + rec.get("name") + "\", step " +
                               std::to_string(i + 1) + ": " + steps[i];
        INFO(at);
        if (steps[i].rfind("send ", 0) == 0) {
            // Consecutive sends, made together in the handler of the last event if it still
            // waits (an application's reaction to it), else one by one from this thread.
            std::vector<std::string> batch{steps[i].substr(5)};
            while (i + 1 < steps.size() && steps[i + 1].rfind("send ", 0) == 0) batch.push_back(steps[++i].substr(5));
            no_new_events(at);
            errc e = errc::ok;
            auto send_all = [&] {
                for (const auto& m : batch) e = c.send(m);
            };
            if (events == 0 || !log.run_in_handler(events - 1, send_all)) send_all();
            log.release(events);
            last_result = e == errc::ok ? std::string("ok") : std::string(sockjs::message(e));
            continue;
        }
        log.release(events);
        if (steps[i].rfind("=> ", 0) == 0) {
            const std::string expect = steps[i].substr(3);
            const auto [what, rest] = split_word(expect);
            if (what == "open" || what == "message" || what == "close") {
                std::unique_lock lk(log.m);
                REQUIRE(log.cv.wait_for(lk, 5s, [&] { return log.events.size() > events; }));
                CHECK(log.events[events].first == expect);
                ++events;
                if (what == "close") close_expected = true;
            } else if (what == "heartbeat") {
                // The native API reports no heartbeat event; the frame's effects are the next steps.
            } else if (what == "start" || what == "reopen") {
                current = next_receiver(at);
                CHECK(current->segment == url_name(rest));
                const std::string& path = current->path;  // /echo/<server>/<session>/<transport>
                const auto end = path.rfind('/');
                const auto begin = path.rfind('/', end - 1);
                const std::string session = path.substr(begin + 1, end - begin - 1);
                if (what == "start") session_ids.push_back(session);
                else CHECK(session == session_ids.back());
            } else if (what == "stop") {
                // The request the core stopped, if the server had not finished it: the client
                // gives it up (closes its connection).
                std::shared_ptr<held_request> target = current;
                if (!target) {
                    std::lock_guard lk(st.m);
                    if (!st.infos.empty()) target = st.infos.front();
                }
                REQUIRE(target);
                bool gone = false;
                for (int k = 0; k < 500 && !(gone = target->gone); ++k) std::this_thread::sleep_for(10ms);
                CHECK(gone);
            } else if (what == "send_path" || what == "deadline") {
                // Not visible to a native application or server before it is used: the next
                // send's URL, the timer's expiry (the real clock fires it).
            } else if (what == "state") {
                ready_state seen;
                const bool after_event = i > 0 && std::regex_search(steps[i - 1], std::regex("^=> (open|message)\\b"));
                if (after_event) {
                    std::lock_guard lk(log.m);
                    seen = log.events[events - 1].second;
                } else if (rest == "closing" && close_expected) {
                    // The native client dispatches the close event as soon as the core decides
                    // it: the closing phase ends inside its I/O thread, before the handler runs.
                    continue;
                } else {
                    seen = c.ready_state();
                }
                CHECK(std::string(sockjs_test::state_name(seen)) == rest);
            } else if (what == "result") {
                if (last_result) {
                    CHECK(*last_result == rest);
                } else {
                    // What the core answered to data or a frame: last_error() keeps it readable
                    // ("<result>: <the bytes>"), once the I/O thread has taken them.
                    // A WebSocket message over the limit is the exception: websocket_io.cpp
                    // bounds the allocation with POCO's maximum payload size, so the transport
                    // fails before the core sees the message (the steps that follow, the same
                    // for both, are checked).
                    const bool adapter_bound = current && current->websocket && rest == "Message too large.";
                    std::string seen;
                    for (int k = 0; k < 500; ++k) {
                        seen = c.last_error();
                        if (seen != error_before && (adapter_bound || seen.rfind(rest + ":", 0) == 0)) break;
                        std::this_thread::sleep_for(10ms);
                    }
                    CHECK(seen != error_before);
                    if (!adapter_bound) CHECK(seen.substr(0, rest.size() + 1) == rest + ":");
                    error_before = seen;
                }
            } else if (what == "take") {
                if (rest.empty()) {
                    settle();
                    CHECK(sends_count() == sends_seen + ws_seen);
                } else {
                    // The adapter may hand consecutive sends over in more than one request:
                    // the messages and their order are what the core decided.
                    std::vector<std::string> bodies;
                    REQUIRE(st.until([&] {
                        bodies.clear();
                        for (std::size_t k = sends_seen; k < st.sends.size(); ++k) bodies.push_back(st.sends[k]->body);
                        for (std::size_t k = ws_seen; k < st.ws_sends.size(); ++k) bodies.push_back(st.ws_sends[k]);
                        return joined(bodies).size() >= rest.size();
                    }));
                    CHECK(joined(bodies) == rest);
                    std::lock_guard lk(st.m);
                    for (; sends_seen < st.sends.size(); ++sends_seen) taken.push_back(st.sends[sends_seen]);
                    ws_seen = st.ws_sends.size();
                }
            } else if (what == "path") {
                const std::string prefix = "/echo";
                REQUIRE(current);
                REQUIRE(current->path.rfind(prefix, 0) == 0);
                CHECK(std::regex_match(current->path.substr(prefix.size()), std::regex(rest)));
            } else if (what == "fresh_session_ids") {
                CHECK(std::set<std::string>(session_ids.begin(), session_ids.end()).size() == session_ids.size());
            } else if (what == "nothing") {
                settle();
                no_new_events(at);
                std::lock_guard lk(st.m);
                CHECK(st.receivers.size() == receivers);
                CHECK(st.sends.size() == sends_seen);
                CHECK(st.ws_sends.size() == ws_seen);
            } else {
                FAIL("unknown expectation");
            }
            continue;
        }

        // An input: every event of the previous inputs must have been expected.
        no_new_events(at);
        const auto [what, arg] = split_word(steps[i]);
        last_result.reset();
        error_before = c.last_error();
        if (what == "info") {
            const auto [status, body] = split_word(arg);
            REQUIRE(st.until([&] { return !st.infos.empty(); }));
            std::shared_ptr<held_request> info;
            {
                std::lock_guard lk(st.m);
                info = st.infos.front();
            }
            if (status == "0") {
                info->run([](fake_request&) { return true; });
            } else {
                info->run([s = std::stoi(status), b = body](fake_request& r) {
                    r.respond(s, "application/json; charset=UTF-8", b);
                    return true;
                });
            }
        } else if (what == "wait") {
            // The native client's real clock: the next expectation waits (bounded) for what the
            // deadline brings; long waits are records in not_native.
            REQUIRE(std::stoi(arg) <= 1000);
        } else if (what == "response") {
            REQUIRE(current);
            REQUIRE_FALSE(current->websocket);
            const int status = std::stoi(arg);
            current->run([status](fake_request& r) {
                if (status != 200) {
                    r.respond(status, "application/javascript; charset=UTF-8", "");
                    return true;
                }
                r.start_chunked(200, "application/javascript; charset=UTF-8");
                return false;
            });
        } else if (what == "data" || what == "frame") {
            REQUIRE(current);
            if (what == "frame") REQUIRE(current->websocket);  // a bare frame over http is jsonp
            const bool ws = current->websocket;
            current->run([ws, arg = arg](fake_request& r) {
                if (ws) r.ws_frame(arg);
                else r.chunk(arg);
                return false;
            });
        } else if (what == "end") {
            // A WebSocket has no end short of closing: the core ignores it there.
            REQUIRE(current);
            if (!current->websocket)
                current->run([](fake_request& r) {
                    r.end_chunks();
                    return true;
                });
        } else if (what == "closed") {
            REQUIRE(current);
            if (!arg.empty()) {
                REQUIRE(current->websocket);
                const auto [code, reason] = split_word(arg);
                current->run([n = std::stoi(code), reason = reason](fake_request& r) {
                    std::string payload{static_cast<char>(n >> 8), static_cast<char>(n & 0xff)};
                    r.ws_frame(payload + reason, 8);
                    return true;
                });
            } else {
                current->run([](fake_request&) { return true; });
            }
        } else if (what == "sent") {
            REQUIRE_FALSE(taken.empty());
            auto s = taken.front();
            taken.pop_front();
            if (arg == "0") {
                s->run([](fake_request&) { return true; });
            } else {
                s->run([n = std::stoi(arg)](fake_request& r) {
                    r.respond(n, "text/plain; charset=UTF-8", "");
                    return true;
                });
            }
        } else if (what == "close") {
            const auto [code, reason] = split_word(arg);
            const errc e = code == "0" ? c.close() : c.close(std::stoi(code), reason);
            last_result = e == errc::ok ? std::string("ok") : std::string(sockjs::message(e));
        } else if (what == "dispatched") {
            // The native client dispatched the close event when it was expected.
            REQUIRE(close_expected);
        } else {
            FAIL("unknown step");
        }
    }
    log.release(events);
    settle();
    no_new_events("the end of the record");
    std::lock_guard lk(st.m);
    std::vector<std::string> extra;
    for (std::size_t k = receivers; k < st.receivers.size(); ++k) extra.push_back(st.receivers[k]->path);
    INFO("receiving requests not expected at the end of record line " << rec.line);
    CHECK(extra == std::vector<std::string>{});
}

}  // namespace

TEST_CASE("behaviour vectors: every record a native client can meet replays through it", "[fake][behaviour][vectors]") {
    for (const auto& rec : sockjs_test::load_vectors("client_behaviour.vectors")) {
        if (not_native.count(key_of(rec))) continue;
        DYNAMIC_SECTION(rec.get("name")) { replay(rec); }
    }
}

TEST_CASE("behaviour vectors: every record listed as not for the native client exists", "[behaviour][vectors]") {
    std::set<std::string> keys;
    for (const auto& rec : sockjs_test::load_vectors("client_behaviour.vectors")) keys.insert(key_of(rec));
    for (const auto& [key, reason] : not_native) {
        INFO(key << " (" << reason << ")");
        CHECK(keys.count(key) == 1);
    }
}
