// The client's /info parser (core client.hpp parse_info) on server bytes.
// Properties: no memory error or UB; what the server side writes (info_json) parses back.
#include "fuzz_util.hpp"

#include <sockjs/client.hpp>
#include <sockjs/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using sockjs_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    (void)sockjs::parse_info(body);
    if (size >= 4) {
        const std::uint32_t entropy = data[0] | data[1] << 8 | data[2] << 16 | std::uint32_t{data[3]} << 24;
        const bool ws = (data[0] & 1) != 0, cookie = (data[1] & 1) != 0;
        auto back = sockjs::parse_info(sockjs::info_json(ws, cookie, entropy));
        check(back.ok() && back->websocket == ws && back->cookie_needed == cookie &&
                  back->entropy == entropy,
              "info_json does not parse back to what it wrote");
    }
    return 0;
}
