// Test support shared by the lagoon and pipeline tests: an aligned heap
// buffer formatted as a lagoon.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "atoll/nk/lagoon.hpp"

namespace atl::nk::test {

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

// A 64-byte aligned buffer of `size` bytes, filled with `fill`.
class AlignedBuffer {
public:
    explicit AlignedBuffer(std::size_t size, unsigned char fill = 0)
        : size_(size), mem_(std::aligned_alloc(64, (size + 63) / 64 * 64)) {
        std::memset(mem_.get(), fill, size_);
    }
    [[nodiscard]] void* data() const { return mem_.get(); }
    [[nodiscard]] unsigned char* bytes() const { return static_cast<unsigned char*>(mem_.get()); }
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] atoll_lagoon_header* header() const {
        return static_cast<atoll_lagoon_header*>(mem_.get());
    }

private:
    std::size_t size_;
    std::unique_ptr<void, FreeDeleter> mem_;
};

inline LagoonSpec small_spec() {
    LagoonSpec s;
    s.max_partitions = 4;
    s.max_cpus = 8;
    s.console_size = 4096;
    s.vnet_size = 8192;
    s.generation = 7;
    return s;
}

}  // namespace atl::nk::test
