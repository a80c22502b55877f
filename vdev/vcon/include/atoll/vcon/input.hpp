// The IN ring: keystrokes and commands from one host tool to the partition.
//
// Single producer (Input, host side), single consumer (InputReader,
// partition side). The producer refuses what does not fit (short count);
// nothing is ever overwritten. Both ends keep private copies of their own
// index and re-check the other's on every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/vcon/area.hpp"

namespace atl::vcon {

class Input {
public:
    constexpr Input() = default;

    // bad_signature: no console yet. Starts from the area's current in_head
    // (a previous tool may have typed before us), checked against in_tail.
    [[nodiscard]] static Result<Input> open(std::span<std::byte> area);

    // Copies as much of `bytes` as fits; returns the count (0 when full).
    // corrupt if in_tail is insane (the partition scribbled it).
    [[nodiscard]] Result<std::size_t> write(std::span<const std::byte> bytes);

    // Bytes written but not yet consumed by the partition.
    [[nodiscard]] Result<std::uint64_t> pending() const;

    [[nodiscard]] std::uint32_t capacity() const { return area_.geometry.in_size; }

private:
    Input(const Area& a, std::uint64_t head) : area_(a), head_(head) {}

    [[nodiscard]] Result<std::uint64_t> used() const;

    Area area_{};
    std::uint64_t head_ = 0;
};

class InputReader {
public:
    constexpr InputReader() = default;

    // Opens the partition's own area (after Writer::format).
    [[nodiscard]] static Result<InputReader> open(std::span<std::byte> area);

    // Copies up to out.size() pending bytes, consuming them. If in_head is
    // insane (the host scribbled it) the ring is resynchronised to it, what
    // was pending is dropped (counted in dropped()) and 0 is returned.
    [[nodiscard]] std::size_t read(std::span<std::byte> out);

    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

private:
    InputReader(const Area& a, std::uint64_t tail) : area_(a), tail_(tail) {}

    Area area_{};
    std::uint64_t tail_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace atl::vcon
