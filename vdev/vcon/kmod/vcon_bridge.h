/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The narrow C interface between vcon.c (Linux glue) and the freestanding
 * C++ vcon core (vdev/vcon/src). Plain pointers, lengths and integers only.
 * The core keeps one console (this partition's): one writer, one input reader.
 * Callers serialise atoll_vcon_core_write() themselves (vcon.c's lock).
 */
#ifndef ATOLL_VCON_BRIDGE_H
#define ATOLL_VCON_BRIDGE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Negative atl::Error codes (-1 - code), or 0. */
int atoll_vcon_core_format(void *area, unsigned long size);
void atoll_vcon_core_detach(void);
void atoll_vcon_core_write(const char *buf, unsigned long len);
/* Pending input bytes copied to @buf (at most @len); 0 when none. */
unsigned long atoll_vcon_core_read_input(char *buf, unsigned long len);
void atoll_vcon_core_set_input_ready(int ready);
/* Bytes ever written to the OUT ring (for diagnostics). */
unsigned long long atoll_vcon_core_head(void);

#ifdef __cplusplus
}
#endif
#endif
