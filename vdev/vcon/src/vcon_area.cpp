// Console area geometry and header validation (see atoll/vcon/area.hpp).
#include "atoll/vcon/area.hpp"

#include "atoll/vcon/ring_bytes.hpp"

namespace atl::vcon {

Result<Geometry> geometry_for(std::uint64_t area_size) {
    constexpr std::uint64_t line = ATOLL_CACHE_LINE;
    std::uint64_t used = area_size < ATOLL_VCON_MAX_AREA ? area_size : ATOLL_VCON_MAX_AREA;
    used &= ~(line - 1);
    if (used < sizeof(atoll_vcon) + 4 * ATOLL_VCON_MIN_RING)
        return Error::bad_size;
    const std::uint64_t rings = used - sizeof(atoll_vcon);
    // IN carries typing: 4 KiB is plenty; OUT (the log) gets the rest.
    std::uint64_t in = (rings / 4) & ~(line - 1);
    if (in > ATOLL_VCON_IN_SIZE)
        in = ATOLL_VCON_IN_SIZE;
    Geometry g;
    g.area_size = used;
    g.in_offset = sizeof(atoll_vcon);
    g.in_size = static_cast<std::uint32_t>(in);
    g.out_offset = static_cast<std::uint32_t>(sizeof(atoll_vcon) + in);
    g.out_size = static_cast<std::uint32_t>(rings - in);
    return g;
}

Result<Area> locate(std::span<std::byte> area) {
    if (area.data() == nullptr)
        return Error::invalid_argument;
    if ((reinterpret_cast<std::uintptr_t>(area.data()) & (ATOLL_CACHE_LINE - 1)) != 0)
        return Error::misaligned;
    const auto g = geometry_for(area.size());
    if (!g)
        return g.error();
    auto* base = reinterpret_cast<std::uint8_t*>(area.data());
    Area a;
    a.header = reinterpret_cast<atoll_vcon*>(base);
    a.in_data = base + g->in_offset;
    a.out_data = base + g->out_offset;
    a.geometry = *g;
    return a;
}

namespace {

// The identity line against the expected geometry; generation out.
Status check_identity(atoll_vcon& h, const Geometry& g, std::uint64_t& generation) {
    // Acquire: seeing the signature means seeing the fields stored before it.
    if (ring::shared(h.signature).load(std::memory_order_acquire) != ATOLL_VCON_SIGNATURE)
        return Error::bad_signature;
    if (ring::shared(h.revision).load(std::memory_order_relaxed) != ATOLL_VCON_REVISION)
        return Error::bad_revision;
    const bool same = ring::shared(h.header_size).load(std::memory_order_relaxed) == sizeof(atoll_vcon) &&
                      ring::shared(h.area_size).load(std::memory_order_relaxed) == g.area_size &&
                      ring::shared(h.in_offset).load(std::memory_order_relaxed) == g.in_offset &&
                      ring::shared(h.in_size).load(std::memory_order_relaxed) == g.in_size &&
                      ring::shared(h.out_offset).load(std::memory_order_relaxed) == g.out_offset &&
                      ring::shared(h.out_size).load(std::memory_order_relaxed) == g.out_size;
    if (!same)
        return Error::bad_size;
    generation = ring::shared(h.generation).load(std::memory_order_relaxed);
    return Error::ok;
}

}  // namespace

Result<Area> open_area(std::span<std::byte> area) {
    auto a = locate(area);
    if (!a)
        return a.error();
    Area out = *a;
    ATOLL_TRY(check_identity(*out.header, out.geometry, out.generation));
    return out;
}

Status recheck(const Area& a) {
    if (!a.valid())
        return Error::not_found;
    std::uint64_t generation = 0;
    ATOLL_TRY(check_identity(*a.header, a.geometry, generation));
    return generation == a.generation ? Status{} : Status{Error::busy};
}

}  // namespace atl::vcon
