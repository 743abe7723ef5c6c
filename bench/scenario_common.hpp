#pragma once
// Pieces every step shares: the server address, session ids unique to this run, and the
// bookkeeping of sessions that open and fail.

#include "event_loop.hpp"
#include "scenario.hpp"

#include <netinet/in.h>

#include <chrono>

namespace bench {

sockaddr_in server_address(const bench_options& o);
session_target make_target(const bench_options& o);
clock::duration seconds(double s);

}  // namespace bench
