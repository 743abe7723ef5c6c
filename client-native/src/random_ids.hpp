#pragma once
// The random parts of session URLs, chosen by the adapter (the core takes them as input).

#include <random>
#include <string>

namespace sockjs::client::detail {

/// Eight characters of [a-z0-5], the alphabet and length sockjs-client uses.
std::string random_session_id(std::mt19937& rng);
/// Three decimal digits, 000-999, as sockjs-client's server id.
std::string random_server_id(std::mt19937& rng);

}  // namespace sockjs::client::detail
