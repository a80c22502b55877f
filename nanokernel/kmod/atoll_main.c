// SPDX-License-Identifier: GPL-2.0
/*
 * atoll.ko: the nanokernel core inside Linux.
 *
 * At this stage the object carries the freestanding C++ core (partition
 * model, lagoon layout, interrupt pipeline) and proves on load that the core,
 * built with the kernel's flags, behaves as in the host unit tests. The boot
 * path (kbootloader) builds on it.
 */
#include <linux/module.h>
#include <linux/vmalloc.h>
#include "atoll_core.h"

static bool selftest = true;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "run the core self-test at load (default: on)");

/* Large enough for a lagoon laid out for the maximum CPU and partition counts. */
#define ATOLL_SELFTEST_SCRATCH (2UL << 20)

static int __init atoll_init(void)
{
	char msg[256];
	void *scratch;
	int rc;

	if (selftest) {
		scratch = vzalloc(ATOLL_SELFTEST_SCRATCH);
		if (!scratch)
			return -ENOMEM;
		rc = atoll_core_selftest(scratch, ATOLL_SELFTEST_SCRATCH, msg, sizeof(msg));
		vfree(scratch);
		if (rc <= 0) {
			pr_err("atoll: core self-test FAILED at check %d: %s\n", -rc, msg);
			return -EINVAL;
		}
		pr_info("atoll: core self-test passed (%d checks): %s\n", rc, msg);
	}
	pr_info("atoll: nanokernel core %s loaded\n", atoll_core_version());
	return 0;
}

static void __exit atoll_exit(void)
{
	pr_info("atoll: nanokernel core unloaded\n");
}

module_init(atoll_init);
module_exit(atoll_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Atoll nanokernel core: partitions, lagoon, cross-kernel interrupt pipeline");
