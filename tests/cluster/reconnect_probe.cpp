// sockjs-reconnect-probe: a native client with reconnect on, for the cluster tests. Connects to
// a /rooms service (demo server) and prints one line per session it gets, "id <connection id>"
// (the id names the process), until its stdin closes; bounded by --limit seconds.

#include <sockjs/client/connection.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
    std::string url;
    int limit_s = 120;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--url") url = argv[i + 1];
        if (a == "--limit") limit_s = std::stoi(argv[i + 1]);
    }
    if (url.empty()) {
        std::cerr << "usage: sockjs-reconnect-probe --url http://host:port/rooms [--limit S]\n";
        return 2;
    }
    sockjs::client::options opts;
    opts.reconnect.enabled = true;
    opts.reconnect.initial_delay = std::chrono::milliseconds(200);
    opts.reconnect.max_delay = std::chrono::milliseconds(1000);
    sockjs::client::connection c(url, opts);
    // stdin closing ends the probe; a detached reader flips the flag.
    static std::atomic<bool> done{false};
    std::thread([] {
        std::string line;
        while (std::getline(std::cin, line)) {
        }
        done = true;
    }).detach();
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(limit_s);
    while (!done && std::chrono::steady_clock::now() < until) {
        auto e = c.next_event(std::chrono::milliseconds(100));
        if (!e) continue;
        if (e->kind == sockjs::client::event::message && e->data.rfind("id ", 0) == 0) {
            std::printf("%s\n", e->data.c_str());
            std::fflush(stdout);
        } else if (e->kind == sockjs::client::event::close) {
            std::printf("close %d\n", e->code);
            std::fflush(stdout);
        }
    }
    c.close();
    return 0;
}
