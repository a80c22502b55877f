// The IN ring's producer, host side (see atoll/vcon/input.hpp).
#include "atoll/vcon/input.hpp"

#include "atoll/vcon/ring_bytes.hpp"

namespace atl::vcon {

Result<Input> Input::open(std::span<std::byte> area) {
    auto a = open_area(area);
    if (!a)
        return a.error();
    const std::uint64_t head = ring::shared(a->header->in_head).load(std::memory_order_relaxed);
    Input in(*a, head);
    auto u = in.used();
    if (!u)
        return u.error();
    return in;
}

Result<std::uint64_t> Input::used() const {
    ATOLL_TRY(recheck(area_));
    // Acquire on tail: the partition finished copying what it consumed, so
    // those bytes may be overwritten.
    const std::uint64_t tail = ring::shared(area_.header->in_tail).load(std::memory_order_acquire);
    if (head_ > ATOLL_VCON_COUNTER_MAX || tail > head_ || head_ - tail > area_.geometry.in_size)
        return Error::corrupt;
    return head_ - tail;
}

Result<std::uint64_t> Input::pending() const { return used(); }

Result<std::size_t> Input::write(std::span<const std::byte> bytes) {
    auto u = used();
    if (!u)
        return u.error();
    const std::uint64_t room = area_.geometry.in_size - *u;
    const std::uint32_t n = static_cast<std::uint32_t>(bytes.size() < room ? bytes.size() : room);
    if (n == 0)
        return std::size_t{0};
    ring::put(area_.in_data, area_.geometry.in_size, head_,
              reinterpret_cast<const std::uint8_t*>(bytes.data()), n);
    head_ += n;
    ring::shared(area_.header->in_head).store(head_, std::memory_order_release);
    return std::size_t{n};
}

}  // namespace atl::vcon
