// The extern "C" side of atoll_core.h: C++ core entry points for the C glue.
#include "atoll_core.h"

extern "C" const char* atoll_core_version(void) { return "0.1.0"; }

extern "C" int atoll_core_selftest(void*, unsigned long, char* msg, unsigned long msg_len) {
    if (msg_len) msg[0] = 0;
    return 1;
}
