// Freestanding text formatting: see fmt.hpp for the invariants.
#include "atoll/nk/fmt.hpp"

namespace atl::nk {

TextWriter& TextWriter::ch(char c) {
    if (len_ + 1 < cap_) {
        buf_[len_++] = c;
        buf_[len_] = '\0';
    } else {
        truncated_ = true;
    }
    return *this;
}

TextWriter& TextWriter::str(const char* s) {
    if (s == nullptr)
        s = "(null)";
    while (*s != '\0')
        ch(*s++);
    return *this;
}

TextWriter& TextWriter::dec(std::uint64_t v) {
    char digits[20];   // 2^64 - 1 has 20 decimal digits
    std::size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        ch(digits[--n]);
    return *this;
}

TextWriter& TextWriter::hex(std::uint64_t v) {
    char digits[16];
    std::size_t n = 0;
    do {
        const auto d = static_cast<unsigned>(v & 0xf);
        digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
        v >>= 4;
    } while (v != 0);
    str("0x");
    while (n > 0)
        ch(digits[--n]);
    return *this;
}

TextWriter& TextWriter::size(std::uint64_t bytes) {
    // Largest unit that divides exactly, so the text reads back to the same value.
    if (bytes != 0 && bytes % GiB == 0)
        return dec(bytes / GiB).ch('G');
    if (bytes != 0 && bytes % MiB == 0)
        return dec(bytes / MiB).ch('M');
    if (bytes != 0 && bytes % KiB == 0)
        return dec(bytes / KiB).ch('K');
    return dec(bytes);
}

TextWriter& TextWriter::range(const PhysRange& r) {
    return ch('[').hex(r.start.value()).str(", ").hex(r.end.value()).ch(')');
}

bool text_equal(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

}  // namespace atl::nk
