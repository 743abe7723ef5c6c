// The client decisions as data: tests/data/client_behaviour.vectors drives client_session (and
// reconnect_policy) step by step and checks every event it emits. The same file runs natively
// and under node (the wasm build of these tests); see the file's header for the notation.
#include <sockjs/client.hpp>
#include <sockjs/reconnect.hpp>

#include "ready_state_name.hpp"
#include "test_vectors.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace sockjs;
using sockjs_test::load_vectors;
using sockjs_test::vector_record;

namespace {

// Splits "word rest of line" into the word and the rest.
std::pair<std::string, std::string> split_word(const std::string& s) {
    const auto sp = s.find(' ');
    if (sp == std::string::npos) return {s, {}};
    return {s.substr(0, sp), s.substr(sp + 1)};
}

int to_int(const std::string& s) { return std::atoi(s.c_str()); }

std::vector<client_transport> transport_list(const std::string& s) {
    std::vector<client_transport> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) {
        auto t = parse_client_transport(item);
        INFO("transport name " << item);
        REQUIRE(t);
        out.push_back(*t);
    }
    return out;
}

client_options session_options(const vector_record& v) {
    client_options o;
    o.random_seed = 1;
    for (const auto& opt : v.all("option")) {
        const auto [key, value] = split_word(opt);
        if (key == "transports") o.transports = transport_list(value);
        else if (key == "available") o.available = transport_list(value);
        else if (key == "timeout") o.transport_timeout = millis{to_int(value)};
        else if (key == "info_timeout") o.info_timeout = millis{to_int(value)};
        else if (key == "liveness") o.liveness_timeout = millis{to_int(value)};
        else if (key == "max_frame_bytes") o.max_frame_bytes = static_cast<std::size_t>(to_int(value));
        else if (key == "server_id") o.server_id = value;
        else if (key == "session_id") o.session_id = value;
        else if (key == "seed") o.random_seed = static_cast<std::uint64_t>(std::strtoull(value.c_str(), nullptr, 10));
        else FAIL("unknown option " << key);
    }
    return o;
}

// One event as the notation writes it after `=>`.
std::string describe(const client_event& e) {
    switch (e.kind) {
    case client_event::open: return "open";
    case client_event::message: return "message " + e.data;
    case client_event::heartbeat: return "heartbeat";
    case client_event::close:
        return "close " + std::to_string(e.code) + (e.was_clean ? " clean " : " unclean ") + e.reason;
    case client_event::start_transport: return "start " + std::string(name(e.transport));
    case client_event::stop_transport: return "stop";
    case client_event::reopen_receiver: return "reopen " + std::string(name(e.transport));
    }
    return "?";
}

