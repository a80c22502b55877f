// The OUT ring's readers: host tools (atoll log, console, run).
//
// Any number of readers, none of which writes to the area. Each follows with
// its own cursor (a byte position in the stream, not an index); when the
// writer has lapped the cursor, the bytes in between are reported as lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/vcon/area.hpp"

namespace atl::vcon {

// The result of one read: out[0, size) holds stream bytes
// [cursor - size, cursor); `lost` bytes before them were overwritten before
// they could be read (or during the copy).
struct Chunk {
    std::uint64_t cursor = 0;
    std::uint64_t lost = 0;
    std::size_t size = 0;
};

class Reader {
public:
    constexpr Reader() = default;

    // bad_signature: no console yet. See open_area() for the other refusals.
    [[nodiscard]] static Result<Reader> open(std::span<std::byte> area);

    // The writer's published head (acquire), checked against claim; corrupt
    // if the indices are insane; busy/bad_signature as recheck().
    [[nodiscard]] Result<std::uint64_t> head() const;

    // Follow: bytes from `cursor` on, at most out.size(). A cursor beyond the
    // head is corrupt (the caller's or the writer's): re-open and restart.
    [[nodiscard]] Result<Chunk> read(std::uint64_t cursor, std::span<std::byte> out) const;

    // Snapshot: the last min(out.size(), out_size) bytes written.
    [[nodiscard]] Result<Chunk> last(std::span<std::byte> out) const;

    [[nodiscard]] std::uint32_t capacity() const { return area_.geometry.out_size; }
    [[nodiscard]] std::uint64_t generation() const { return area_.generation; }
    [[nodiscard]] bool input_ready() const;

private:
    explicit Reader(const Area& a) : area_(a) {}

    struct Counters {
        std::uint64_t head;
        std::uint64_t claim;
    };
    [[nodiscard]] Result<Counters> counters() const;

    Area area_{};
};

}  // namespace atl::vcon
