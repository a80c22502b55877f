// SPDX-License-Identifier: GPL-2.0
/*
 * atoll.ko: the nanokernel inside each Linux of an Atoll box.
 *
 * On the host (no hand-off record): formats the lagoon reserved at boot
 * (atoll.lagoon=ADDR+SIZE), learns the memory pool (atoll.pool=...), and
 * offers /dev/atoll: ioctls to query, boot and list partitions, and mmap of
 * the lagoon for the tools (console rings). On a partition: maps the lagoon
 * named by the hand-off, attaches the console (vcon) and beats its heart so
 * the host sees it running.
 *
 * Either way it first proves, in kernel context, that the freestanding C++
 * core built with the kernel's flags behaves as in the host unit tests.
 *
 * The parts above it (vcon, vnet, the bootloader) are layers handed in by
 * the module's composition root (kmod/atoll_module.c): this file starts,
 * stops and routes to them without knowing what they are (atoll_layer.h).
 */
#define pr_fmt(fmt) "atoll: " fmt

#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/reboot.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/completion.h>
#include <asm/apic.h>
#include <asm/atoll.h>
#include <asm/smp.h>
#include <asm/tsc.h>

#include "atoll/abi/ioctl.h"
#include "atoll/abi/lagoon.h"
#include "atoll_core.h"
#include "atoll_host.h"
#include "atoll_layer.h"
#include "lagoon_bridge.h"
#include "pipe_bridge.h"

static bool selftest = true;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "run the core self-test at load (default: on)");

static char *lagoon;
module_param(lagoon, charp, 0444);
MODULE_PARM_DESC(lagoon, "host: the lagoon window, ADDR+SIZE (reserved at boot with memmap=)");

static char *pool;
module_param(pool, charp, 0444);
MODULE_PARM_DESC(pool, "host: RAM lent to partitions, NODE@ADDR+SIZE[,...] (reserved with memmap=)");

/* Large enough for a lagoon laid out for the maximum CPU and partition counts. */
#define ATOLL_SELFTEST_SCRATCH (2UL << 20)

struct atoll_host atoll_host = { .lock = __MUTEX_INITIALIZER(atoll_host.lock) };

/* --------------------------------------------------------------- layers */

static const struct atoll_layer *const *layers;
static unsigned int layer_count;
static unsigned long layers_up;		/* bit i: layers[i] started */

static void start_layers(const struct atoll_layer_env *env)
{
	unsigned int i;

	for (i = 0; i < layer_count && i < BITS_PER_LONG; i++) {
		int ret = layers[i]->start ? layers[i]->start(env) : 0;

		if (ret)
			pr_warn("%s: not started (%d); this kernel runs without it\n",
				layers[i]->name, ret);
		else
			__set_bit(i, &layers_up);
	}
}

static void stop_layers(void)
{
	unsigned int i;

	for (i = layer_count; i-- > 0;)
		if (__test_and_clear_bit(i, &layers_up) && layers[i]->stop)
			layers[i]->stop();
}

#define for_each_layer_up(l, i) \
	for ((i) = 0; (i) < layer_count; (i)++) \
		if (test_bit((i), &layers_up) && ((l) = layers[(i)]))

static long layers_ioctl(unsigned int cmd, void __user *arg, u32 size)
{
	const struct atoll_layer *l;
	unsigned int i;
	long ret;

	for_each_layer_up(l, i) {
		if (!l->ioctl)
			continue;
		ret = l->ioctl(cmd, arg, size);
		if (ret != -ENOTTY)
			return ret;
	}
	return -ENOTTY;
}

/* ------------------------------------------------------------ self-test */

static int atoll_selftest(void)
{
	char msg[256];
	void *scratch;
	int rc;

	scratch = vzalloc(ATOLL_SELFTEST_SCRATCH);
	if (!scratch)
		return -ENOMEM;
	rc = atoll_core_selftest(scratch, ATOLL_SELFTEST_SCRATCH, msg, sizeof(msg));
	vfree(scratch);
	if (rc <= 0) {
		pr_err("core self-test FAILED at check %d: %s\n", -rc, msg);
		return -EINVAL;
	}
	pr_info("core self-test passed (%d checks): %s\n", rc, msg);
	return 0;
}

/* ------------------------------------------------------------- pipeline */

/*
 * Every kernel dispatches the Atoll IPI (the platform IPI vector) through the
 * nanokernel pipeline of its IPI CPU (the host: its boot CPU, which partitions
 * target; a partition: its boot CPU). Its control stage answers pings: a
 * partition answers the host's ping virq with the host's control virq.
 */