void run_session(const vector_record& v) {
    time_point now{millis(100000)};
    client_session s(session_options(v), now);
    std::string last_result = "ok";
    std::vector<std::string> session_ids;
    // Events are taken one by one as the record expects them, as an adapter dispatches them:
    // `=> state` says what the application sees at that point.
    auto take = [&]() -> std::optional<std::string> {
        auto e = s.next_event();
        if (!e) return std::nullopt;
        if (e->kind == client_event::start_transport) session_ids.push_back(s.session_id());
        return describe(*e);
    };
    auto result = [&](errc e) { last_result = e == errc::ok ? "ok" : std::string(message(e)); };
    int n = 0;
    for (const auto& step : v.all("step")) {
        ++n;
        INFO("record at line " << v.line << " (" << v.get("name") << "), step " << n << ": " << step);
        if (step.rfind("=> ", 0) == 0) {
            const auto [what, rest] = split_word(step.substr(3));
            if (what == "state") {
                CHECK(sockjs_test::state_name(s.state()) == rest);
            } else if (what == "result") {
                CHECK(last_result == rest);
            } else if (what == "take") {
                CHECK(s.take_outgoing() == rest);
            } else if (what == "path") {
                CHECK(std::regex_match(s.path(false), std::regex(rest)));
            } else if (what == "send_path") {
                CHECK(std::regex_match(s.path(true), std::regex(rest)));
            } else if (what == "deadline") {
                const auto d = s.next_deadline();
                CHECK((d ? std::to_string((*d - now).count()) : std::string("none")) == rest);
            } else if (what == "fresh_session_ids") {
                // Every attempt so far had its own id.
                for (std::size_t i = 0; i < session_ids.size(); ++i)
                    for (std::size_t j = i + 1; j < session_ids.size(); ++j) CHECK(session_ids[i] != session_ids[j]);
            } else if (what == "nothing") {
                CHECK(take() == std::nullopt);
            } else {
                const auto e = take();
                REQUIRE(e);
                CHECK(*e == step.substr(3));
            }
            continue;
        }
        // An input: every event of the previous inputs must have been expected.
        const auto unexpected = take();
        INFO("event not expected: " << unexpected.value_or(""));
        REQUIRE_FALSE(unexpected);
        const auto [what, arg] = split_word(step);
        if (what == "info") {
            const auto [status, body] = split_word(arg);
            s.on_info_response(to_int(status), body, now, millis{50});
        } else if (what == "wait") {
            now += millis{to_int(arg)};
            if (auto d = s.next_deadline(); d && *d <= now) s.on_deadline(now);
        } else if (what == "frame") {
            result(s.on_frame(arg, now));
        } else if (what == "response") {
            s.on_receiver_response(to_int(arg), now);
        } else if (what == "data") {
            result(s.on_receiver_data(arg, now));
        } else if (what == "event") {
            result(s.on_receiver_event(arg, now));
        } else if (what == "end") {
            s.on_receiver_end(now);
        } else if (what == "closed") {
            if (arg.empty()) {
                s.on_transport_closed(now);
            } else {
                const auto [code, reason] = split_word(arg);
                s.on_transport_closed(now, to_int(code), reason);
            }
        } else if (what == "send") {
            result(s.send(arg));
        } else if (what == "sent") {
            s.on_send_result(to_int(arg), now);
        } else if (what == "close") {
            const auto [code, reason] = split_word(arg);
            result(s.close(to_int(code), reason));
        } else if (what == "dispatched") {
            s.on_close_dispatched();
        } else {
            FAIL("unknown step " << what);
        }
    }
    const auto left = take();
    INFO("record at line " << v.line << " (" << v.get("name") << "): events left over: " << left.value_or(""));
    CHECK_FALSE(left);
}

void run_reconnect(const vector_record& v) {
    reconnect_options o;
    o.enabled = true;
    for (const auto& opt : v.all("option")) {
        const auto [key, value] = split_word(opt);
        if (key == "enabled") o.enabled = value == "true";
        else if (key == "initial") o.initial_delay = millis{to_int(value)};
        else if (key == "max") o.max_delay = millis{to_int(value)};
        else if (key == "max_attempts") o.max_attempts = static_cast<unsigned>(to_int(value));
        else if (key == "after_server_close") o.after_server_close = value == "true";
        else FAIL("unknown option " << key);
    }
    reconnect_policy p(o);
    int n = 0;
    for (const auto& step : v.all("step")) {
        ++n;
        INFO("record at line " << v.line << " (" << v.get("name") << "), step " << n << ": " << step);
        // `open`, or `CODE clean|unclean|app RANDOM => DELAY|final`
        if (step == "open") {
            p.on_open();
            continue;
        }
        std::stringstream in(step);
        int code = 0;
        std::string how, arrow, expected;
        std::uint32_t random = 0;
        in >> code >> how >> random >> arrow >> expected;
        REQUIRE(arrow == "=>");
        const session_end end{code, how != "unclean", how == "app"};
        const auto d = p.on_close(end, random);
        CHECK((d ? std::to_string(d->count()) : std::string("final")) == expected);
    }
}

}  // namespace

TEST_CASE("client behaviour vectors (tests/data/client_behaviour.vectors)", "[client][vectors]") {
    int sessions = 0, policies = 0;
    for (const auto& v : load_vectors("client_behaviour.vectors")) {
        if (v.get("kind") == "reconnect") {
            run_reconnect(v);
            ++policies;
        } else {
            run_session(v);
            ++sessions;
        }
    }
    CHECK(sessions >= 20);
    CHECK(policies >= 5);
}
