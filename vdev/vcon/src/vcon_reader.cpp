// The OUT ring's readers (see atoll/vcon/reader.hpp and atoll/abi/vcon.h).
#include "atoll/vcon/reader.hpp"

#include "atoll/vcon/ring_bytes.hpp"

namespace atl::vcon {

Result<Reader> Reader::open(std::span<std::byte> area) {
    auto a = open_area(area);
    if (!a)
        return a.error();
    return Reader(*a);
}

Result<Reader::Counters> Reader::counters() const {
    ATOLL_TRY(recheck(area_));
    atoll_vcon& h = *area_.header;
    Counters c{};
    // The writer keeps claim - head within one record, but a reader that is
    // preempted between its two loads can see a claim a whole ring ahead of
    // the head it loaded: look again. A scribbled header stays inconsistent.
    for (int attempt = 0; attempt < 4; ++attempt) {
        // Acquire on head: the bytes below it are in the ring.
        c.head = ring::shared(h.out_head).load(std::memory_order_acquire);
        c.claim = ring::shared(h.out_claim).load(std::memory_order_relaxed);
        if (c.claim > ATOLL_VCON_COUNTER_MAX || c.head > c.claim)
            return Error::corrupt;
        if (c.claim - c.head <= area_.geometry.out_size)
            return c;
    }
    return Error::corrupt;
}

Result<std::uint64_t> Reader::head() const {
    auto c = counters();
    if (!c)
        return c.error();
    return c->head;
}

Result<Chunk> Reader::read(std::uint64_t cursor, std::span<std::byte> out) const {
    auto c = counters();
    if (!c)
        return c.error();
    const std::uint64_t head = c->head;
    const std::uint64_t size = area_.geometry.out_size;
    if (cursor > head)
        return Error::corrupt;
    // The oldest byte still in the ring (or about to be overwritten by an
    // in-flight claim: those are lost anyway).
    const std::uint64_t oldest = c->claim > size ? c->claim - size : 0;
    const std::uint64_t start = cursor > oldest ? cursor : oldest;
    if (start >= head)
        return Chunk{head, start - cursor, 0};
    std::uint64_t n = head - start;
    if (n > out.size())
        n = out.size();
    auto* dst = reinterpret_cast<std::uint8_t*>(out.data());
    ring::get(area_.out_data, area_.geometry.out_size, start, dst, n);

    // Seqlock check: anything the writer overwrote while we copied shows in
    // out_claim (stored before the bytes, which we loaded with acquire).
    const std::uint64_t claim = ring::shared(area_.header->out_claim).load(std::memory_order_relaxed);
    if (claim < c->claim || claim > ATOLL_VCON_COUNTER_MAX)
        return Error::corrupt;   // went backwards: re-formatted or scribbled
    const std::uint64_t valid_from = claim > size ? claim - size : 0;
    std::uint64_t torn = 0;
    if (valid_from > start)
        torn = valid_from - start < n ? valid_from - start : n;
    if (torn > 0) {
        for (std::uint64_t i = torn; i < n; ++i)
            dst[i - torn] = dst[i];
    }
    return Chunk{start + n, start - cursor + torn, static_cast<std::size_t>(n - torn)};
}

Result<Chunk> Reader::last(std::span<std::byte> out) const {
    auto c = counters();
    if (!c)
        return c.error();
    std::uint64_t want = out.size() < area_.geometry.out_size ? out.size() : area_.geometry.out_size;
    if (want > c->head)
        want = c->head;
    auto r = read(c->head - want, out);
    if (!r)
        return r.error();
    // A snapshot does not "lose" what it chose not to show.
    Chunk ch = *r;
    ch.lost = 0;
    return ch;
}

bool Reader::input_ready() const {
    if (!area_.valid())
        return false;
    return (ring::shared(area_.header->flags).load(std::memory_order_acquire) & ATOLL_VCON_F_INPUT) != 0;
}

}  // namespace atl::vcon
