// SPDX-License-Identifier: GPL-2.0
/*
 * Partition lifecycle on the host: the monitor that notices a partition
 * parking itself (power-off, reboot, halt, panic) or going silent, and the
 * stop, force-stop and release requests.
 *
 *   booting --heartbeat--> running --no beat 3 s--> hung --beat--> running
 *   booting/running/hung --parked itself--> stopped (powered off, rebooted, panic)
 *   running --atoll stop--> stopping --parked--> stopped (stop requested)
 *   any but stopped --atoll stop --force--> stopped (force-stopped)
 *   stopped --atoll boot/restart--> booting      stopped --release--> (gone)
 *
 * A stopped partition's CPUs wait in the trampoline's park loop (INIT-SIPI
 * works whatever the CPU was doing, interrupts off included), so nothing
 * runs from the partition's memory any more; they stay offline in the host
 * until released or reused by a restart.
 */
#define pr_fmt(fmt) "atoll: " fmt

#include <linux/cpu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/atoll.h>

#include "kbootloader.h"
#include "lagoon_bridge.h"

#define ATOLL_MONITOR_MS 250
/* While a partition boots, `atoll boot` waits on its first heartbeat: look
 * often, or the wait adds half a period to every boot. */
#define ATOLL_MONITOR_BOOT_MS 10
#define ATOLL_BOOT_POLL_NS (60ULL * NSEC_PER_SEC)	/* a boot stuck longer is polled slowly */
#define ATOLL_HUNG_NS (3ULL * NSEC_PER_SEC)
#define ATOLL_STOP_TIMEOUT_NS (20ULL * NSEC_PER_SEC)

static void monitor(struct work_struct *w);
static DECLARE_DELAYED_WORK(monitor_work, monitor);
static bool monitor_stopped;

bool atoll_partition_has_apic(const struct atoll_host_partition *hp, u32 apic_id)
{
	u32 i;

	for (i = 0; i < hp->cpu_count; i++)
		if (hp->apic_ids[i] == apic_id)
			return true;
	return false;
}

bool atoll_same_cpus(const struct atoll_host_partition *hp, const u32 *apic_ids, u32 count)
{
	u32 i;

	if (count != hp->cpu_count)
		return false;
	for (i = 0; i < count; i++)
		if (!atoll_partition_has_apic(hp, apic_ids[i]))
			return false;
	return true;
}

/*
 * The host's reboot(2) asks the kernel patch, which asks this count: every
 * partition that is not stopped (booting, running, stopping, hung) still
 * runs on lent CPUs. Called with atoll_host.lock held, after every change.
 */
void atoll_update_running(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < ATOLL_MAX_PARTITIONS; i++)
		if (atoll_host.parts[i].used && atoll_host.parts[i].state != ATOLL_PSTATE_STOPPED)
			n++;
	atoll_set_partitions_running(n);
}

void atoll_set_partition_state(struct atoll_host_partition *hp, u32 state, u32 reason)
{
	hp->state = state;
	hp->reason = reason;
	atoll_lagoon_set_state(atoll_host.lagoon, atoll_host.lagoon_size, hp->id, state, reason,
			       hp->cpu_count, 0);
	atoll_update_running();
}

bool atoll_partition_beat(struct atoll_host_partition *hp, u64 beat, u64 now)
{
	if (beat == hp->last_beat)
		return false;
	hp->last_beat = beat;
	hp->last_beat_ns = now;
	if (hp->state == ATOLL_PSTATE_BOOTING || hp->state == ATOLL_PSTATE_HUNG)
		atoll_set_partition_state(hp, ATOLL_PSTATE_RUNNING, ATOLL_PREASON_NONE);
	return true;
}

static u32 reason_of_park(u32 parked)
{
	switch (parked) {
	case ATOLL_PARKED_POWER_OFF:
	case ATOLL_PARKED_HALT:
		return ATOLL_PREASON_POWEROFF;
	case ATOLL_PARKED_RESTART:
		return ATOLL_PREASON_REBOOT;
	case ATOLL_PARKED_PANIC:
		return ATOLL_PREASON_PANIC;
	}
	return ATOLL_PREASON_NONE;
}

