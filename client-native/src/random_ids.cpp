#include "random_ids.hpp"

namespace sockjs::client::detail {

std::string random_session_id(std::mt19937& rng) {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz012345";
    std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
    std::string id(8, ' ');
    for (char& c : id) c = alphabet[pick(rng)];
    return id;
}

std::string random_server_id(std::mt19937& rng) {
    std::uniform_int_distribution<int> pick(0, 999);
    std::string id = std::to_string(pick(rng));
    return std::string(3 - id.size(), '0') + id;
}

}  // namespace sockjs::client::detail
