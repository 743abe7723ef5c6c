// parse_info: the /info answer, read without a JSON library.
//
// Why not Boost.JSON (which the server side uses to write /info): the client role needs
// four fields of one small object, and Boost.JSON's parser would be about 40 % of the
// browser client's WebAssembly download. This reader validates the whole body as JSON (RFC 8259
// grammar, nesting up to 32 levels as Boost.JSON's default), keeps the last value of a
// repeated key (as JSON.parse and Boost.JSON do), and decodes strings with the core's own
// tolerant decoder (detail::decode_json_string): lone surrogate escapes are accepted, as
// JSON.parse accepts them, and bytes that are not UTF-8 become U+FFFD, as in a browser that
// reads the body as text first; Boost.JSON 1.81 rejects both. tests/core/client_info_test.cpp
// compares it with Boost.JSON on valid and broken bodies.
#include <sockjs/client.hpp>

#include "json_string.hpp"

#include <cstdint>
#include <string>

namespace sockjs {

namespace {

constexpr int max_depth = 32;

struct reader {
    const char* p;
    const char* end;

    void space() noexcept {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    }
    bool eat(char c) noexcept {
        space();
        if (p == end || *p != c) return false;
        ++p;
        return true;
    }
    bool literal(std::string_view word) noexcept {
        if (static_cast<std::size_t>(end - p) < word.size() || std::string_view(p, word.size()) != word) return false;
        p += word.size();
        return true;
    }
    bool string(std::string& out) {
        space();
        out.clear();
        p = detail::decode_json_string(p, end, out);
        return p != nullptr;
    }
    static bool digit(char c) noexcept { return c >= '0' && c <= '9'; }
    // A JSON number. `value` gets it as a double, `integral` says whether it was an integer
    // that fits 64 bits (then `bits` holds it, two's complement), as Boost.JSON tells them
    // apart. The double is exact (correctly rounded) for up to 15 significant digits and
    // exponents up to 22, and close beyond: entropy is all it is used for.
    bool number(double& value, bool& integral, std::uint64_t& bits) noexcept {
        const bool negative = p < end && *p == '-';
        if (negative) ++p;
        if (p == end || !digit(*p)) return false;
        std::uint64_t n = 0;          // the integer part while it fits
        bool overflow = false;
        std::uint64_t mantissa = 0;   // up to 19 significant digits
        int exp10 = 0;
        auto take = [&](char c, bool fraction) {
            if (mantissa < 1000000000000000000u) {
                mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
                exp10 -= fraction ? 1 : 0;
            } else if (!fraction) {
                ++exp10;
            }
        };
        if (*p == '0') {
            ++p;
        } else {
            for (; p < end && digit(*p); ++p) {
                const auto d = static_cast<std::uint64_t>(*p - '0');
                overflow = overflow || n > (UINT64_MAX - d) / 10;
                n = n * 10 + d;
                take(*p, false);
            }
        }
        // As Boost.JSON: an integer beyond int64 (negative) or uint64 is a double.
        integral = !overflow && !(negative && n > (std::uint64_t{1} << 63));
        if (p < end && *p == '.') {
            ++p;
            if (p == end || !digit(*p)) return false;
            for (; p < end && digit(*p); ++p) take(*p, true);
            integral = false;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
            ++p;
            const bool down = p < end && *p == '-';
            if (p < end && (*p == '-' || *p == '+')) ++p;
            if (p == end || !digit(*p)) return false;
            int e = 0;
            for (; p < end && digit(*p); ++p) e = e < 100000 ? e * 10 + (*p - '0') : e;
            exp10 += down ? -e : e;
            integral = false;
        }
        // One multiplication or division by an exact power of ten rounds correctly.
        value = static_cast<double>(mantissa);
        double scale = 1;
        for (int i = exp10 < 0 ? -exp10 : exp10; i > 0 && scale < 1e300; --i) scale *= 10;
        value = exp10 < 0 ? value / scale : value * scale;
        if (negative) {
            value = -value;
            n = ~n + 1;
        }
        bits = n;
        return true;
    }
    // Skips any value (checking its grammar).
    bool skip(int depth) {
        space();
        if (p == end) return false;
        std::string scratch;
        switch (*p) {
        case '"': return string(scratch);
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        case '[':
        case '{': {
            if (depth >= max_depth) return false;
            const char close = *p == '[' ? ']' : '}';
            ++p;
            if (eat(close)) return true;
            do {
                if (close == '}' && !(string(scratch) && eat(':'))) return false;
                if (!skip(depth + 1)) return false;
            } while (eat(','));
            return eat(close);
        }
        default: {
            double v = 0;
            bool integral = false;
            std::uint64_t bits = 0;
            return number(v, integral, bits);
        }
        }
    }
};

}  // namespace

result<server_info> parse_info(std::string_view body) {
    reader r{body.data(), body.data() + body.size()};
    if (!r.eat('{')) return errc::bad_frame;
    server_info info;
    std::string key;
    if (!r.eat('}')) {
        do {
            if (!r.string(key) || !r.eat(':')) return errc::bad_frame;
            r.space();
            const char* value = r.p;
            if (!r.skip(1)) return errc::bad_frame;
            // The last value of a key counts; one of another type means the default.
            reader v{value, r.p};
            if (key == "websocket") {
                info.websocket = !v.literal("false");
            } else if (key == "cookie_needed") {
                info.cookie_needed = v.literal("true");
            } else if (key == "origins") {
                info.origins.clear();
                if (v.eat('[') && !v.eat(']')) {
                    do {
                        v.space();
                        if (v.p < v.end && *v.p == '"') {
                            std::string s;
                            v.string(s);
                            info.origins.push_back(std::move(s));
                        } else {
                            v.skip(2);
                        }
                    } while (v.eat(','));
                }
            } else if (key == "entropy") {
                // Servers send an unsigned 32-bit number; a fraction or exponent is allowed
                // as long as the value fits.
                double d = 0;
                bool integral = false;
                std::uint64_t bits = 0;
                info.entropy = 0;
                if (*value != '"' && *value != '[' && *value != '{' && v.number(d, integral, bits)) {
                    if (integral)
                        info.entropy = static_cast<std::uint32_t>(bits);
                    else if (d >= 0 && d < 4294967296.0)
                        info.entropy = static_cast<std::uint32_t>(d);
                }
            }
        } while (r.eat(','));
        if (!r.eat('}')) return errc::bad_frame;
    }
    r.space();
    if (r.p != r.end) return errc::bad_frame;
    return info;
}

}  // namespace sockjs
