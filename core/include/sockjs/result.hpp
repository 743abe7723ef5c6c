#pragma once
/// @file
/// `result<T>`: a value or an `errc`, the core's substitute for exceptions (which abort in wasm
/// builds without -fexceptions).

#include <sockjs/error.hpp>

#include <utility>
#include <variant>

namespace sockjs {

template <class T>
class result {
public:
    result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
    result(errc e) : v_(e) {}                          // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    errc error() const noexcept { return ok() ? errc::ok : std::get<1>(v_); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, errc> v_;
};

}  // namespace sockjs
