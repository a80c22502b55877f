// A tiny text formatter for the freestanding core: appends into a
// caller-owned fixed buffer, never allocates, never overflows. Used for
// plan refusals and planner messages, which must read the same in the
// kernel log and in the `atoll` command.
#pragma once

#include <cstddef>
#include <cstdint>

#include "atoll/core/strong.hpp"

namespace atl::nk {

// Invariant: when cap_ > 0, buf_[len_] == '\0' and len_ < cap_. Text that
// does not fit is dropped and truncated() says so; the buffer stays a
// valid C string. A writer does not own its buffer: it is a cursor.
class TextWriter {
public:
    constexpr TextWriter(char* buf, std::size_t cap) : buf_(buf), cap_(cap) {
        if (cap_ > 0)
            buf_[0] = '\0';
    }

    TextWriter& ch(char c);
    TextWriter& str(const char* s);
    TextWriter& dec(std::uint64_t v);
    TextWriter& hex(std::uint64_t v);        // 0x-prefixed, lower case
    TextWriter& size(std::uint64_t bytes);   // exact: 512M, 1G, 4K, or plain bytes
    TextWriter& range(const PhysRange& r);   // [0x100000, 0x200000)

    [[nodiscard]] const char* c_str() const { return cap_ > 0 ? buf_ : ""; }
    [[nodiscard]] std::size_t length() const { return len_; }
    [[nodiscard]] bool truncated() const { return truncated_; }

private:
    char* buf_;
    std::size_t cap_;
    std::size_t len_ = 0;
    bool truncated_ = false;
};

// Storage comes first among the bases so that it exists before the writer
// that points into it. Not copyable: the writer would point into the source.
template <std::size_t N>
struct TextStorage {
    char storage_[N];
};

template <std::size_t N>
class FixedText : private TextStorage<N>, public TextWriter {
    static_assert(N > 0);

public:
    FixedText() : TextWriter(this->storage_, N) {}
    FixedText(const FixedText&) = delete;
    FixedText& operator=(const FixedText&) = delete;
};

// Compares C strings without the C library (the kernel build has none of ours).
[[nodiscard]] bool text_equal(const char* a, const char* b);

}  // namespace atl::nk
