// extern "C" wrapper of handoff_parse() for the kernel's C boot code.
#include "atoll/nk/handoff_c.h"

#include "atoll/core/result.hpp"
#include "atoll/nk/handoff.hpp"

extern "C" int atoll_handoff_check(const void* data, unsigned long len, struct atoll_handoff* out) {
    if (data == nullptr || out == nullptr)
        return -static_cast<int>(atl::Error::invalid_argument);
    auto parsed = atl::nk::handoff_parse(data, len);
    if (!parsed)
        return -static_cast<int>(parsed.error());
    *out = parsed.value();
    return 0;
}

extern "C" const char* atoll_handoff_error(int err) {
    return atl::error_name(static_cast<atl::Error>(err < 0 ? -err : err));
}