static void *pipe_irq;		/* dispatch side: only the IPI handler uses it */
static void *pipe_post;		/* host: posts from process context, under the lock */
static u32 self_apic;
static int my_virq = -1;
static DECLARE_COMPLETION(pong);

static void send_ipi(u32 apic_id)
{
	atoll_send_ipi(apic_id);
}

static void atoll_ipi(void)
{
	if (pipe_irq && atoll_pipe_dispatch(pipe_irq))
		atoll_send_ipi(self_apic);	/* work left behind a terminating stage */
}

static void host_control(u32 virq)
{
	if ((int)virq == my_virq)
		complete(&pong);
}

static const struct atoll_handoff *ho;
static void *part_lagoon;

/* A clean stop runs the partition's own shutdown: poweroff signals init. */
static void stop_work_fn(struct work_struct *w)
{
	pr_info("partition %u: stop requested by the host\n", ho->partition_id);
	orderly_poweroff(true);
}
static DECLARE_WORK(stop_work, stop_work_fn);

static void partition_control(u32 virq)
{
	u32 command = ATOLL_COMMAND_PING;
	int host_virq;

	if ((int)virq != my_virq)
		return;
	atoll_lagoon_get_command(part_lagoon, ho->lagoon_size, ho->partition_id, &command);
	if (command == ATOLL_COMMAND_STOP) {
		schedule_work(&stop_work);
		return;
	}
	host_virq = atoll_lagoon_get_control_virq(part_lagoon, ho->lagoon_size, 0);
	if (host_virq >= 0)
		atoll_pipe_post(pipe_irq, ho->host_apic_id, host_virq);
}

/* Called by the platform code with interrupts off as the CPU parks. */
static void park_report(enum atoll_park_reason why)
{
	atoll_lagoon_set_parked(part_lagoon, ho->lagoon_size, ho->partition_id, why);
}

/*
 * A partition that cannot go on says why before it powers itself off:
 * writing "root" to /sys/module/atoll/parameters/fault records that its
 * root filesystem could not be mounted (box/debian/boot-init), and the host
 * shows the partition as stopped with reason "root unavailable". Refused
 * on the host.
 */
static int fault_set(const char *val, const struct kernel_param *kp)
{
	if (!ho || !part_lagoon)
		return -EINVAL;
	if (!sysfs_streq(val, "root"))
		return -EINVAL;
	pr_err("partition %u: stopping: root unavailable\n", ho->partition_id);
	return atoll_lagoon_set_fault(part_lagoon, ho->lagoon_size, ho->partition_id,
				      ATOLL_PFAULT_ROOT) ? -EIO : 0;
}
static const struct kernel_param_ops fault_ops = { .set = fault_set };
module_param_cb(fault, &fault_ops, NULL, 0200);
MODULE_PARM_DESC(fault, "partition: write \"root\" before stopping when the root cannot be mounted");

/*
 * Test hook: writing 1 to /sys/module/atoll/parameters/hang makes this
 * partition's CPU spin with interrupts off, as a hung kernel would; only a
 * force-stop (INIT) gets it back. Refused on the host.
 */
static int hang_set(const char *val, const struct kernel_param *kp)
{
	if (!ho || !sysfs_streq(val, "1"))
		return -EINVAL;
	pr_emerg("partition %u: hanging with interrupts off (test hook)\n", ho->partition_id);
	local_irq_disable();
	for (;;)
		cpu_relax();
	return 0;
}
static const struct kernel_param_ops hang_ops = { .set = hang_set };
module_param_cb(hang, &hang_ops, NULL, 0200);
MODULE_PARM_DESC(hang, "partition test hook: write 1 to spin with interrupts off");

static int pipe_setup(void *lag, unsigned long size, u32 pid, u32 apic, void (*control)(u32))
{
	int ret;

	pipe_irq = kzalloc(ATOLL_PIPE_MEM, GFP_KERNEL);
	if (!pipe_irq)
		return -ENOMEM;
	self_apic = apic;
	ret = atoll_pipe_open(pipe_irq, lag, size, apic, send_ipi) ?:
	      atoll_pipe_control(pipe_irq, control);
	if (ret)
		goto fail;
	my_virq = atoll_pipe_alloc(pipe_irq, pid);
	if (my_virq < 0) {
		ret = my_virq;
		goto fail;
	}
	ret = atoll_lagoon_set_control_virq(lag, size, pid, my_virq);
	if (ret)
		goto fail;
	atoll_set_ipi_handler(atoll_ipi);
	/* Whatever was posted before the handler existed: dispatch it now. */
	atoll_send_ipi(apic);
	return 0;
fail:
	pr_err("pipeline for APIC %u not set up (%d)\n", apic, ret);
	kfree(pipe_irq);
	pipe_irq = NULL;
	return -EINVAL;
}

