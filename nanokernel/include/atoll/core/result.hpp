// One error model for the kernel side and the tools: [[nodiscard]] results
// carrying an enum class code. The CLI turns codes into messages
// (error_name()); richer diagnostics (plan refusals) carry their own text.
#pragma once

#include <type_traits>
#include <utility>

namespace atl {

enum class Error : unsigned {
    ok = 0,
    invalid_argument,  // a value out of its documented range
    out_of_range,      // an index or offset outside the object it indexes
    bad_signature,     // a structure read across a boundary is not ours
    bad_revision,      // ours, but a revision this build does not speak
    bad_size,          // declared size disagrees with the structure
    overlap,           // two regions that must be disjoint intersect
    misaligned,        // address or size not on the required boundary
    exhausted,         // no free slot, virq, CPU or memory left
    busy,              // resource in use by someone else
    not_found,         // no such partition, stage, virq, CPU
    corrupt,           // internally inconsistent shared data
};

[[nodiscard]] constexpr const char* error_name(Error e) {
    switch (e) {
    case Error::ok: return "ok";
    case Error::invalid_argument: return "invalid argument";
    case Error::out_of_range: return "out of range";
    case Error::bad_signature: return "bad signature";
    case Error::bad_revision: return "unsupported revision";
    case Error::bad_size: return "bad size";
    case Error::overlap: return "overlap";
    case Error::misaligned: return "misaligned";
    case Error::exhausted: return "exhausted";
    case Error::busy: return "busy";
    case Error::not_found: return "not found";
    case Error::corrupt: return "corrupt";
    }
    return "unknown error";
}

// A value or an error. T must be default-constructible and trivially
// destructible: results live in kernel code without a heap.
template <class T>
class [[nodiscard]] Result {
    static_assert(std::is_trivially_destructible_v<T>);

public:
    constexpr Result(T v) : value_(v), error_(Error::ok) {}   // NOLINT: implicit on purpose
    constexpr Result(Error e) : value_{}, error_(e) {}        // NOLINT

    [[nodiscard]] constexpr bool ok() const { return error_ == Error::ok; }
    [[nodiscard]] constexpr explicit operator bool() const { return ok(); }
    [[nodiscard]] constexpr Error error() const { return error_; }
    [[nodiscard]] constexpr const T& value() const { return value_; }
    [[nodiscard]] constexpr const T& operator*() const { return value_; }
    [[nodiscard]] constexpr const T* operator->() const { return &value_; }

private:
    T value_;
    Error error_;
};

// For operations that produce nothing but may fail.
class [[nodiscard]] Status {
public:
    constexpr Status(Error e = Error::ok) : error_(e) {}   // NOLINT
    [[nodiscard]] constexpr bool ok() const { return error_ == Error::ok; }
    [[nodiscard]] constexpr explicit operator bool() const { return ok(); }
    [[nodiscard]] constexpr Error error() const { return error_; }

private:
    Error error_;
};

}  // namespace atl

// Early return on failure, as SerenityOS's TRY: works for Status and Result.
#define ATOLL_TRY(expr)                      \
    do {                                     \
        auto atoll_try_ = (expr);            \
        if (!atoll_try_.ok())                \
            return atoll_try_.error();       \
    } while (0)
