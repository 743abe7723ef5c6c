#include "proc_stats.hpp"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace bench {

std::int64_t rss_bytes(int pid) {
    if (pid <= 0) return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            std::istringstream fields(line.substr(6));
            std::int64_t kb = -1;
            fields >> kb;
            return kb < 0 ? -1 : kb * 1024;
        }
    }
    return -1;
}

double cpu_seconds(int pid) {
    double user = 0, sys = 0;
    return cpu_seconds(pid, user, sys);
}

namespace {

// utime and stime in /proc/<pid>/stat count clock ticks (10 ms here): a one-client echo step
// uses about 0.2 s of server CPU in 5 s, so a tick is 5 % of the reading. The process's CPU-time
// clock (clock_getcpuclockid) is the scheduler's run time in nanoseconds, summed over all its
// threads, those that have ended included; the tick counts only split it into user and kernel
// time.
double exact_cpu_seconds(int pid) {
    clockid_t clock = 0;
    if (::clock_getcpuclockid(static_cast<pid_t>(pid), &clock) != 0) return -1;
    timespec ts{};
    if (::clock_gettime(clock, &ts) != 0) return -1;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

double cpu_seconds(int pid, double& user, double& sys) {
    if (pid <= 0) return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    auto close = text.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream fields(text.substr(close + 2));
    std::string skip;
    for (int i = 3; i <= 13; ++i) fields >> skip;  // state .. cmajflt
    unsigned long long utime = 0, stime = 0;
    if (!(fields >> utime >> stime)) return -1;
    const auto tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    user = static_cast<double>(utime) / tick;
    sys = static_cast<double>(stime) / tick;
    const double ticked = user + sys;
    const double exact = exact_cpu_seconds(pid);
    if (exact < 0) return ticked;  // the process is gone, or its clock is not ours to read
    // The ticks' split of the exact total; before the first tick, all of it counts as user.
    const double user_share = ticked > 0 ? user / ticked : 1.0;
    user = exact * user_share;
    sys = exact - user;
    return exact;
}

double own_cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return sec(ru.ru_utime) + sec(ru.ru_stime);
}

}  // namespace bench
