/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C entry to the hand-off validator, for the partition kernel's early boot
 * code (arch/x86/atoll/atoll.c, compiled by the kernel's C compiler). The
 * implementation is the C++ core's handoff_parse(), the same code the host
 * unit tests and fuzzer exercise.
 */
#ifndef ATOLL_NK_HANDOFF_C_H
#define ATOLL_NK_HANDOFF_C_H

#include "atoll/abi/handoff.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Validate @len bytes at @data as an Atoll hand-off record and copy it to
 * @out. Returns 0, or a negative atl::Error code (nothing is written to @out
 * then).
 */
int atoll_handoff_check(const void *data, unsigned long len, struct atoll_handoff *out);

/* A short English reason for a code returned by atoll_handoff_check(). */
const char *atoll_handoff_error(int err);

#ifdef __cplusplus
}
#endif
#endif
