#include "latency.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace bench {

void latency_samples::add(clock::duration d) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    ns = std::clamp<long long>(ns, 0, std::numeric_limits<std::uint32_t>::max());
    ns_.push_back(static_cast<std::uint32_t>(ns));
}

double latency_samples::percentile_us(double q) {
    if (ns_.empty()) return 0;
    auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ns_.size()))) ;
    k = std::clamp<std::size_t>(k, 1, ns_.size()) - 1;
    std::nth_element(ns_.begin(), ns_.begin() + static_cast<std::ptrdiff_t>(k), ns_.end());
    return ns_[k] / 1000.0;
}

}  // namespace bench
