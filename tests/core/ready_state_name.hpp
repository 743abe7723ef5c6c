#pragma once
// readyState as the client behaviour vectors write it (`=> state open`), for the core's vector
// runner and the native client's replay of the same file.

#include <sockjs/client.hpp>

namespace sockjs_test {

inline const char* state_name(sockjs::ready_state s) {
    switch (s) {
    case sockjs::ready_state::connecting: return "connecting";
    case sockjs::ready_state::open: return "open";
    case sockjs::ready_state::closing: return "closing";
    case sockjs::ready_state::closed: return "closed";
    }
    return "?";
}

}  // namespace sockjs_test
