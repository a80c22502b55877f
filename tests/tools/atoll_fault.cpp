// atoll-fault: fault injection for the system tests. Runs on the host of a
// box and scribbles on the lagoon through /dev/atoll's mapping, as a buggy
// or hostile kernel could, so a test can show the receivers drop, count and
// recover. Not installed with the product: the box's rootfs carries it for
// the tests only.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "atoll/abi/ioctl.h"
#include "atoll/abi/vnet.h"
#include "atoll/ssi/device.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/vnet/segment.hpp"
#include "atoll/vnet/shared.hpp"

namespace {

using namespace atl;

constexpr const char* usage =
R"(NAME
    atoll-fault - scribble on the lagoon, for fault-injection tests

SYNOPSIS
    atoll-fault vnet SENDER RECEIVER FIELD VALUE
    atoll-fault --help

DESCRIPTION
    Run on the host of an Atoll box. Writes VALUE over FIELD of the vnet
    ring that carries frames from partition SENDER to partition RECEIVER
    (0 is the host), as a faulty kernel could, and prints the old and the
    new value. The receiver must drop what it cannot trust, count it
    (ip -s link show vnet0: rx/tx errors) and recover; nothing else in
    the box changes.

    FIELD is one of
      head     the sender's producer index (the receiver checks it)
      tail     the receiver's consumer index (the sender checks it)
      tail_gen the sender generation the receiver acknowledged
      kick_at  the receiver's request for a kick (its event index)
      space_at the sender's request for room (back-pressure)
      length   the length word of the record at the receiver's tail (the
               next one it reads; only meaningful while frames are queued)

    Whatever single field is written, traffic on the ring flows again
    within one link check of each kernel (500 ms, counted in
    /sys/class/net/vnet0/atoll/link_checks) and one round trip.

    VALUE is decimal or 0x-prefixed hexadecimal, or +N / -N: the field's
    current value plus or minus N.

EXIT STATUS
    0 written; 1 no box, no such ring, or a bad argument (nothing written).
)";

std::uint64_t number(std::string_view s, const char* what) {
    int base = 10;
    if (s.starts_with("0x") || s.starts_with("0X")) {
        s.remove_prefix(2);
        base = 16;
    }
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
        throw ssi::Failure(std::string("not a number for ") + what + ": '" + std::string(s) + "'");
    return v;
}

// VALUE relative to `old` (+N, -N) or absolute.
std::uint64_t value_for(std::string_view s, std::uint64_t old) {
    if (s.starts_with("+"))
        return old + number(s.substr(1), "VALUE");
    if (s.starts_with("-"))
        return old - number(s.substr(1), "VALUE");
    return number(s, "VALUE");
}

int fault_vnet(int argc, char** argv) {
    if (argc != 6)
        throw ssi::Failure("usage: atoll-fault vnet SENDER RECEIVER FIELD VALUE (see --help)");
    const PartitionId s{static_cast<std::uint32_t>(number(argv[2], "SENDER"))};
    const PartitionId r{static_cast<std::uint32_t>(number(argv[3], "RECEIVER"))};
    const std::string_view field = argv[4];
    auto map = ssi::LagoonMap::open_device(ATOLL_DEVICE_PATH);
    auto area = map.view().vnet();
    if (!area)
        throw ssi::Failure("the lagoon has no vnet region");
    auto seg = vnet::Segment::open(*area);
    if (!seg)
        throw ssi::Failure("the vnet segment is not formatted (is atoll.ko loaded on the host?)");
    atoll_vnet_ring* ring = seg->ring(s, r);
    if (ring == nullptr)
        throw ssi::Failure("no vnet ring from " + std::to_string(s.value()) + " to " + std::to_string(r.value()) +
                           " (ids 0.." + std::to_string(seg->node_count() - 1) + ", sender != receiver)");
    std::uint64_t* word64 = nullptr;
    std::uint32_t* word32 = nullptr;
    if (field == "head") {
        word64 = &ring->head;
    } else if (field == "tail") {
        word64 = &ring->tail;
    } else if (field == "tail_gen") {
        word64 = &ring->tail_gen;
    } else if (field == "kick_at") {
        word64 = &ring->kick_at;
    } else if (field == "space_at") {
        word64 = &ring->space_at;
    } else if (field == "length") {
        const std::uint64_t tail = vnet::load(ring->tail, std::memory_order_acquire);
        const std::uint64_t at = tail & (seg->geometry().ring_size - 1) & ~std::uint64_t{ATOLL_VNET_RECORD_ALIGN - 1};
        word32 = &reinterpret_cast<atoll_vnet_record*>(seg->ring_data(s, r) + at)->length;
    } else {
        throw ssi::Failure("unknown FIELD '" + std::string(field) +
                           "': head, tail, tail_gen, kick_at, space_at or length");
    }
    if (word64 != nullptr) {
        const std::uint64_t old = vnet::load(*word64, std::memory_order_relaxed);
        const std::uint64_t v = value_for(argv[5], old);
        vnet::shared(*word64).store(v, std::memory_order_seq_cst);
        std::printf("vnet ring %u->%u: %s 0x%llx -> 0x%llx\n", s.value(), r.value(), argv[4],
                    static_cast<unsigned long long>(old), static_cast<unsigned long long>(v));
    } else {
        const std::uint32_t old = vnet::load(*word32, std::memory_order_relaxed);
        const auto v = static_cast<std::uint32_t>(value_for(argv[5], old));
        vnet::shared(*word32).store(v, std::memory_order_seq_cst);
        std::printf("vnet ring %u->%u: record length 0x%x -> 0x%x\n", s.value(), r.value(), old, v);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
            std::fputs(usage, argc < 2 ? stderr : stdout);
            return argc < 2 ? 1 : 0;
        }
        if (std::strcmp(argv[1], "vnet") == 0)
            return fault_vnet(argc, argv);
        throw ssi::Failure(std::string("unknown fault '") + argv[1] + "' (see --help)");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "atoll-fault: %s\n", e.what());
        return 1;
    }
}