static void pipe_teardown(void)
{
	atoll_set_ipi_handler(NULL);
	synchronize_rcu();	/* no IPI handler still runs on the old pipeline */
	kfree(pipe_irq);
	kfree(pipe_post);
	pipe_irq = pipe_post = NULL;
}

/* Host: tell partition @pid what to do, then ring its control virq. */
int atoll_host_post_control(u32 apic_id, u32 pid, u32 command)
{
	int v = atoll_lagoon_get_control_virq(atoll_host.lagoon, atoll_host.lagoon_size, pid);

	if (v < 0 || !pipe_post)
		return -ENOENT;
	atoll_lagoon_set_command(atoll_host.lagoon, atoll_host.lagoon_size, pid, command);
	return atoll_pipe_post(pipe_post, apic_id, v);
}

/* Host: a stopped partition's control virq goes back to the table. */
void atoll_host_release_virq(u32 pid)
{
	int v = atoll_lagoon_get_control_virq(atoll_host.lagoon, atoll_host.lagoon_size, pid);
	const struct atoll_layer *l;
	unsigned int i;

	if (v >= 0 && pipe_post)
		atoll_pipe_release(pipe_post, v);
	/* Its peers stop sending to it (vnet); what the layers published goes back. */
	for_each_layer_up(l, i) {
		int lv = l->partition_down ? l->partition_down(pid) : 0;

		if (lv > 0 && pipe_post)
			atoll_pipe_release(pipe_post, lv);
	}
	atoll_lagoon_clear_control_virq(atoll_host.lagoon, atoll_host.lagoon_size, pid);
}

/* ------------------------------------------------------------ host side */

/* "ADDR+SIZE" with K/M/G suffixes on either number. */
static int parse_range(char *s, u64 *start, u64 *size)
{
	char *end;

	*start = memparse(s, &end);
	if (*end != '+')
		return -EINVAL;
	*size = memparse(end + 1, &end);
	return (*end == 0 || *end == ',') && *size ? 0 : -EINVAL;
}

static int parse_pool(char *s)
{
	char *item;

	while ((item = strsep(&s, ",")) != NULL) {
		struct atoll_pool_range *r;
		unsigned long node;
		char *at = strchr(item, '@');
		u64 start, size;

		if (!*item)
			continue;
		if (!at || atoll_host.pool_count == ATOLL_MAX_POOL_RANGES)
			return -EINVAL;
		*at = 0;
		if (kstrtoul(item, 0, &node) || parse_range(at + 1, &start, &size))
			return -EINVAL;
		r = &atoll_host.pool[atoll_host.pool_count++];
		r->start = start;
		r->end = start + size;
		r->node = node;
	}
	return 0;
}

