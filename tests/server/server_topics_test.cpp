// Topics (connection::subscribe/unsubscribe, server::publish) and send_to on one process with
// the in-process bus; the same across processes is tests/cluster.

#include "server_checks.hpp"

#include <sockjs/broadcaster.hpp>

using namespace sjt;

namespace {

/// "/rooms": "join T", "leave T" (answered "joined T" / "left T"), "pub T M".
void add_rooms(sockjs::server& srv) {
    srv.route("/rooms", sockjs::handlers{
                            .on_open = [](sockjs::connection& c) { c.send("id " + c.id()); },
                            .on_message = [&srv](sockjs::connection& c, std::string_view m) {
                                auto sp = m.find(' ');
                                auto verb = m.substr(0, sp);
                                auto rest = m.substr(sp + 1);
                                if (verb == "join") c.send(c.subscribe(rest) ? "joined " + std::string(rest) : "refused");
                                if (verb == "leave") {
                                    c.unsubscribe(rest);
                                    c.send("left " + std::string(rest));
                                }
                                if (verb == "pub") {
                                    auto sp2 = rest.find(' ');
                                    srv.publish(rest.substr(0, sp2), rest.substr(sp2 + 1));
                                }
                            }});
    srv.route("/chat", sockjs::handlers{});
}

struct member {
    ws_client ws;
    std::string id;
    member(std::uint16_t port, const std::string& prefix)
        : ws(port, prefix + "/000/" + new_id() + "/websocket") {
        REQUIRE(ws.recv().data == "o");
        if (prefix == "/rooms") {
            auto first = ws.recv().data;  // a["id ..."]
            REQUIRE(first.rfind("a[\"id ", 0) == 0);
            id = first.substr(6, first.size() - 8);
        }
    }
    void say(std::string_view m) { ws.send_text("[\"" + std::string(m) + "\"]"); }
};

}  // namespace

TEST_CASE("topics: publish reaches the members of a topic only, once, until they leave", "[topics]") {
    test_server s(add_rooms);
    member a(s.port, "/rooms"), b(s.port, "/rooms"), c(s.port, "/rooms");
    a.say("join red");
    CHECK(a.ws.recv().data == R"(a["joined red"])");
    a.say("join red");  // twice: still one delivery
    CHECK(a.ws.recv().data == R"(a["joined red"])");
    b.say("join red");
    CHECK(b.ws.recv().data == R"(a["joined red"])");
    c.say("pub red hello");
    CHECK(a.ws.recv().data == R"(a["hello"])");
    CHECK(b.ws.recv().data == R"(a["hello"])");
    b.say("leave red");
    CHECK(b.ws.recv().data == R"(a["left red"])");
    s.srv.publish("red", "second");
    s.srv.publish("blue", "nobody");
    CHECK(a.ws.recv().data == R"(a["second"])");
    // b left and c never joined: the next thing each gets is this marker.
    s.srv.publish("/rooms", "marker");
    CHECK(a.ws.recv().data == R"(a["marker"])");
    CHECK(b.ws.recv().data == R"(a["marker"])");
    CHECK(c.ws.recv().data == R"(a["marker"])");
}

TEST_CASE("topics: a service prefix is a topic; its sessions get it once even if they joined it", "[topics]") {
    test_server s(add_rooms);
    member in_chat(s.port, "/chat"), room(s.port, "/rooms"), other(s.port, "/rooms");
    room.say("join /chat");
    CHECK(room.ws.recv().data == R"(a["joined /chat"])");
    other.say("join @node");
    CHECK(other.ws.recv().data == R"(a["refused"])");
    s.srv.publish("/chat", "to chat");
    s.srv.publish("@node", "reserved");
    CHECK(in_chat.ws.recv().data == R"(a["to chat"])");
    CHECK(room.ws.recv().data == R"(a["to chat"])");
    s.srv.publish("/rooms", "marker");
    CHECK(room.ws.recv().data == R"(a["marker"])");  // not "to chat" a second time
    CHECK(other.ws.recv().data == R"(a["marker"])");  // and nothing for the reserved topic
}

TEST_CASE("send_to: a local session by id; unknown ids are false at once", "[topics]") {
    test_server s(add_rooms);
    member a(s.port, "/rooms");
    CHECK(s.srv.send_to(a.id, "direct"));
    CHECK(a.ws.recv().data == R"(a["direct"])");
    CHECK_FALSE(s.srv.send_to("0123456789ab-000000000000000000000000", "x"));  // no shared bus
    CHECK_FALSE(s.srv.send_to("", "x"));
    a.ws.close(1000);
    CHECK(eventually([&] { return !s.srv.send_to(a.id, "gone"); }));
}
