// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel-mode bootloader: ATOLL_IOC_BOOT starts a Linux kernel on CPUs
 * and memory taken from the host.
 *
 * Order, so that a refused request changes nothing:
 *   1. copy the request and the images from user space;
 *   2. validate the whole box plan with the new partition added (the C++
 *      core's validate_plan: CPUs, memory, pool, lagoon, nodes) and the boot
 *      request (kernel: vmlinux or bzImage; initramfs, command line, placement, hand-off);
 *   3. check each CPU is online in the host, then take them offline;
 *   4. copy kernel, initramfs, command line, boot_params and the hand-off
 *      into the partition's RAM, fill the trampoline, send INIT-SIPI-SIPI;
 *   5. wait until the CPU has left the trampoline.
 * A failure in 3-5 gives the CPUs back to the host (CPU hotplug re-INITs
 * them with Linux's own trampoline) and leaves the partition slot free.
 */
#define pr_fmt(fmt) "atoll: " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/atoll.h>
#include <asm/cpufeature.h>
#include <asm/smp.h>
#include <asm/tsc.h>

#include "atoll/abi/apstart.h"
#include "atoll/abi/bootparams.h"
#include "kbootloader.h"
#include "kb_bridge.h"
#include "lagoon_bridge.h"

#define ATOLL_MAX_KERNEL (64UL << 20)
#define ATOLL_MAX_INITRD (512UL << 20)
#define ATOLL_START_TIMEOUT_MS 5000

/* Parameters every partition kernel gets before the user's own. */
/*
 * no5lvl: with 4-level paging from the trampoline and LA57 offered by the CPU,
 * the decompressor would switch modes through a trampoline it places in the
 * first 640 KiB, which is the host's memory.
 */
#define ATOLL_PARTITION_PARAMS "8250.nr_uarts=0 swiotlb=noforce panic=-1 no5lvl"

/* Trampoline blob (trampoline.S) and its host-filled words. */
extern const u8 atoll_tramp_start[], atoll_tramp_end[];
extern const u8 atoll_tramp_cr3[], atoll_tramp_boot_params[], atoll_tramp_entry[];
extern const u8 atoll_tramp_started[], atoll_tramp_parked[];
extern const u8 atoll_tramp_gdt[], atoll_tramp_gdt_base[], atoll_tramp_jmp32[], atoll_tramp_jmp64[];
extern const u8 atoll_tramp_pm32[], atoll_tramp_lm64[];
#define TRAMP_OFF(sym) ((unsigned long)((sym) - atoll_tramp_start))

int atoll_cpu_of_apic(u32 apic_id)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (cpu_physical_id(cpu) == apic_id)
			return cpu;
	return -1;
}

struct boot_ctx {
	struct atoll_boot_request req;
	void *kernel;
	void *initrd;
	char *cmdline;
	void *scratch;
	struct atoll_kb_partition parts[ATOLL_MAX_PARTITIONS];
	struct atoll_kb_input in;
	struct atoll_kb_layout layout;
	int cpu_nums[ATOLL_MAX_PARTITION_CPUS];
	struct atoll_kb_cpu cpus[ATOLL_KB_MAX_HOST_CPUS];
};

static void *copy_user_blob(u64 uptr, u64 size, u64 max, const char *what, char *err)
{
	void *buf;

	if (!size || size > max) {
		/* A vmlinux straight from a build with debug information is the
		 * usual way past the kernel limit. */
		snprintf(err, ATOLL_ERROR_LEN, "%s: size %llu outside 1..%llu bytes%s", what, size, max,
			 size > max && !strcmp(what, "kernel image") ?
			 " (a vmlinux with debug information? strip it: objcopy -S)" : "");
		return ERR_PTR(-EINVAL);
	}
	buf = vmalloc(size);
	if (!buf) {
		snprintf(err, ATOLL_ERROR_LEN, "%s: no memory for a %llu-byte copy", what, size);
		return ERR_PTR(-ENOMEM);
	}
	if (copy_from_user(buf, u64_to_user_ptr(uptr), size)) {
		vfree(buf);
		snprintf(err, ATOLL_ERROR_LEN, "%s: cannot read %llu bytes at %#llx", what, size, uptr);
		return ERR_PTR(-EFAULT);
	}
	return buf;
}

/* Describe the machine, the pool and the partitions that exist now. */
static void describe_machine(struct boot_ctx *c, struct atoll_kb_machine *m)
{
	unsigned int i, p = 0;

	for (i = 0; i < ATOLL_MAX_PARTITIONS; i++) {
		struct atoll_host_partition *hp = &atoll_host.parts[i];

		/* A stopped partition being restarted is replaced, not kept. */
		if (!hp->used || hp->id == c->req.partition_id)
			continue;
		c->parts[p] = (struct atoll_kb_partition){
			.id = hp->id, .node = hp->node, .cpu_count = hp->cpu_count,
			.mem_count = hp->mem_count, .apic_ids = hp->apic_ids, .mem = hp->mem,
		};
		p++;
	}
	for (i = 0; i < atoll_host.cpu_count && i < ATOLL_KB_MAX_HOST_CPUS; i++)
		c->cpus[i] = (struct atoll_kb_cpu){ .apic_id = atoll_host.cpus[i].apic_id,
			.node = atoll_host.cpus[i].node, .core = atoll_host.cpus[i].core };
	*m = (struct atoll_kb_machine){
		.boot_apic_id = atoll_host.boot_apic_id,
		.cpu_count = i, .cpus = c->cpus,
		.pool_count = atoll_host.pool_count, .pool = atoll_host.pool,
		.lagoon = { atoll_host.lagoon_phys, atoll_host.lagoon_phys + atoll_host.lagoon_size },
		.partition_count = p, .partitions = c->parts,
	};
}

/* Copy @len bytes to partition RAM at @pa (a reserved, unmapped range). */
static int copy_to_phys(u64 pa, const void *src, unsigned long len)
{
	void *dst;

	if (!len)	/* an ELF segment that is all bss */
		return 0;
	dst = memremap(pa, len, MEMREMAP_WB);
	if (!dst)
		return -ENOMEM;
	memcpy(dst, src, len);
	memunmap(dst);
	return 0;
}

/* Zero @len bytes of partition RAM at @pa: an ELF segment's bss. */
static int zero_phys(u64 pa, unsigned long len)
{
	void *dst;

	if (!len)
		return 0;
	dst = memremap(pa, len, MEMREMAP_WB);
	if (!dst)
		return -ENOMEM;
	memset(dst, 0, len);
	memunmap(dst);
	return 0;
}

/* Every kernel segment at its offset from the load address, bss zeroed. */
static int place_kernel(const struct atoll_kb_layout *l)
{
	u32 i;
	int ret = 0;

	for (i = 0; i < l->segment_count && !ret; i++) {
		const struct atoll_kb_segment *s = &l->segments[i];

		ret = copy_to_phys(l->kernel_start + s->offset, s->src, s->bytes) ?:
		      zero_phys(l->kernel_start + s->offset + s->bytes, s->size - s->bytes);
	}
	return ret;
}

static int place_images(struct boot_ctx *c, char *err)
{
	struct atoll_kb_layout *l = &c->layout;
	unsigned long sd_len = l->setup_data_end - l->setup_data_start;
	unsigned long cl_len = l->cmdline_end - l->cmdline_start;
	void *params = NULL, *sd = NULL, *cl = NULL;
	int ret = -ENOMEM;

	params = kzalloc(ATOLL_BP_SIZE, GFP_KERNEL);
	sd = kzalloc(sd_len, GFP_KERNEL);
	cl = kzalloc(cl_len, GFP_KERNEL);
	if (!params || !sd || !cl)
		goto out;
	ret = atoll_kb_write(c->scratch, params, ATOLL_BP_SIZE, sd, sd_len, cl, cl_len);
	if (ret) {
		snprintf(err, ATOLL_ERROR_LEN, "writing boot parameters failed (%d)", ret);
		ret = -EINVAL;
		goto out;
	}
	ret = place_kernel(l) ?:
	      copy_to_phys(l->initrd_start, c->initrd, c->req.initrd_size) ?:
	      copy_to_phys(l->boot_params, params, ATOLL_BP_SIZE) ?:
	      copy_to_phys(l->setup_data_start, sd, sd_len) ?:
	      copy_to_phys(l->cmdline_start, cl, cl_len);
	if (ret)
		snprintf(err, ATOLL_ERROR_LEN, "cannot map partition memory to load the images");
out:
	kfree(params);
	kfree(sd);
	kfree(cl);
	return ret;
}

static u8 *tramp_page(void)
{
	return phys_to_virt(atoll_trampoline_phys());
}

static struct atoll_ap_slot *ap_slot(u32 apic_id)
{
	return (struct atoll_ap_slot *)(tramp_page() + ATOLL_AP_SLOTS_OFFSET +
					apic_id * ATOLL_AP_SLOT_SIZE);
}

static void tramp_put32(u8 *t, const u8 *sym, phys_addr_t v)
{
	u32 w = v;

	memcpy(t + TRAMP_OFF(sym), &w, sizeof(w));
}

/*
 * Installs the AP start page (atoll/abi/apstart.h) at module load. The code,
 * its linear addresses and the identity map (512 GiB in 1 GiB pages) are
 * written here only, so CPUs of several kernels may run in the page at once:
 * afterwards only the BOOT data words and the slots change. A reload writes
 * the same bytes again; CPUs parked in the page keep halting.
 */
int atoll_tramp_install(void)
{
	phys_addr_t tpa = atoll_trampoline_phys();
	u8 *t;
	u64 *pml4, *pdpt;
	u64 cr3;
	int i;

	if (!tpa || atoll_trampoline_size() < ATOLL_AP_AREA_SIZE || tpa + ATOLL_AP_AREA_SIZE > SZ_1M)
		return -ENODEV;
	t = tramp_page();
	pml4 = (u64 *)(t + PAGE_SIZE);
	pdpt = (u64 *)(t + 2 * PAGE_SIZE);
	memcpy(t, atoll_tramp_start, atoll_tramp_end - atoll_tramp_start);
	tramp_put32(t, atoll_tramp_gdt_base, tpa + TRAMP_OFF(atoll_tramp_gdt));
	tramp_put32(t, atoll_tramp_jmp32, tpa + TRAMP_OFF(atoll_tramp_pm32));
	tramp_put32(t, atoll_tramp_jmp64, tpa + TRAMP_OFF(atoll_tramp_lm64));
	for (i = 0; i < 512; i++) {
		pml4[i] = i ? 0 : (tpa + 2 * PAGE_SIZE) | _PAGE_PRESENT | _PAGE_RW;
		pdpt[i] = ((u64)i << 30) | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE;
	}
	cr3 = tpa + PAGE_SIZE;
	memcpy(t + TRAMP_OFF(atoll_tramp_cr3), &cr3, sizeof(cr3));
	for (i = 0; i < ATOLL_AP_SLOT_COUNT; i++)
		if (READ_ONCE(ap_slot(i)->mode) != ATOLL_AP_MODE_PARK)
			memset(ap_slot(i), 0, sizeof(struct atoll_ap_slot));
	wmb();
	return 0;
}

/*
 * Parks CPUs in the start page's halt loop. INIT goes to all of them first:
 * once none runs the partition's code, none can write its slot after us (a
 * partition starting its own CPU); then the slots say PARK, then STARTUP.
 */
int atoll_park_cpus(const u32 *apic_ids, unsigned int count)
{
	phys_addr_t tpa = atoll_trampoline_phys();
	volatile u32 *parked = (volatile u32 *)(tramp_page() + TRAMP_OFF(atoll_tramp_parked));
	unsigned int i;
	u32 before;
	int waited;

	before = READ_ONCE(*parked);
	for (i = 0; i < count; i++)
		atoll_send_init(apic_ids[i]);	/* interrupts off or not */
	mdelay(10);
	for (i = 0; i < count; i++)
		WRITE_ONCE(ap_slot(apic_ids[i])->mode, ATOLL_AP_MODE_PARK);
	wmb();
	for (i = 0; i < count; i++)
		atoll_send_startup(apic_ids[i], tpa);
	for (waited = 0; waited < ATOLL_START_TIMEOUT_MS; waited++) {
		if (READ_ONCE(*parked) - before >= count)
			return 0;
		msleep(1);
	}
	pr_err("%u CPU(s) did not reach the park loop within %d ms\n",
	       count - (READ_ONCE(*parked) - before), ATOLL_START_TIMEOUT_MS);
	return -ETIMEDOUT;
}

/* The partition's boot CPU; it starts the others itself (ATOLL_AP_MODE_START). */
static int start_cpu(u32 apic_id, const struct atoll_kb_layout *l, char *err)
{
	phys_addr_t tpa = atoll_trampoline_phys();
	u8 *t = tramp_page();
	volatile u32 *started = (volatile u32 *)(t + TRAMP_OFF(atoll_tramp_started));
	int waited;

	memcpy(t + TRAMP_OFF(atoll_tramp_boot_params), &l->boot_params, sizeof(u64));
	memcpy(t + TRAMP_OFF(atoll_tramp_entry), &l->entry, sizeof(u64));
	WRITE_ONCE(*started, 0);
	WRITE_ONCE(ap_slot(apic_id)->mode, ATOLL_AP_MODE_BOOT);
	wmb();
	atoll_send_init_sipi(apic_id, tpa);
	for (waited = 0; waited < ATOLL_START_TIMEOUT_MS; waited++) {
		if (READ_ONCE(*started))
			return 0;
		msleep(1);
	}
	snprintf(err, ATOLL_ERROR_LEN,
		 "CPU with APIC ID %u did not start within %d ms (INIT-SIPI sent to page %pa)",
		 apic_id, ATOLL_START_TIMEOUT_MS, &tpa);
	return -ETIMEDOUT;
}

static void give_back_cpus(struct boot_ctx *c, unsigned int taken)
{
	unsigned int i;

	for (i = 0; i < taken; i++)
		if (add_cpu(c->cpu_nums[i]))
			pr_err("could not give CPU %d back to the host\n", c->cpu_nums[i]);
	atoll_host.lent_cpus -= taken;
	atoll_set_cpus_lent(atoll_host.lent_cpus);
}

static int build_cmdline(struct boot_ctx *c, const char *user, char *err)
{
	size_t len = strlen(user) + sizeof(ATOLL_PARTITION_PARAMS) + 32;

	c->cmdline = kmalloc(len, GFP_KERNEL);
	if (!c->cmdline)
		return -ENOMEM;
	snprintf(c->cmdline, len, "atoll.partition=%u " ATOLL_PARTITION_PARAMS "%s%s",
		 c->req.partition_id, *user ? " " : "", user);
	return 0;
}

static int do_boot(struct boot_ctx *c, char *err)
{
	struct atoll_boot_request *r = &c->req;
	struct atoll_kb_machine m;
	struct atoll_kb_partition *p = &c->in.part;
	struct atoll_host_partition *hp, *old;
	struct timespec64 now;
	unsigned int reused = 0;
	unsigned int i, taken = 0;
	char *user_cmdline;
	/* Where the host's part of a boot goes, for the log (doc/results.md, "Partition boot time"). */
	u64 t_start = ktime_get_ns(), t_checked, t_offline, t_copied;
	int ret;

	if (!atoll_host.lagoon || !atoll_host.pool_count || !atoll_trampoline_phys()) {
		snprintf(err, ATOLL_ERROR_LEN,
			 "this host cannot boot partitions: %s",
			 !atoll_host.lagoon ? "no lagoon (boot with atoll.lagoon=ADDR+SIZE)" :
			 !atoll_host.pool_count ? "no memory pool (boot with atoll.pool=NODE@ADDR+SIZE,...)" :
			 "no trampoline page below 1 MiB");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_GBPAGES)) {
		snprintf(err, ATOLL_ERROR_LEN, "the CPU lacks 1 GiB pages (pdpe1gb), which the trampoline uses");
		return -ENODEV;
	}
	for (i = 0; i < r->cpu_count && i < ATOLL_MAX_PARTITION_CPUS; i++) {
		if (r->apic_ids[i] >= ATOLL_AP_SLOT_COUNT) {
			snprintf(err, ATOLL_ERROR_LEN,
				 "CPU with APIC ID %u: the AP start page serves 8-bit APIC IDs (0..%u) only",
				 r->apic_ids[i], ATOLL_AP_SLOT_COUNT - 1);
			return -EINVAL;
		}
	}
	if (r->partition_id == 0 || r->partition_id >= ATOLL_MAX_PARTITIONS) {
		snprintf(err, ATOLL_ERROR_LEN, "partition id %u outside 1..%u", r->partition_id,
			 ATOLL_MAX_PARTITIONS - 1);
		return -EINVAL;
	}
	old = &atoll_host.parts[r->partition_id];
	if (old->used && old->state != ATOLL_PSTATE_STOPPED) {
		snprintf(err, ATOLL_ERROR_LEN, "partition %u exists already and is not stopped (atoll stop %u first)",
			 r->partition_id, r->partition_id);
		return -EBUSY;
	}
	if (!r->cpu_count || r->cpu_count > ATOLL_MAX_PARTITION_CPUS ||
	    !r->mem_range_count || r->mem_range_count > ATOLL_MAX_MEM_RANGES) {
		snprintf(err, ATOLL_ERROR_LEN, "need 1..%u CPUs and 1..%u memory ranges (got %u and %u)",
			 ATOLL_MAX_PARTITION_CPUS, ATOLL_MAX_MEM_RANGES, r->cpu_count,
			 r->mem_range_count);
		return -EINVAL;
	}

	*p = (struct atoll_kb_partition){
		.id = r->partition_id, .node = r->numa_node, .cpu_count = r->cpu_count,
		.mem_count = r->mem_range_count, .apic_ids = r->apic_ids, .mem = r->mem_ranges,
	};
	describe_machine(c, &m);
	if (atoll_kb_check_plan(&m, p, c->scratch, err, ATOLL_ERROR_LEN))
		return -EINVAL;

	c->kernel = copy_user_blob(r->kernel_ptr, r->kernel_size, ATOLL_MAX_KERNEL, "kernel image", err);
	if (IS_ERR(c->kernel))
		return PTR_ERR(c->kernel);
	c->initrd = copy_user_blob(r->initrd_ptr, r->initrd_size, ATOLL_MAX_INITRD, "initramfs", err);
	if (IS_ERR(c->initrd))
		return PTR_ERR(c->initrd);
	user_cmdline = copy_user_blob(r->cmdline_ptr, r->cmdline_size, 4096, "command line", err);
	if (IS_ERR(user_cmdline))
		return PTR_ERR(user_cmdline);
	if (strnlen(user_cmdline, r->cmdline_size) != r->cmdline_size - 1) {
		vfree(user_cmdline);
		snprintf(err, ATOLL_ERROR_LEN, "command line must end with its only NUL byte");
		return -EINVAL;
	}
	ret = build_cmdline(c, user_cmdline, err);
	vfree(user_cmdline);
	if (ret)
		return ret;

	ktime_get_real_ts64(&now);
	c->in.tsc_at_wallclock = rdtsc_ordered();
	c->in.wallclock_sec = now.tv_sec;
	c->in.wallclock_nsec = now.tv_nsec;
	c->in.kernel = c->kernel;
	c->in.kernel_size = r->kernel_size;
	c->in.initrd = c->initrd;
	c->in.initrd_size = r->initrd_size;
	c->in.cmdline = c->cmdline;
	c->in.cmdline_len = strlen(c->cmdline);
	c->in.host_apic_id = atoll_host.boot_apic_id;
	c->in.tsc_khz = tsc_khz;
	c->in.lapic_timer_hz = atoll_lapic_timer_hz();
	c->in.handoff_flags = (boot_cpu_has(X86_FEATURE_TSC_RELIABLE) ||
			       (boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
				boot_cpu_has(X86_FEATURE_NONSTOP_TSC))) ?
				      ATOLL_HANDOFF_F_TSC_RELIABLE : 0;
	c->in.ap_start_phys = atoll_trampoline_phys();
	c->in.lagoon.start = atoll_host.lagoon_phys;
	c->in.lagoon.end = atoll_host.lagoon_phys + atoll_host.lagoon_size;
	if (atoll_kb_plan(&c->in, c->scratch, &c->layout, err, ATOLL_ERROR_LEN))
		return -EINVAL;
	t_checked = ktime_get_ns();

	/*
	 * Every CPU must be the host's now (online), or be parked by the stopped
	 * partition this boot restarts. CPUs it does not reuse stay parked.
	 */
	for (i = 0; i < r->cpu_count; i++) {
		bool parked_here = old->used && atoll_partition_has_apic(old, r->apic_ids[i]);

		c->cpu_nums[i] = atoll_cpu_of_apic(r->apic_ids[i]);
		if (c->cpu_nums[i] < 0 || (!cpu_online(c->cpu_nums[i]) && !parked_here)) {
			snprintf(err, ATOLL_ERROR_LEN, "CPU with APIC ID %u is %s", r->apic_ids[i],
				 c->cpu_nums[i] < 0 ? "not in this machine" : "not online in the host");
			return -EBUSY;
		}
	}
	if (old->used && !atoll_same_cpus(old, r->apic_ids, r->cpu_count)) {
		snprintf(err, ATOLL_ERROR_LEN,
			 "a restart keeps the partition's CPUs; release partition %u first to change them",
			 r->partition_id);
		return -EINVAL;
	}
	reused = old->used ? r->cpu_count : 0;

	/* Commit. Broadcast IPIs go off before the first CPU leaves the host. */
	atoll_host.lent_cpus += r->cpu_count - reused;
	atoll_set_cpus_lent(atoll_host.lent_cpus);
	for (taken = 0; taken < r->cpu_count - reused; taken++) {
		ret = remove_cpu(c->cpu_nums[taken]);
		if (ret) {
			snprintf(err, ATOLL_ERROR_LEN, "the host could not give up CPU %d (APIC ID %u): %d",
				 c->cpu_nums[taken], r->apic_ids[taken], ret);
			goto fail;
		}
	}
	t_offline = ktime_get_ns();
	ret = place_images(c, err);
	if (ret)
		goto fail;
	t_copied = ktime_get_ns();
	ret = atoll_lagoon_assign(atoll_host.lagoon, atoll_host.lagoon_size, r->partition_id,
				  r->apic_ids, r->cpu_count);
	if (ret) {
		snprintf(err, ATOLL_ERROR_LEN, "lagoon: cannot assign CPU slots (%d)", ret);
		goto fail;
	}
	atoll_lagoon_set_state(atoll_host.lagoon, atoll_host.lagoon_size, r->partition_id,
			       ATOLL_PSTATE_BOOTING, ATOLL_PREASON_NONE, r->cpu_count, rdtsc());
	/* SMP partitions start their other CPUs themselves; the host starts [0]. */
	ret = start_cpu(r->apic_ids[0], &c->layout, err);
	if (ret) {
		/* A failed restart leaves the partition stopped, a failed boot none. */
		atoll_lagoon_set_state(atoll_host.lagoon, atoll_host.lagoon_size, r->partition_id,
				       reused ? ATOLL_PSTATE_STOPPED : ATOLL_PSTATE_FREE,
				       reused ? ATOLL_PREASON_FORCED : ATOLL_PREASON_NONE, 0, 0);
		if (!reused)
			atoll_lagoon_assign(atoll_host.lagoon, atoll_host.lagoon_size, 0, r->apic_ids,
					    r->cpu_count);
		goto fail;
	}

	hp = &atoll_host.parts[r->partition_id];
	if (!hp->used)	/* the module maps the partition's lagoon: no unload now */
		__module_get(THIS_MODULE);
	*hp = (struct atoll_host_partition){
		.used = true, .id = r->partition_id, .node = r->numa_node,
		.cpu_count = r->cpu_count, .mem_count = r->mem_range_count,
		.boot_ns = ktime_get_ns(), .state = ATOLL_PSTATE_BOOTING,
		.last_beat_ns = ktime_get_ns(),
	};
	memcpy(hp->apic_ids, r->apic_ids, sizeof(hp->apic_ids));
	memcpy(hp->mem, r->mem_ranges, sizeof(hp->mem));
	for (i = 0; i < r->cpu_count; i++)
		hp->cpus[i] = c->cpu_nums[i];
	atoll_update_running();
	atoll_monitor_kick();
	pr_info("partition %u started on APIC %u: %s at %#llx, initramfs %#llx+%llu, \"%s\"\n",
		r->partition_id, r->apic_ids[0], c->layout.elf ? "vmlinux" : "bzImage",
		c->layout.kernel_start, c->layout.initrd_start,
		r->initrd_size, c->cmdline);
	pr_info("partition %u: host side %llu ms: copy in and check %llu, CPUs offline %llu, load %llu, start %llu\n",
		r->partition_id, (ktime_get_ns() - t_start) / NSEC_PER_MSEC,
		(t_checked - t_start) / NSEC_PER_MSEC, (t_offline - t_checked) / NSEC_PER_MSEC,
		(t_copied - t_offline) / NSEC_PER_MSEC, (ktime_get_ns() - t_copied) / NSEC_PER_MSEC);
	return 0;

fail:
	give_back_cpus(c, taken);
	if (reused)	/* the restarted partition's CPUs go back to the park loop */
		atoll_park_cpus(r->apic_ids, reused);
	return ret;
}