/* The partition's CPUs go to the park loop; its control virq is freed. */
static void to_stopped(struct atoll_host_partition *hp, u32 reason)
{
	atoll_park_cpus(hp->apic_ids, hp->cpu_count);
	atoll_host_release_virq(hp->id);
	atoll_set_partition_state(hp, ATOLL_PSTATE_STOPPED, reason);
	pr_info("partition %u stopped (reason %u)\n", hp->id, reason);
}

/*
 * Time since THEN, never negative: a list query stamps heartbeats with its
 * own clock reading, which may be later than the monitor's.
 */
static u64 since(u64 now, u64 then)
{
	return now > then ? now - then : 0;
}

static void check_partition(struct atoll_host_partition *hp, u64 now)
{
	u32 state = 0, reason = 0, parked = 0;
	u64 beat = 0;

	if (atoll_lagoon_get_state(atoll_host.lagoon, atoll_host.lagoon_size, hp->id, &state,
				   &reason, &beat) ||
	    atoll_lagoon_get_parked(atoll_host.lagoon, atoll_host.lagoon_size, hp->id, &parked))
		return;
	if (parked) {
		u32 fault = ATOLL_PFAULT_NONE;

		atoll_lagoon_get_fault(atoll_host.lagoon, atoll_host.lagoon_size, hp->id, &fault);
		if (hp->state == ATOLL_PSTATE_STOPPING)
			to_stopped(hp, ATOLL_PREASON_REQUESTED);
		else if (fault == ATOLL_PFAULT_ROOT)
			to_stopped(hp, ATOLL_PREASON_ROOT);
		else
			to_stopped(hp, reason_of_park(parked));
		return;
	}
	if (atoll_partition_beat(hp, beat, now))
		return;
	if (hp->state == ATOLL_PSTATE_RUNNING && since(now, hp->last_beat_ns) > ATOLL_HUNG_NS) {
		pr_warn("partition %u: no heartbeat for %llu ms: hung\n", hp->id,
			since(now, hp->last_beat_ns) / NSEC_PER_MSEC);
		atoll_set_partition_state(hp, ATOLL_PSTATE_HUNG, ATOLL_PREASON_WATCHDOG);
	}
	if (hp->state == ATOLL_PSTATE_STOPPING && now > hp->stop_deadline_ns) {
		pr_warn("partition %u did not stop cleanly in time; it keeps running\n", hp->id);
		atoll_set_partition_state(hp, since(now, hp->last_beat_ns) < ATOLL_HUNG_NS ?
					  ATOLL_PSTATE_RUNNING : ATOLL_PSTATE_HUNG,
					  ATOLL_PREASON_NONE);
	}
}

static void monitor(struct work_struct *w)
{
	bool any = false, booting = false;
	unsigned int i;
	u64 now;

	mutex_lock(&atoll_host.lock);
	now = ktime_get_ns();	/* read under the lock: a boot may hold it for long */
	for (i = 0; i < ATOLL_MAX_PARTITIONS; i++) {
		struct atoll_host_partition *hp = &atoll_host.parts[i];

		if (!hp->used || hp->state == ATOLL_PSTATE_STOPPED)
			continue;
		any = true;
		check_partition(hp, now);
		booting = booting || (hp->state == ATOLL_PSTATE_BOOTING &&
				      since(now, hp->boot_ns) < ATOLL_BOOT_POLL_NS);
	}
	if (any && !monitor_stopped)
		schedule_delayed_work(&monitor_work,
				      msecs_to_jiffies(booting ? ATOLL_MONITOR_BOOT_MS : ATOLL_MONITOR_MS));
	mutex_unlock(&atoll_host.lock);
}

void atoll_monitor_kick(void)
{
	if (!monitor_stopped)
		mod_delayed_work(system_wq, &monitor_work, 0);
}

void atoll_monitor_stop(void)
{
	mutex_lock(&atoll_host.lock);
	monitor_stopped = true;
	mutex_unlock(&atoll_host.lock);
	cancel_delayed_work_sync(&monitor_work);
}

