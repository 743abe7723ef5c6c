#pragma once
// Round-trip samples and their percentiles. Every sample of the measured window is kept (a
// bounded run gives at most a few million), so percentiles are exact, not bucketed.

#include "event_loop.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bench {

class latency_samples {
public:
    explicit latency_samples(std::size_t reserve = 1u << 20) { ns_.reserve(reserve); }
    void add(clock::duration d);
    std::size_t count() const noexcept { return ns_.size(); }
    /// The q-quantile (0..1) in microseconds; 0 with no samples. Reorders the samples.
    double percentile_us(double q);

private:
    std::vector<std::uint32_t> ns_;  ///< clamped at ~4.3 s, far above any step's bound
};

}  // namespace bench