static int host_init(void)
{
	u32 apics[ATOLL_MAX_CPUS];
	unsigned int n = 0;
	char err[160];
	u64 start, size;
	int cpu, ret;

	atoll_host.boot_apic_id = cpu_physical_id(0);
	for_each_possible_cpu(cpu) {
		struct atoll_host_cpu *c;

		if (atoll_host.cpu_count == ATOLL_HOST_MAX_CPUS)
			break;
		if (!cpu_online(cpu)) {
			pr_err("CPU %d is offline at load: its topology is unknown; load atoll.ko with all CPUs online\n", cpu);
			return -EBUSY;
		}
		c = &atoll_host.cpus[atoll_host.cpu_count++];
		c->apic_id = cpu_physical_id(cpu);
		c->node = cpu_to_node(cpu) < 0 ? 0 : cpu_to_node(cpu);
		/* Machine-wide core number: SMT siblings share it. */
		c->core = (topology_physical_package_id(cpu) << 16) | topology_core_id(cpu);
	}
	if (pool) {
		char *copy = kstrdup(pool, GFP_KERNEL);

		ret = copy ? parse_pool(copy) : -ENOMEM;
		kfree(copy);
		if (ret) {
			pr_err("pool=%s: expected NODE@ADDR+SIZE[,...]\n", pool);
			return -EINVAL;
		}
	}
	if (!lagoon) {
		pr_info("host without a lagoon: partitions cannot be booted (atoll.lagoon= not given)\n");
		return 0;
	}
	if (parse_range(lagoon, &start, &size) || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(size)) {
		pr_err("lagoon=%s: expected page-aligned ADDR+SIZE\n", lagoon);
		return -EINVAL;
	}
	atoll_host.lagoon = memremap(start, size, MEMREMAP_WB);
	if (!atoll_host.lagoon) {
		pr_err("cannot map the lagoon at %#llx+%#llx\n", start, size);
		return -ENOMEM;
	}
	atoll_host.lagoon_phys = start;
	atoll_host.lagoon_size = size;
	for_each_possible_cpu(cpu)
		if (n < ATOLL_MAX_CPUS)
			apics[n++] = cpu_physical_id(cpu);
	ret = atoll_lagoon_format(atoll_host.lagoon, size, apics, n, err, sizeof(err));
	if (ret) {
		pr_err("lagoon: %s\n", err);
		memunmap(atoll_host.lagoon);
		atoll_host.lagoon = NULL;
		return -EINVAL;
	}
	pipe_post = kzalloc(ATOLL_PIPE_MEM, GFP_KERNEL);
	if (!pipe_post || atoll_pipe_open(pipe_post, atoll_host.lagoon, size, atoll_host.boot_apic_id,
					  send_ipi) ||
	    pipe_setup(atoll_host.lagoon, size, 0, atoll_host.boot_apic_id, host_control)) {
		kfree(pipe_post);
		pipe_post = NULL;
		memunmap(atoll_host.lagoon);
		atoll_host.lagoon = NULL;
		return -EINVAL;
	}
	start_layers(&(struct atoll_layer_env){
		.host = true, .self = 0, .self_apic = atoll_host.boot_apic_id,
		.lagoon = atoll_host.lagoon, .lagoon_size = size, .pipe = pipe_irq, .send_ipi = send_ipi,
	});
	pr_info("host: lagoon %#llx+%#llx formatted for %u CPUs, pool of %u range(s), trampoline %pa\n",
		start, size, n, atoll_host.pool_count, &(phys_addr_t){ atoll_trampoline_phys() });
	return 0;
}

static void fill_status(struct atoll_status *s)
{
	s->boot_apic_id = atoll_host.boot_apic_id;
	s->lagoon_phys = atoll_host.lagoon ? atoll_host.lagoon_phys : 0;
	s->lagoon_size = atoll_host.lagoon ? atoll_host.lagoon_size : 0;
	s->pool_count = atoll_host.pool_count;
	memcpy(s->pool, atoll_host.pool, sizeof(s->pool));
	s->trampoline_phys = atoll_trampoline_phys();
	s->tsc_khz = tsc_khz;
	s->lapic_timer_hz = atoll_lapic_timer_hz();
	s->flags = (atoll_host.lagoon && atoll_host.pool_count && s->trampoline_phys &&
		    boot_cpu_has(X86_FEATURE_GBPAGES)) ? ATOLL_STATUS_F_CAN_BOOT : 0;
}

/* A booting partition counts as running once its heartbeat is seen. */
static void fill_list(struct atoll_list *l)
{
	unsigned int i;

	l->count = 0;
	for (i = 0; i < ATOLL_MAX_PARTITIONS; i++) {
		struct atoll_host_partition *hp = &atoll_host.parts[i];
		struct atoll_partition_info *pi = &l->partitions[l->count];
		u32 lagoon_state, lagoon_reason;	/* the host's own record is authoritative */
		u64 beat = 0;

		if (!hp->used)
			continue;
		atoll_lagoon_get_state(atoll_host.lagoon, atoll_host.lagoon_size, hp->id,
				       &lagoon_state, &lagoon_reason, &beat);
		/* A new heartbeat counts at once, not at the monitor's next tick. */
		{
			const struct atoll_layer *lr;
			unsigned int k;
			u64 now = ktime_get_ns();

			for_each_layer_up(lr, k)
				if (lr->beat_seen)
					lr->beat_seen(hp, beat, now);
		}
		pi->partition_id = hp->id;
		pi->state = hp->state;
		pi->reason = hp->reason;
		pi->cpu_count = hp->cpu_count;
		memcpy(pi->apic_ids, hp->apic_ids, sizeof(pi->apic_ids));
		pi->numa_node = hp->node;
		pi->mem_range_count = hp->mem_count;
		memcpy(pi->mem_ranges, hp->mem, sizeof(pi->mem_ranges));
		pi->boot_ns = hp->boot_ns;
		pi->uptime_ns = hp->state == ATOLL_PSTATE_RUNNING || hp->state == ATOLL_PSTATE_HUNG ||
				hp->state == ATOLL_PSTATE_STOPPING ? ktime_get_ns() - hp->boot_ns : 0;
		pi->heartbeat = beat;
		l->count++;
	}
}

