// Test support: memory placed against PROT_NONE guard pages on both sides,
// so any read or write outside it faults (vcon areas, vnet segments).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <span>
#include <stdexcept>

namespace atl::test {

class GuardedMemory {
public:
    // `size` must be a multiple of 64; the memory ends exactly at the upper guard.
    explicit GuardedMemory(std::size_t size) : size_(size) {
        const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        inner_ = (size + page - 1) / page * page;
        total_ = inner_ + 2 * page;
        void* m = ::mmap(nullptr, total_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            throw std::runtime_error("mmap");
        map_ = static_cast<std::byte*>(m);
        if (::mprotect(map_ + page, inner_, PROT_READ | PROT_WRITE) != 0)
            throw std::runtime_error("mprotect");
        mem_ = map_ + page + (inner_ - size);
    }
    ~GuardedMemory() { ::munmap(map_, total_); }
    GuardedMemory(const GuardedMemory&) = delete;
    GuardedMemory& operator=(const GuardedMemory&) = delete;

    [[nodiscard]] std::span<std::byte> span() const { return {mem_, size_}; }

private:
    std::size_t size_, inner_ = 0, total_ = 0;
    std::byte* map_ = nullptr;
    std::byte* mem_ = nullptr;
};

}  // namespace atl::test
