// The IN ring's consumer, partition side (see atoll/vcon/input.hpp).
#include "atoll/vcon/input.hpp"
#include "atoll/vcon/ring_bytes.hpp"

namespace atl::vcon {

Result<InputReader> InputReader::open(std::span<std::byte> area) {
    auto a = open_area(area);
    if (!a)
        return a.error();
    // Our own line: format() set it; a value beyond the counter range is
    // resynchronised on the first read like any insane head.
    const std::uint64_t tail = ring::shared(a->header->in_tail).load(std::memory_order_relaxed);
    return InputReader(*a, tail);
}

std::size_t InputReader::read(std::span<std::byte> out) {
    if (!area_.valid() || out.empty())
        return 0;
    atoll_vcon& h = *area_.header;
    // Acquire on head: the bytes below it were copied in by the host.
    const std::uint64_t head = ring::shared(h.in_head).load(std::memory_order_acquire);
    if (head > ATOLL_VCON_COUNTER_MAX || head < tail_ || head - tail_ > area_.geometry.in_size) {
        // The host's index is not one a correct producer could have written:
        // drop what we cannot trust and follow its head from here.
        dropped_ += 1;
        tail_ = head > ATOLL_VCON_COUNTER_MAX ? 0 : head;
        ring::shared(h.in_tail).store(tail_, std::memory_order_release);
        return 0;
    }
    std::uint64_t n = head - tail_;
    if (n > out.size())
        n = out.size();
    if (n == 0)
        return 0;
    ring::get(area_.in_data, area_.geometry.in_size, tail_, reinterpret_cast<std::uint8_t*>(out.data()), n);
    tail_ += n;
    // Release: our copy is done before the host may overwrite these bytes.
    ring::shared(h.in_tail).store(tail_, std::memory_order_release);
    return static_cast<std::size_t>(n);
}

}  // namespace atl::vcon
