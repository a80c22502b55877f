// Host side: lay out a fresh lagoon. Computes the whole header on the stack,
// validates it with the same checker every reader uses, and only then
// touches the buffer (validate whole, then commit).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/shared_word.hpp"

namespace atl::nk {

namespace {

constexpr std::uint64_t align = ATOLL_LAGOON_ALIGN;

// Appends regions one after another, each aligned; fails on overflow.
class Cursor {
public:
    explicit Cursor(atoll_lagoon_header& h) : h_(h), next_(sizeof(atoll_lagoon_header)) {}

    Status add(std::uint32_t kind, std::uint64_t size) {
        if (size == 0)
            return Error::ok;   // optional region left out
        if ((size & (align - 1)) != 0)
            return Error::misaligned;
        if (size > std::numeric_limits<std::uint64_t>::max() - next_)
            return Error::out_of_range;
        atoll_lagoon_region& r = h_.regions[h_.region_count++];
        r.kind = kind;
        r.owner = ATOLL_REGION_OWNER_SHARED;
        r.offset = next_;
        r.size = size;
        next_ += size;
        return Error::ok;
    }

    [[nodiscard]] std::uint64_t end() const { return next_; }

private:
    atoll_lagoon_header& h_;
    std::uint64_t next_;   // invariant: multiple of align (header size is too)
};

Status layout(const LagoonSpec& spec, atoll_lagoon_header& h) {
    if (spec.max_partitions == 0 || spec.max_partitions > ATOLL_MAX_PARTITIONS)
        return Error::invalid_argument;
    if (spec.max_cpus == 0 || spec.max_cpus > ATOLL_MAX_CPUS)
        return Error::invalid_argument;
    if ((spec.console_size & (align - 1)) != 0 || (spec.vnet_size & (align - 1)) != 0)
        return Error::misaligned;
    if (spec.console_size > std::numeric_limits<std::uint64_t>::max() / ATOLL_MAX_PARTITIONS)
        return Error::out_of_range;

    h = atoll_lagoon_header{};
    h.signature = ATOLL_LAGOON_SIGNATURE;
    h.revision = ATOLL_LAGOON_REVISION;
    h.header_size = sizeof(atoll_lagoon_header);
    h.max_partitions = spec.max_partitions;
    h.max_cpus = spec.max_cpus;
    h.generation = spec.generation;

    Cursor c(h);
    ATOLL_TRY(c.add(ATOLL_REGION_PARTITIONS, spec.max_partitions * sizeof(atoll_partition_state)));
    ATOLL_TRY(c.add(ATOLL_REGION_CPUS, spec.max_cpus * sizeof(atoll_cpu_slot)));
    ATOLL_TRY(c.add(ATOLL_REGION_VIRQS, ATOLL_VIRQ_TABLE_SIZE));
    ATOLL_TRY(c.add(ATOLL_REGION_CONSOLE, spec.console_size * spec.max_partitions));
    ATOLL_TRY(c.add(ATOLL_REGION_VNET, spec.vnet_size));
    h.lagoon_size = c.end();
    return Error::ok;
}

}  // namespace

Result<std::uint64_t> lagoon_required_size(const LagoonSpec& spec) {
    atoll_lagoon_header h;
    ATOLL_TRY(layout(spec, h));
    return h.lagoon_size;
}

Status lagoon_format(void* base, std::size_t size, const LagoonSpec& spec) {
    if (base == nullptr)
        return Error::invalid_argument;
    if ((reinterpret_cast<std::uintptr_t>(base) & (align - 1)) != 0)
        return Error::misaligned;

    atoll_lagoon_header h;
    ATOLL_TRY(layout(spec, h));
    if (h.lagoon_size > size)
        return Error::exhausted;
    // The whole buffer belongs to the lagoon: spare bytes after the last
    // region stay reserved for later revisions.
    h.lagoon_size = size & ~(align - 1);
    LagoonLayout checked;
    ATOLL_TRY(lagoon_check_header(h, size, checked));

    // Commit. Readers may be polling the signature: hide it first, fill
    // everything, publish it last.
    auto* hdr = static_cast<atoll_lagoon_header*>(base);
    shared(hdr->signature).store(0, std::memory_order_relaxed);
    auto* bytes = static_cast<unsigned char*>(base);
    const std::uint64_t used = h.regions[h.region_count - 1].offset + h.regions[h.region_count - 1].size;
    __builtin_memset(bytes + sizeof(atoll_lagoon_header), 0, used - sizeof(atoll_lagoon_header));
    static_assert(offsetof(atoll_lagoon_header, signature) == 0);
    constexpr std::size_t sig = sizeof h.signature;
    __builtin_memcpy(bytes + sig, reinterpret_cast<const unsigned char*>(&h) + sig, sizeof h - sig);
    shared(hdr->signature).store(h.signature, std::memory_order_release);
    return Error::ok;
}

}  // namespace atl::nk
