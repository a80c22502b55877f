// /dev/atoll: status ioctl and the lagoon mapping (see atoll/ssi/device.hpp).
#include "atoll/ssi/device.hpp"

#include "atoll/ssi/control.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "atoll/abi/ioctl.h"
#include "atoll/ssi/failure.hpp"

namespace atl::ssi {

LagoonMap::LagoonMap(void* base, std::size_t size, bool owned) : base_(base), size_(size), owned_(owned) {
    auto v = nk::LagoonView::open(base, size);
    if (!v) {
        if (owned_)
            ::munmap(base_, size_);
        throw Failure(std::string("the lagoon is not formatted (") + error_name(v.error()) +
                      "): has the host's atoll.ko set it up?");
    }
    view_ = *v;
}

LagoonMap::LagoonMap(LagoonMap&& o) noexcept
    : base_(o.base_), size_(o.size_), owned_(o.owned_), view_(o.view_) {
    o.base_ = nullptr;
    o.owned_ = false;
}

LagoonMap::~LagoonMap() {
    if (owned_ && base_ != nullptr)
        ::munmap(base_, size_);
}

LagoonMap LagoonMap::borrow(void* base, std::size_t size) { return LagoonMap(base, size, false); }

LagoonMap LagoonMap::open_device(const std::string& path) {
    const Control ctl(path);
    const atoll_status st = ctl.status();
    if (st.lagoon_size == 0 || st.lagoon_phys == 0)
        throw Failure("no lagoon reserved: boot the host with atoll.lagoon=ADDRESS+SIZE "
                      "(see 'atoll plan')");
    // The mapping outlives the descriptor, which Control closes.
    void* base = ::mmap(nullptr, st.lagoon_size, PROT_READ | PROT_WRITE, MAP_SHARED, ctl.fd(), 0);
    if (base == MAP_FAILED)
        throw Failure(path + ": cannot map the lagoon: " + std::strerror(errno));
    return LagoonMap(base, st.lagoon_size, true);
}

std::span<std::byte> LagoonMap::console(PartitionId id) const {
    auto c = view_.console(id);
    if (c)
        return *c;
    if (c.error() == Error::out_of_range)
        throw Failure("partition " + std::to_string(id.value()) + " does not exist: the lagoon has room for ids 0 to " +
                      std::to_string(view_.max_partitions() - 1));
    throw Failure("the lagoon has no console region");
}

std::string console_error(PartitionId id, Error e) {
    const std::string p = "partition " + std::to_string(id.value());
    switch (e) {
    case Error::bad_signature:
        return p + " has no console yet (not started, or its kernel has not attached vcon)";
    case Error::busy:
        return p + " restarted its console";
    case Error::bad_revision:
        return p + "'s console speaks another vcon revision than this tool";
    case Error::bad_size:
        return p + "'s console header disagrees with the lagoon layout (corrupt?)";
    case Error::corrupt:
        return p + "'s console indices are corrupt";
    default:
        return p + "'s console: " + error_name(e);
    }
}

}  // namespace atl::ssi
