// Uses the core from outside the project: it compiles only if the public headers are found,
// links only if the library and its dependencies are, and exits 0 only if a frame survives an
// encode/parse round trip.
#include <sockjs/sockjs.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main() {
    const std::vector<std::string> sent{"hello", "with \"quotes\"\n"};
    const std::string wire = sockjs::messages_frame(sent);
    const auto back = sockjs::parse_frame(wire);
    if (!back || back->type != sockjs::frame_type::messages || back->messages != sent) {
        std::fprintf(stderr, "round trip failed for %s\n", wire.c_str());
        return 1;
    }
    std::printf("%s\n", wire.c_str());
    return 0;
}
