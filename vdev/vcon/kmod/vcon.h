/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcon in a partition kernel: the console of this partition in the lagoon.
 * A layer of atoll.ko (atoll_layer.h) that starts only in a partition (the
 * host reads consoles from user space, through /dev/atoll's mmap).
 */
#ifndef ATOLL_VCON_KMOD_H
#define ATOLL_VCON_KMOD_H

#include "atoll_layer.h"

extern const struct atoll_layer atoll_vcon_layer;

/*
 * Formats this partition's console area (kernel virtual address, mapped
 * write-back; @size bytes as LagoonView::console(own id) gives them), then
 * registers the "vcon" printk console (CON_PRINTBUFFER: the log from the
 * first message on) and the tty /dev/vcon0. Returns 0 or a negative errno;
 * on error nothing stays registered.
 */
int atoll_vcon_partition_init(void *console_area, unsigned long size);

/* Unregisters both and detaches from the area (which keeps the log). */
void atoll_vcon_partition_exit(void);

#endif
