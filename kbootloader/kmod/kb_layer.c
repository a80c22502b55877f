// SPDX-License-Identifier: GPL-2.0
/*
 * The bootloader as a layer of atoll.ko (atoll_layer.h): on the host it
 * installs the AP start page, owns the boot and stop ioctls, and runs the
 * partition monitor; in a partition it has nothing to do.
 */
#define pr_fmt(fmt) "atoll: " fmt

#include <linux/errno.h>
#include <linux/printk.h>

#include "kbootloader.h"

static int kb_start(const struct atoll_layer_env *env)
{
	if (!env->host)
		return 0;
	/* Without it the layer still runs: a boot request is refused, saying why. */
	if (atoll_tramp_install())
		pr_warn("host: no AP start page below 1 MiB (kernel without the Atoll patch's reservation?): booting partitions is disabled\n");
	return 0;
}

static long kb_ioctl(unsigned int cmd, void __user *arg, u32 size)
{
	switch (cmd) {
	case ATOLL_IOC_BOOT:
		return atoll_boot_ioctl(arg);
	case ATOLL_IOC_STOP:
		return atoll_stop_ioctl(arg, size);
	}
	return -ENOTTY;
}

static void kb_beat_seen(struct atoll_host_partition *hp, u64 beat, u64 now_ns)
{
	atoll_partition_beat(hp, beat, now_ns);
}

const struct atoll_layer atoll_kbootloader_layer = {
	.name = "kbootloader",
	.start = kb_start,
	.stop = atoll_monitor_stop,
	.ioctl = kb_ioctl,
	.beat_seen = kb_beat_seen,
};