/* Give a stopped partition's CPUs back to the host and forget it. */
static int release(struct atoll_host_partition *hp, char *err)
{
	unsigned int i;
	int ret;

	for (i = 0; i < hp->cpu_count; i++) {
		ret = add_cpu(hp->cpus[i]);	/* Linux's own INIT-SIPI leaves the park loop */
		if (ret) {
			snprintf(err, ATOLL_ERROR_LEN, "the host could not take CPU %u (APIC %u) back: %d",
				 hp->cpus[i], hp->apic_ids[i], ret);
			return -EIO;
		}
	}
	atoll_host.lent_cpus -= hp->cpu_count;
	atoll_set_cpus_lent(atoll_host.lent_cpus);
	atoll_lagoon_assign(atoll_host.lagoon, atoll_host.lagoon_size, 0, hp->apic_ids, hp->cpu_count);
	atoll_set_partition_state(hp, ATOLL_PSTATE_FREE, ATOLL_PREASON_NONE);
	pr_info("partition %u released: %u CPU(s) back online in the host\n", hp->id, hp->cpu_count);
	hp->used = false;
	atoll_update_running();
	module_put(THIS_MODULE);
	return 0;
}

static int do_stop(struct atoll_stop *s)
{
	struct atoll_host_partition *hp;

	if (s->partition_id == 0 || s->partition_id >= ATOLL_MAX_PARTITIONS ||
	    !atoll_host.parts[s->partition_id].used) {
		snprintf(s->error, ATOLL_ERROR_LEN, "no partition %u", s->partition_id);
		return -ENOENT;
	}
	hp = &atoll_host.parts[s->partition_id];
	switch (s->how) {
	case ATOLL_STOP_RELEASE:
		if (hp->state != ATOLL_PSTATE_STOPPED) {
			snprintf(s->error, ATOLL_ERROR_LEN,
				 "partition %u is not stopped (atoll stop %u first)", hp->id, hp->id);
			return -EBUSY;
		}
		return release(hp, s->error);
	case ATOLL_STOP_FORCE:
		if (hp->state == ATOLL_PSTATE_STOPPED) {
			snprintf(s->error, ATOLL_ERROR_LEN, "partition %u is stopped already", hp->id);
			return -EALREADY;
		}
		to_stopped(hp, ATOLL_PREASON_FORCED);
		return 0;
	case ATOLL_STOP_CLEAN:
		if (hp->state == ATOLL_PSTATE_STOPPED || hp->state == ATOLL_PSTATE_STOPPING) {
			snprintf(s->error, ATOLL_ERROR_LEN, "partition %u is %s already", hp->id,
				 hp->state == ATOLL_PSTATE_STOPPED ? "stopped" : "stopping");
			return -EALREADY;
		}
		if (atoll_host_post_control(hp->apic_ids[0], hp->id, ATOLL_COMMAND_STOP)) {
			snprintf(s->error, ATOLL_ERROR_LEN,
				 "partition %u does not listen on its control stage (booting? use --force)",
				 hp->id);
			return -EIO;
		}
		hp->stop_deadline_ns = ktime_get_ns() + ATOLL_STOP_TIMEOUT_NS;
		atoll_set_partition_state(hp, ATOLL_PSTATE_STOPPING, ATOLL_PREASON_REQUESTED);
		atoll_monitor_kick();
		return 0;
	}
	snprintf(s->error, ATOLL_ERROR_LEN, "unknown stop mode %u", s->how);
	return -EINVAL;
}

long atoll_stop_ioctl(struct atoll_stop __user *uarg, u32 size)
{
	struct atoll_stop s;
	int ret;

	if (size != sizeof(s) || copy_from_user(&s, uarg, sizeof(s)))
		return -EINVAL;
	s.error[0] = 0;
	mutex_lock(&atoll_host.lock);
	ret = do_stop(&s);
	mutex_unlock(&atoll_host.lock);
	if (ret)
		pr_info("stop of partition %u refused: %s\n", s.partition_id, s.error);
	if (copy_to_user(uarg->error, s.error, sizeof(s.error)))
		return -EFAULT;
	return ret;
}