static long atoll_ping_ioctl(struct atoll_ping __user *uarg, u32 size)
{
	struct atoll_ping p = {};
	struct atoll_host_partition *hp;
	u64 t0;
	int v;

	if (size != sizeof(p) || copy_from_user(&p, uarg, sizeof(p)))
		return -EINVAL;
	p.error[0] = 0;
	mutex_lock(&atoll_host.lock);
	hp = p.partition_id < ATOLL_MAX_PARTITIONS ? &atoll_host.parts[p.partition_id] : NULL;
	v = hp && hp->used ? atoll_lagoon_get_control_virq(atoll_host.lagoon, atoll_host.lagoon_size,
							   p.partition_id) : -1;
	if (!hp || !hp->used) {
		snprintf(p.error, sizeof(p.error), "no partition %u", p.partition_id);
	} else if (v < 0 || !pipe_post) {
		snprintf(p.error, sizeof(p.error),
			 "partition %u has no control stage yet (still booting?)", p.partition_id);
	} else {
		reinit_completion(&pong);
		t0 = ktime_get_ns();
		if (atoll_host_post_control(hp->apic_ids[0], hp->id, ATOLL_COMMAND_PING))
			snprintf(p.error, sizeof(p.error), "posting to partition %u failed",
				 p.partition_id);
		else if (!wait_for_completion_timeout(&pong, HZ))
			snprintf(p.error, sizeof(p.error), "partition %u did not answer within 1 s",
				 p.partition_id);
		else
			p.rtt_ns = ktime_get_ns() - t0;
	}
	mutex_unlock(&atoll_host.lock);
	if (copy_to_user(uarg, &p, sizeof(p)))
		return -EFAULT;
	return p.error[0] ? -EIO : 0;
}

static long atoll_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	long ret = 0;
	u32 size;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (get_user(size, (u32 __user *)uarg))
		return -EFAULT;
	switch (cmd) {
	case ATOLL_IOC_STATUS: {
		struct atoll_status s = { .size = sizeof(s) };

		if (size != sizeof(s))
			return -EINVAL;
		mutex_lock(&atoll_host.lock);
		fill_status(&s);
		mutex_unlock(&atoll_host.lock);
		return copy_to_user(uarg, &s, sizeof(s)) ? -EFAULT : 0;
	}
	case ATOLL_IOC_PING:
		return atoll_ping_ioctl(uarg, size);
	case ATOLL_IOC_MACHINE: {
		struct atoll_machine *m;
		unsigned int i;

		if (size != sizeof(*m))
			return -EINVAL;
		m = kzalloc(sizeof(*m), GFP_KERNEL);
		if (!m)
			return -ENOMEM;
		m->size = sizeof(*m);
		mutex_lock(&atoll_host.lock);
		m->boot_apic_id = atoll_host.boot_apic_id;
		m->cpu_count = min_t(u32, atoll_host.cpu_count, ATOLL_MACHINE_MAX_CPUS);
		for (i = 0; i < m->cpu_count; i++) {
			m->cpus[i].apic_id = atoll_host.cpus[i].apic_id;
			m->cpus[i].node = atoll_host.cpus[i].node;
			m->cpus[i].core = atoll_host.cpus[i].core;
		}
		m->pool_count = atoll_host.pool_count;
		memcpy(m->pool, atoll_host.pool, sizeof(m->pool));
		mutex_unlock(&atoll_host.lock);
		ret = copy_to_user(uarg, m, sizeof(*m)) ? -EFAULT : 0;
		kfree(m);
		return ret;
	}
	case ATOLL_IOC_LIST: {
		struct atoll_list *l;

		if (size != sizeof(*l))
			return -EINVAL;
		l = kzalloc(sizeof(*l), GFP_KERNEL);
		if (!l)
			return -ENOMEM;
		l->size = sizeof(*l);
		mutex_lock(&atoll_host.lock);
		if (atoll_host.lagoon)
			fill_list(l);
		mutex_unlock(&atoll_host.lock);
		ret = copy_to_user(uarg, l, sizeof(*l)) ? -EFAULT : 0;
		kfree(l);
		return ret;
	}
	}
	return layers_ioctl(cmd, uarg, size);	/* boot and stop: the bootloader's */
}