long atoll_boot_ioctl(struct atoll_boot_request __user *ureq)
{
	struct boot_ctx *c;
	long ret;

	c = kvzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->scratch = kvzalloc(ATOLL_KB_SCRATCH, GFP_KERNEL);
	if (!c->scratch) {
		kvfree(c);
		return -ENOMEM;
	}
	if (copy_from_user(&c->req, ureq, sizeof(c->req))) {
		ret = -EFAULT;
		goto out;
	}
	if (c->req.size != sizeof(c->req)) {
		snprintf(c->req.error, ATOLL_ERROR_LEN,
			 "request of %u bytes, this module speaks %zu: tool and module differ",
			 c->req.size, sizeof(c->req));
		ret = -EINVAL;
	} else {
		c->req.error[0] = 0;
		mutex_lock(&atoll_host.lock);
		ret = do_boot(c, c->req.error);
		mutex_unlock(&atoll_host.lock);
	}
	if (ret)
		pr_info("boot of partition %u refused: %s\n", c->req.partition_id, c->req.error);
	if (copy_to_user(ureq->error, c->req.error, ATOLL_ERROR_LEN))
		ret = -EFAULT;
out:
	if (!IS_ERR_OR_NULL(c->kernel))
		vfree(c->kernel);
	if (!IS_ERR_OR_NULL(c->initrd))
		vfree(c->initrd);
	kfree(c->cmdline);
	kvfree(c->scratch);
	kvfree(c);
	return ret;
}
