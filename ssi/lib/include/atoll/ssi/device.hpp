// The host's lagoon as the tools see it: /dev/atoll mapped read-write
// (ATOLL_IOC_STATUS gives its size; mmap offset 0 is the whole window), or,
// for tests, a caller's buffer. Either way the tools reach it only through a
// validated nk::LagoonView.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "atoll/core/strong.hpp"
#include "atoll/nk/lagoon.hpp"

namespace atl::ssi {

class LagoonMap {
public:
    // Opens `path` (ATOLL_DEVICE_PATH), asks its status and maps the lagoon.
    // Throws Failure with a message meant for a person.
    [[nodiscard]] static LagoonMap open_device(const std::string& path);

    // A lagoon in the caller's memory (tests); the caller keeps it alive.
    [[nodiscard]] static LagoonMap borrow(void* base, std::size_t size);

    LagoonMap(LagoonMap&& o) noexcept;
    LagoonMap& operator=(LagoonMap&&) = delete;
    LagoonMap(const LagoonMap&) = delete;
    ~LagoonMap();

    [[nodiscard]] const nk::LagoonView& view() const { return view_; }

    // Partition `id`'s console area; throws Failure naming what is missing.
    [[nodiscard]] std::span<std::byte> console(PartitionId id) const;

private:
    LagoonMap(void* base, std::size_t size, bool owned);

    void* base_ = nullptr;
    std::size_t size_ = 0;
    bool owned_ = false;   // munmap on destruction
    nk::LagoonView view_;
};

// The message for a vcon core error met while opening partition `id`'s console.
[[nodiscard]] std::string console_error(PartitionId id, Error e);

}  // namespace atl::ssi
