// SPDX-License-Identifier: GPL-2.0
/*
 * atoll.ko's composition root: the one file that knows every part of the
 * module. The nanokernel (nanokernel/kmod) comes up first and knows none of
 * the parts above it; each of those is a layer (nanokernel/kmod/atoll_layer.h)
 * that this list hands it, in start order:
 *
 *   vcon         a partition's console, first, so that what follows is seen
 *   vnet0        the shared-memory Ethernet device (vdev/vnet)
 *   kbootloader  boot, stop and watch partitions (host only)
 *
 * A part added to the module adds its layer here and nowhere else.
 */
#include <linux/kernel.h>
#include <linux/module.h>

#include "atoll_layer.h"
#include "kbootloader.h"
#include "vcon.h"
#include "vnet.h"

static const struct atoll_layer *const atoll_layers[] = {
	&atoll_vcon_layer,
	&atoll_vnet_layer,
	&atoll_kbootloader_layer,
};

static int __init atoll_module_init(void)
{
	return atoll_nanokernel_init(atoll_layers, ARRAY_SIZE(atoll_layers));
}

static void __exit atoll_module_exit(void)
{
	atoll_nanokernel_exit();
}

module_init(atoll_module_init);
module_exit(atoll_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Atoll nanokernel: partitions, lagoon, bootloader, cross-kernel interrupt pipeline");
