#pragma once
// The three kinds of benchmark step, each bounded in time and in message count:
// - echo: N sessions in closed loop (each sends its next message once the previous one came
//   back); throughput and round-trip percentiles over the measured window.
// - hold: N sessions opened and held; the server's RSS growth per session; then one echo per
//   session to prove every held session is alive.
// - broadcast: N sessions on a broadcast service; one of them sends (at most `window`
//   messages in flight), every session receives; deliveries/s and fan-out percentiles.
// Every received message is compared with the one expected next (content and order); any
// difference, lost message or broken session is counted as an error and reported.

#include "session.hpp"

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace bench {

struct bench_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    /// More server processes: sessions are spread over port and these, round robin.
    std::vector<std::uint16_t> more_ports = {};
    std::string mode = "echo";  ///< echo, hold, broadcast
    transport_kind transport = transport_kind::websocket;
    std::string service = "/echo";
    std::size_t clients = 100;
    std::size_t size = 64;  ///< bytes per message
    double warmup_s = 1;
    double duration_s = 5;
    double open_timeout_s = 30;  ///< for opening all sessions (and the hold step's echo round)
    double drain_s = 3;          ///< for messages in flight when sending stops
    std::size_t window = 1;      ///< broadcast: messages in flight
    std::size_t max_messages = 20'000'000;  ///< hard bound on messages sent in one step
    int server_pid = 0;          ///< for RSS and CPU readings; 0: none
    std::string tls_ca;          ///< non-empty: https/wss, the server verified against this CA file
    bool deflate = false;        ///< WebSocket transports: permessage-deflate, required
    bool json = false;           ///< messages are JSON documents (compressible as real ones are)
    std::string label;
};

struct bench_report {
    std::string label;
    std::string mode;
    std::size_t clients = 0;
    std::size_t opened = 0;
    std::size_t errors = 0;
    std::vector<std::string> error_samples;  ///< the first few, verbatim
    std::uint64_t checked = 0;   ///< messages compared, warm-up and drain included
    std::uint64_t measured = 0;  ///< echoes (or deliveries) inside the measured window
    double seconds = 0;          ///< length of the measured window
    double rate = 0;             ///< measured / seconds
    double p50_us = 0, p99_us = 0;
    std::int64_t rss_before = -1, rss_after = -1;
    double rss_per_session = -1;  ///< bytes
    double server_cpu = -1;       ///< server CPU seconds / wall seconds over the window
    /// Messages (deliveries) per CPU-second of the server over the window: what a server
    /// costs per message, whether or not the generator saturated first. -1 if unknown.
    double per_cpu_s = -1;
    double server_sys_share = -1;  ///< kernel (system) part of the server's CPU over the window
    double generator_cpu = -1;    ///< the same for this process
    /// Bytes both ways on the sockets per measured message (TCP payload: frames and HTTP,
    /// after compression; over TLS, before encryption). -1 if nothing was measured.
    double bytes_per_msg = -1;

    void error(std::string what);
};

bench_report run_echo(const bench_options& o);
bench_report run_hold(const bench_options& o);
bench_report run_broadcast(const bench_options& o);

/// One line of key=value pairs (the error sample quoted last), for run.sh.
void print_report(std::ostream& out, const bench_report& r);

/// The message client `client` sends as its `seq`th: an id, then filler that depends on both,
/// so a message delivered to the wrong session or out of order never compares equal. With
/// `json`, a JSON document of about `size` bytes instead: the id, then an array of small
/// records (sensor readings) whose values depend on both.
void make_message(std::string& out, std::size_t client, std::uint64_t seq, std::size_t size, bool json = false);

}  // namespace bench