/* The whole lagoon, for the tools (console rings, partition state). */
static int atoll_mmap(struct file *f, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!atoll_host.lagoon)
		return -ENODEV;
	if (vma->vm_pgoff || len > atoll_host.lagoon_size)
		return -EINVAL;
	return remap_pfn_range(vma, vma->vm_start, atoll_host.lagoon_phys >> PAGE_SHIFT, len,
			       vma->vm_page_prot);
}

static const struct file_operations atoll_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = atoll_ioctl,
	.mmap = atoll_mmap,
};

static struct miscdevice atoll_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "atoll",
	.fops = &atoll_fops,
	.mode = 0600,
};

/* ------------------------------------------------------- partition side */

static struct delayed_work heartbeat_work;

#define ATOLL_HEARTBEAT_MS 250

static void heartbeat(struct work_struct *w)
{
	atoll_lagoon_heartbeat(part_lagoon, ho->lagoon_size, ho->partition_id);
	schedule_delayed_work(&heartbeat_work, msecs_to_jiffies(ATOLL_HEARTBEAT_MS));
}

static int partition_init(void)
{
	void *area = NULL;
	unsigned long len = 0;
	int ret;

	part_lagoon = memremap(ho->lagoon_phys, ho->lagoon_size, MEMREMAP_WB);
	if (!part_lagoon) {
		pr_err("partition %u: cannot map the lagoon at %#llx\n", ho->partition_id,
		       ho->lagoon_phys);
		return -ENOMEM;
	}
	ret = atoll_lagoon_console(part_lagoon, ho->lagoon_size, ho->partition_id, &area, &len);
	if (ret) {
		pr_err("partition %u: the lagoon does not validate (%d)\n", ho->partition_id, ret);
		memunmap(part_lagoon);
		return -EINVAL;
	}
	if (pipe_setup(part_lagoon, ho->lagoon_size, ho->partition_id, ho->apic_ids[0],
		       partition_control))
		pr_err("partition %u: no pipeline: the host cannot reach it\n", ho->partition_id);
	start_layers(&(struct atoll_layer_env){
		.host = false, .self = ho->partition_id, .self_apic = ho->apic_ids[0],
		.lagoon = part_lagoon, .lagoon_size = ho->lagoon_size, .pipe = pipe_irq,
		.send_ipi = send_ipi, .console = area, .console_len = len,
	});
	atoll_set_park_notify(park_report);
	INIT_DELAYED_WORK(&heartbeat_work, heartbeat);
	schedule_delayed_work(&heartbeat_work, 0);
	pr_info("partition %u attached to the lagoon at %#llx\n", ho->partition_id, ho->lagoon_phys);
	return 0;
}

/* ------------------------------------------------- entry points (atoll_layer.h) */

int atoll_nanokernel_init(const struct atoll_layer *const *list, unsigned int count)
{
	int ret;

	layers = list;
	layer_count = min_t(unsigned int, count, BITS_PER_LONG);
	if (selftest) {
		ret = atoll_selftest();
		if (ret)
			return ret;
	}
	ho = atoll_partition_handoff();
	if (ho) {
		ret = partition_init();
	} else {
		ret = host_init();
		if (!ret) {
			ret = misc_register(&atoll_dev);
			if (ret) {
				stop_layers();
				pipe_teardown();
				if (atoll_host.lagoon)
					memunmap(atoll_host.lagoon);
			}
		}
	}
	if (ret)
		return ret;
	pr_info("nanokernel core %s loaded (%s)\n", atoll_core_version(), ho ? "partition" : "host");
	return 0;
}

void atoll_nanokernel_exit(void)
{
	if (!ho)
		misc_deregister(&atoll_dev);	/* no request reaches a layer being stopped */
	/* Stop everything that uses the lagoon before unmapping it. */
	stop_layers();
	pipe_teardown();
	if (ho) {
		atoll_set_park_notify(NULL);
		cancel_work_sync(&stop_work);
		cancel_delayed_work_sync(&heartbeat_work);
		memunmap(part_lagoon);
	} else if (atoll_host.lagoon) {
		memunmap(atoll_host.lagoon);
	}
	pr_info("nanokernel core unloaded\n");
}
