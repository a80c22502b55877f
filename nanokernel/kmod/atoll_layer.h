/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the parts above the nanokernel plug into atoll.ko.
 *
 * The nanokernel (lagoon, pipeline, /dev/atoll, heartbeat) knows nothing
 * of the virtual devices or of the bootloader: they use it, it does not use
 * them. Each of them describes itself as a layer; the module's composition
 * root (kmod/atoll_module.c) hands the nanokernel the list, which starts the
 * layers in that order once its own part is up, stops them in reverse
 * order before it tears its own part down, and routes to them what only
 * they understand (the ioctls the nanokernel does not own, a heartbeat seen
 * by a list query, a partition gone).
 *
 * Every hook is optional.
 */
#ifndef ATOLL_LAYER_H
#define ATOLL_LAYER_H

#include <linux/compiler.h>
#include <linux/types.h>

struct atoll_host_partition;

/* What a layer starts with: this kernel's place in the box. */
struct atoll_layer_env {
	bool host;			/* the host, or a partition */
	u32 self;			/* partition id, 0 on the host */
	u32 self_apic;			/* the CPU that takes this kernel's pipeline IPIs */
	void *lagoon;			/* mapped; lagoon_size bytes */
	unsigned long lagoon_size;
	void *pipe;			/* the dispatch pipeline (NULL: none, no pipeline users) */
	void (*send_ipi)(u32 apic_id);
	void *console;			/* partition: its console area in the lagoon */
	unsigned long console_len;
};

struct atoll_layer {
	const char *name;
	/*
	 * A layer that cannot start says why in the log and returns an
	 * error; the module loads without it (a kernel with no vnet0 still
	 * boots and can be reached through its console).
	 */
	int (*start)(const struct atoll_layer_env *env);
	void (*stop)(void);
	/* Host: a /dev/atoll command the nanokernel does not own; -ENOTTY if not this layer's either. */
	long (*ioctl)(unsigned int cmd, void __user *arg, u32 size);
	/* Host, under atoll_host.lock: a list query read partition @hp's heartbeat counter. */
	void (*beat_seen)(struct atoll_host_partition *hp, u64 beat, u64 now_ns);
	/* Host: partition @id stopped; returns a virq the layer had published for it (to free), or 0. */
	int (*partition_down)(u32 id);
};

/*
 * The composition root's entry points: the nanokernel's own part comes up,
 * then @count layers in order; exit undoes it all in reverse. The list
 * must outlive the module (a static array).
 */
int atoll_nanokernel_init(const struct atoll_layer *const *layers, unsigned int count);
void atoll_nanokernel_exit(void);

#endif
