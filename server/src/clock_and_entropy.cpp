#include "clock_and_entropy.hpp"

#include <random>

namespace sockjs::detail {

namespace {

class system_clock_impl final : public server_clock {
public:
    time_point now() const noexcept override {
        return from_steady(std::chrono::steady_clock::now());
    }
    std::int64_t unix_seconds() const noexcept override {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

class system_entropy_impl final : public entropy_source {
public:
    std::uint64_t next() noexcept override {
        thread_local std::mt19937_64 rng{[] {
            std::random_device rd;
            std::seed_seq seq{rd(), rd(), rd(), rd()};
            return std::mt19937_64(seq);
        }()};
        return rng();
    }
};

}  // namespace

std::shared_ptr<server_clock> system_server_clock() { return std::make_shared<system_clock_impl>(); }

std::shared_ptr<entropy_source> system_entropy() { return std::make_shared<system_entropy_impl>(); }

}  // namespace sockjs::detail
