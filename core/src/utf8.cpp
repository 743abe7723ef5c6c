#include <sockjs/utf8.hpp>

#include "swar.hpp"
#include "utf8.hpp"

namespace sockjs {

namespace {

using detail::surrogates;

constexpr const char replacement[] = "\xEF\xBF\xBD";

bool high_surrogate(std::uint32_t cp) { return cp >= 0xD800 && cp <= 0xDBFF; }
bool low_surrogate(std::uint32_t cp) { return cp >= 0xDC00 && cp <= 0xDFFF; }

}  // namespace

bool utf8_valid(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* const end = p + s.size();
    while (p < end) {
        // Most traffic is ASCII JSON: skipped in blocks.
        p = detail::skip_ascii(p, end);
        if (p == end) break;
        if (*p < 0x80) {
            ++p;
            continue;
        }
        const detail::utf8_step step = detail::utf8_next(p, end, surrogates::reject);
        if (!step.valid) return false;
        p += step.length;
    }
    return true;
}

bool utf8_stream_validator::feed(std::string_view piece) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
    const auto* const end = p + piece.size();
    // Finish a sequence the last piece cut, a byte at a time (it needs at most three more).
    while (pending_size_ > 0 && p < end) {
        pending_[pending_size_++] = *p++;
        const detail::utf8_step step = detail::utf8_next(pending_, pending_ + pending_size_, surrogates::reject);
        if (step.valid) {
            pending_size_ = 0;
        } else if (step.length < pending_size_) {
            return false;  // a byte that cannot continue the sequence
        }
    }
    while (p < end) {
        p = detail::skip_ascii(p, end);
        if (p == end) break;
        if (*p < 0x80) {
            ++p;
            continue;
        }
        const detail::utf8_step step = detail::utf8_next(p, end, surrogates::reject);
        if (!step.valid) {
            // A lead byte whose sequence the end of the piece cut; else an error here.
            if (p + step.length != end || *p < 0xC2 || *p > 0xF4) return false;
            // Cut by the end of the piece, and well-formed so far: wait for the rest.
            for (std::size_t i = 0; i < step.length; ++i) pending_[i] = p[i];
            pending_size_ = step.length;
            return true;
        }
        p += step.length;
    }
    return true;
}

std::string utf8_replace_invalid(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* const end = p + s.size();
    while (p < end) {
        const detail::utf8_step step = detail::utf8_next(p, end, surrogates::accept);
        if (!step.valid) {
            out.append(replacement, 3);
        } else if (high_surrogate(step.cp) && end - p >= 6) {
            const detail::utf8_step next = detail::utf8_next(p + 3, end, surrogates::accept);
            if (next.valid && low_surrogate(next.cp)) {
                detail::append_utf8(out, 0x10000 + ((step.cp - 0xD800) << 10) + (next.cp - 0xDC00));
                p += 6;
                continue;
            }
            out.append(replacement, 3);
        } else if (high_surrogate(step.cp) || low_surrogate(step.cp)) {
            out.append(replacement, 3);
        } else {
            out.append(reinterpret_cast<const char*>(p), step.length);
        }
        p += step.length;
    }
    return out;
}

}  // namespace sockjs
