/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The narrow C interface between the kernel glue (C) and the freestanding
 * C++ core. Everything that crosses it is a plain pointer, length or integer;
 * the C++ side never calls into Linux, the C side never sees a C++ type.
 */
#ifndef ATOLL_CORE_H
#define ATOLL_CORE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Version string of the core, e.g. "0.1.0". */
const char *atoll_core_version(void);

/*
 * Run the core's in-kernel self-test on a zeroed scratch buffer of @size
 * bytes standing in for a lagoon: layout, validation, and pipeline semantics
 * (priority order, propagate/terminate, stall and replay, suppression),
 * compiled with the kernel's flags and run in kernel context.
 * Returns the number of checks passed (> 0) or a negative count of the
 * first failing check; @msg receives a NUL-terminated explanation.
 */
int atoll_core_selftest(void *scratch, unsigned long size, char *msg, unsigned long msg_len);

#ifdef __cplusplus
}
#endif
#endif
