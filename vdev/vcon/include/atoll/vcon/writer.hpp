// The OUT ring's writer: the partition kernel's console and tty output.
//
// Never blocks: a write always completes, overwriting the oldest bytes.
// Single writer: the kernel glue serialises calls with its own lock (the
// printk console and the tty can write from different CPUs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/vcon/area.hpp"

namespace atl::vcon {

class Writer {
public:
    constexpr Writer() = default;   // detached: write() drops everything

    // Formats `area` (the partition's own console area) and attaches to it.
    // If the area already holds a valid console of the same geometry (this
    // partition id ran before and the host did not re-format the lagoon),
    // out_head continues from where it was, so the previous boot's log stays
    // readable and a follower's cursor stays meaningful; generation is
    // bumped either way. Pending input of a previous boot is discarded.
    [[nodiscard]] static Result<Writer> format(std::span<std::byte> area);

    // Appends all of `bytes` (when larger than the ring, only its last
    // out_size bytes survive). Returns bytes.size().
    std::size_t write(std::span<const std::byte> bytes);

    [[nodiscard]] bool attached() const { return area_.valid(); }
    [[nodiscard]] std::uint64_t head() const { return head_; }
    [[nodiscard]] const Area& area() const { return area_; }

    // Sets or clears ATOLL_VCON_F_INPUT (the partition's tty is reading IN).
    void set_input_ready(bool ready) const;

private:
    explicit Writer(const Area& a, std::uint64_t head) : area_(a), head_(head) {}

    void write_chunk(const std::uint8_t* src, std::uint32_t n);

    Area area_{};
    std::uint64_t head_ = 0;   // private copy: a scribbled out_head never moves us
};

}  // namespace atl::vcon
