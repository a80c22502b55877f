// Little-endian loads and stores at a byte offset of a span. Boot-protocol
// fields are packed and unaligned (an e820 entry is 20 bytes), so they are
// assembled byte by byte: no casts, no alignment traps, no memcpy. Callers
// check that [off, off + width) lies inside the span; the helpers do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace atl::kb {

namespace detail {

template <class T>
[[nodiscard]] constexpr T load_le(std::span<const std::byte> s, std::size_t off) {
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        v |= static_cast<T>(static_cast<T>(s[off + i]) << (8 * i));
    return v;
}

template <class T>
constexpr void store_le(std::span<std::byte> s, std::size_t off, T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i)
        s[off + i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
}

}  // namespace detail

[[nodiscard]] constexpr std::uint8_t load_u8(std::span<const std::byte> s, std::size_t off) {
    return static_cast<std::uint8_t>(s[off]);
}
[[nodiscard]] constexpr std::uint16_t load_le16(std::span<const std::byte> s, std::size_t off) {
    return detail::load_le<std::uint16_t>(s, off);
}
[[nodiscard]] constexpr std::uint32_t load_le32(std::span<const std::byte> s, std::size_t off) {
    return detail::load_le<std::uint32_t>(s, off);
}
[[nodiscard]] constexpr std::uint64_t load_le64(std::span<const std::byte> s, std::size_t off) {
    return detail::load_le<std::uint64_t>(s, off);
}

constexpr void store_u8(std::span<std::byte> s, std::size_t off, std::uint8_t v) {
    s[off] = static_cast<std::byte>(v);
}
constexpr void store_le16(std::span<std::byte> s, std::size_t off, std::uint16_t v) {
    detail::store_le(s, off, v);
}
constexpr void store_le32(std::span<std::byte> s, std::size_t off, std::uint32_t v) {
    detail::store_le(s, off, v);
}
constexpr void store_le64(std::span<std::byte> s, std::size_t off, std::uint64_t v) {
    detail::store_le(s, off, v);
}

}  // namespace atl::kb
