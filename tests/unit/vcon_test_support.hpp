// Test support for vcon: a console area placed against PROT_NONE guard
// pages on both sides, so any read or write outside it faults.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <span>
#include <stdexcept>

namespace atl::vcon::test {

class GuardedArea {
public:
    // `size` must be a multiple of 64; the area ends exactly at the upper guard.
    explicit GuardedArea(std::size_t size) : size_(size) {
        const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        inner_ = (size + page - 1) / page * page;
        total_ = inner_ + 2 * page;
        void* m = ::mmap(nullptr, total_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            throw std::runtime_error("mmap");
        map_ = static_cast<std::byte*>(m);
        if (::mprotect(map_ + page, inner_, PROT_READ | PROT_WRITE) != 0)
            throw std::runtime_error("mprotect");
        area_ = map_ + page + (inner_ - size);
    }
    ~GuardedArea() { ::munmap(map_, total_); }
    GuardedArea(const GuardedArea&) = delete;
    GuardedArea& operator=(const GuardedArea&) = delete;

    [[nodiscard]] std::span<std::byte> span() const { return {area_, size_}; }
    [[nodiscard]] atoll_vcon* header() const { return reinterpret_cast<atoll_vcon*>(area_); }

private:
    std::size_t size_, inner_ = 0, total_ = 0;
    std::byte* map_ = nullptr;
    std::byte* area_ = nullptr;
};

inline std::span<const std::byte> bytes(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline std::string text(std::span<const std::byte> b, std::size_t n) {
    return std::string(reinterpret_cast<const char*>(b.data()), n);
}

}  // namespace atl::vcon::test
