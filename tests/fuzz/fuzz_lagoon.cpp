// libFuzzer: arbitrary bytes as a lagoon. open() must refuse or accept
// without reading outside the buffer; when it accepts, every accessor, the
// APIC scan, and a pipeline posting and dispatching over the (hostile)
// contents must stay inside it too. ASan checks the "inside" part: the
// buffer is allocated with its exact size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/pipeline.hpp"

using namespace atl;
using namespace atl::nk;

namespace {

Decision decide(void* ctx, Virq v) {
    auto* calls = static_cast<std::uint32_t*>(ctx);
    ++*calls;
    return static_cast<Decision>((v.value() + *calls) % 3);
}

void ignore_ipi(void*, ApicId) {}

void exercise(const LagoonView& view, const std::uint8_t* data, std::size_t size) {
    for (std::uint32_t i = 0; i <= view.max_cpus(); ++i)
        (void)view.cpu_slot(CpuSlot{i});
    for (std::uint32_t i = 0; i <= view.max_partitions(); ++i) {
        auto c = view.console(PartitionId{i});
        if (c.ok() && !c->empty())
            c->back() = std::byte{1};   // touch the last byte: ASan checks the bound
        auto p = view.partition_state(PartitionId{i});
        if (p.ok())
            (*p)->heartbeat++;
    }
    auto vn = view.vnet();
    if (vn.ok() && !vn->empty())
        vn->back() = std::byte{2};
    (void)view.find_cpu(ApicId{data[size / 2]});

    // A pipeline over the first assigned slot, with every stage registered.
    std::uint32_t calls = 0;
    for (std::uint32_t s = 0; s < view.max_cpus(); ++s) {
        auto pipe = Pipeline::create(view, CpuSlot{s}, IpiSender{&ignore_ipi, nullptr});
        if (!pipe.ok())
            continue;
        Pipeline p = *pipe;
        for (std::uint32_t st = 0; st < ATOLL_STAGE_COUNT; ++st)
            (void)p.register_stage(StageId{st}, (st * 7) % 5, VirqHandler{&decide, &calls});
        for (std::size_t i = 0; i + 3 < size && i < 64; i += 4) {
            const std::uint32_t v = (std::uint32_t{data[i]} << 8 | data[i + 1]) % (ATOLL_VIRQ_COUNT + 8);
            (void)p.post(CpuSlot{data[i + 2] % (view.max_cpus() + 1)}, Virq{v});
        }
        (void)p.stall(StageId{data[0] % ATOLL_STAGE_COUNT});
        for (int round = 0; round < 4 && p.dispatch(); ++round) {
        }
        (void)p.unstall(StageId{data[0] % ATOLL_STAGE_COUNT});
        break;
    }
}

// Raw mode: the input is the lagoon (with a planted signature half of the
// time). Most inputs die early, but the header checks get fuzzed directly.
void raw_mode(const std::uint8_t* data, std::size_t size) {
    void* mem = nullptr;
    if (posix_memalign(&mem, 64, size) != 0)
        return;
    std::memcpy(mem, data, size);
    if ((data[0] & 4) != 0 && size >= 8) {
        const std::uint64_t sig = ATOLL_LAGOON_SIGNATURE;
        std::memcpy(mem, &sig, sizeof sig);
    }
    auto view = LagoonView::open(mem, size);
    if (view.ok())
        exercise(*view, data, size);
    std::free(mem);
}

// Patch mode: a valid, populated lagoon, then the input as byte patches
// (16-bit offset, value) scribbled over it, as a buggy kernel would. Both a
// view opened before the scribble and a fresh open must stay inside.
void patch_mode(const std::uint8_t* data, std::size_t size) {
    if (size < 4)
        return;
    LagoonSpec spec;
    spec.max_partitions = 2 + data[1] % 15u;
    spec.max_cpus = 1 + data[2] % 8u;
    spec.console_size = (data[1] & 0x80) != 0 ? 128 : 0;
    spec.vnet_size = (data[2] & 0x80) != 0 ? 256 : 0;
    auto need = lagoon_required_size(spec);
    if (!need.ok())
        return;
    const std::size_t len = static_cast<std::size_t>(*need);
    void* mem = nullptr;
    if (posix_memalign(&mem, 64, len) != 0)
        return;
    if (lagoon_format(mem, len, spec).ok()) {
        auto before = LagoonView::open(mem, len);
        if (before.ok()) {
            for (std::uint32_t i = 0; i < spec.max_cpus; ++i)
                (void)before->assign_cpu(CpuSlot{i}, ApicId{i * 2}, PartitionId{i % 2});
            auto pipe = Pipeline::create(*before, CpuSlot{0}, IpiSender{&ignore_ipi, nullptr});
            if (pipe.ok())
                for (std::uint32_t v = 0; v < 40; ++v)
                    (void)pipe->allocate(StageId{v % ATOLL_STAGE_COUNT}, PartitionId{v % 2});
            auto* bytes = static_cast<std::uint8_t*>(mem);
            for (std::size_t i = 3; i + 2 < size; i += 3)
                bytes[(std::size_t{data[i]} | std::size_t{data[i + 1]} << 8) % len] = data[i + 2];
            exercise(*before, data, size);
            auto after = LagoonView::open(mem, len);
            if (after.ok())
                exercise(*after, data, size);
        }
    }
    std::free(mem);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    if ((data[0] & 1) != 0)
        patch_mode(data, size);
    else
        raw_mode(data, size);
    return 0;
}
