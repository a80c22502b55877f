// The extern "C" side of atoll_core.h: C++ core entry points for the C glue.
#include "atoll_core.h"

#include "atoll/nk/fmt.hpp"
#include "atoll/nk/selftest.hpp"

extern "C" const char* atoll_core_version(void) { return "0.1.0"; }

// The self-test itself is core code (nanokernel/src/selftest*.cpp), run by
// the host unit tests too; this only adapts the C types.
extern "C" int atoll_core_selftest(void* scratch, unsigned long size, char* msg,
                                   unsigned long msg_len) {
    atl::nk::TextWriter out(msg, msg_len);
    return atl::nk::core_selftest(scratch, size, out);
}
