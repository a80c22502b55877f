// The OUT ring's writer (see atoll/vcon/writer.hpp and atoll/abi/vcon.h).
#include "atoll/vcon/writer.hpp"

#include "atoll/vcon/ring_bytes.hpp"

namespace atl::vcon {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;

// The OUT head a restarted partition may continue from: only if the old
// header is intact, of the same geometry and its indices are sane.
std::uint64_t previous_head(atoll_vcon& h, const Geometry& g, std::uint64_t& generation) {
    generation = 0;
    auto probe = open_area(std::span<std::byte>(reinterpret_cast<std::byte*>(&h), g.area_size));
    if (!probe)
        return 0;
    generation = probe->generation;
    const std::uint64_t head = ring::shared(h.out_head).load(relaxed);
    const std::uint64_t claim = ring::shared(h.out_claim).load(relaxed);
    if (claim > ATOLL_VCON_COUNTER_MAX || head > claim || claim - head > g.out_size)
        return 0;
    // A write cut short by the crash may have torn bytes up to claim: start
    // after them, so readers treat them as lost rather than as log text.
    return claim;
}

}  // namespace

Result<Writer> Writer::format(std::span<std::byte> area) {
    auto a = locate(area);
    if (!a)
        return a.error();
    Area out = *a;
    atoll_vcon& h = *out.header;
    std::uint64_t old_generation = 0;
    const std::uint64_t head = previous_head(h, out.geometry, old_generation);

    // Readers see "no console" until the signature is back (release, last).
    ring::shared(h.signature).store(0, std::memory_order_seq_cst);
    out.generation = old_generation + 1;
    ring::shared(h.revision).store(ATOLL_VCON_REVISION, relaxed);
    ring::shared(h.header_size).store(static_cast<std::uint32_t>(sizeof(atoll_vcon)), relaxed);
    ring::shared(h.area_size).store(out.geometry.area_size, relaxed);
    ring::shared(h.generation).store(out.generation, relaxed);
    ring::shared(h.in_offset).store(out.geometry.in_offset, relaxed);
    ring::shared(h.in_size).store(out.geometry.in_size, relaxed);
    ring::shared(h.out_offset).store(out.geometry.out_offset, relaxed);
    ring::shared(h.out_size).store(out.geometry.out_size, relaxed);
    ring::shared(h.flags).store(0, relaxed);
    ring::shared(h.reserved0).store(0, relaxed);
    ring::shared(h.reserved1).store(0, relaxed);
    ring::shared(h.out_claim).store(head, relaxed);
    ring::shared(h.out_head).store(head, relaxed);
    // Input typed for a previous boot is not for this one: start empty,
    // keeping the host's head (it is the host's line) and catching up to it.
    std::uint64_t in_head = ring::shared(h.in_head).load(std::memory_order_acquire);
    if (in_head > ATOLL_VCON_COUNTER_MAX)
        in_head = 0;   // insane: InputReader resynchronises on its first read
    ring::shared(h.in_tail).store(in_head, relaxed);
    ring::shared(h.signature).store(ATOLL_VCON_SIGNATURE, std::memory_order_release);
    return Writer(out, head);
}

void Writer::write_chunk(const std::uint8_t* src, std::uint32_t n) {
    atoll_vcon& h = *area_.header;
    const std::uint64_t next = head_ + n;
    // Claim first: a reader that sees any of the new bytes (each stored
    // with release) also sees the claim, and drops the positions those
    // bytes overwrote.
    ring::shared(h.out_claim).store(next, relaxed);
    ring::put(area_.out_data, area_.geometry.out_size, head_, src, n);
    ring::shared(h.out_head).store(next, std::memory_order_release);
    head_ = next;
}

std::size_t Writer::write(std::span<const std::byte> bytes) {
    if (!attached() || bytes.empty())
        return bytes.size();
    const std::uint32_t size = area_.geometry.out_size;
    auto* src = reinterpret_cast<const std::uint8_t*>(bytes.data());
    std::size_t left = bytes.size();
    // Chunks of at most half the ring keep claim - head <= out_size. A write
    // larger than the ring is copied whole (not skipped ahead): publishing a
    // head past bytes not yet written would let a reader take stale bytes
    // for new ones. Console writes are small; the cost is only CPU.
    const std::uint32_t chunk_max = size / 2;
    while (left > 0) {
        const std::uint32_t n = left < chunk_max ? static_cast<std::uint32_t>(left) : chunk_max;
        write_chunk(src, n);
        src += n;
        left -= n;
    }
    return bytes.size();
}

void Writer::set_input_ready(bool ready) const {
    if (!attached())
        return;
    ring::shared(area_.header->flags).store(ready ? ATOLL_VCON_F_INPUT : 0u, std::memory_order_release);
}

}  // namespace atl::vcon
