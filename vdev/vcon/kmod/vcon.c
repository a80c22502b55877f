// SPDX-License-Identifier: GPL-2.0
/*
 * vcon: this partition's console in the lagoon (Linux glue).
 *
 * Output: a printk console "vcon" (CON_PRINTBUFFER, so the log from the
 * first message is replayed into the ring) and the tty /dev/vcon0 both
 * append to the OUT ring through the C++ core. The ring never blocks: a host
 * tool that is not reading loses the oldest bytes, the partition never waits.
 *
 * Input: the host tool writes the IN ring; we poll it every VCON_POLL_MS
 * while /dev/vcon0 is open and push what we find into the tty. Polling is
 * the first step: an IPI-driven path (a vcon virq posted by the host through
 * the interrupt pipeline) replaces the timer later; the ring protocol stays.
 */
#include <linux/console.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>

#include "vcon.h"
#include "vcon_bridge.h"

#define VCON_POLL_MS 20
#define VCON_INPUT_CHUNK 256

/*
 * One writer at a time into the OUT ring: printk's console and the tty can
 * write from different CPUs, in any context (printk from hard IRQ, NMI,
 * panic), hence a raw spinlock with IRQs off, and only a trylock while an
 * oops is in progress (the lock holder may be the CPU that died), as
 * serial8250 does.
 */
static DEFINE_RAW_SPINLOCK(vcon_lock);
static bool vcon_attached;

static struct tty_driver *vcon_tty_driver;
static struct tty_port vcon_port;
static struct timer_list vcon_poll_timer;

static void vcon_out(const char *buf, size_t len)
{
	unsigned long flags;
	bool locked = true;

	if (oops_in_progress)
		locked = raw_spin_trylock_irqsave(&vcon_lock, flags);
	else
		raw_spin_lock_irqsave(&vcon_lock, flags);
	if (vcon_attached)
		atoll_vcon_core_write(buf, len);
	if (locked)
		raw_spin_unlock_irqrestore(&vcon_lock, flags);
}

/* ---- printk console ---------------------------------------------------- */

static void vcon_console_write(struct console *con, const char *s, unsigned int n)
{
	vcon_out(s, n);
}

static struct tty_driver *vcon_console_device(struct console *con, int *index)
{
	*index = 0;
	return vcon_tty_driver;
}

static struct console vcon_console = {
	.name = "vcon",
	.write = vcon_console_write,
	.device = vcon_console_device,
	/* CON_ENABLED: accepted without console= on the command line. */
	.flags = CON_PRINTBUFFER | CON_ENABLED,
	.index = 0,
};

/* ---- tty /dev/vcon0 -------------------------------------------------- */

static void vcon_poll(struct timer_list *unused)
{
	struct tty_struct *tty = tty_port_tty_get(&vcon_port);
	char buf[VCON_INPUT_CHUNK];
	unsigned long n;
	bool pushed = false;

	/* With nobody reading, input stays in the ring (the host sees it full). */
	if (tty) {
		while ((n = atoll_vcon_core_read_input(buf, sizeof(buf))) > 0) {
			tty_insert_flip_string(&vcon_port, buf, n);
			pushed = true;
		}
		if (pushed)
			tty_flip_buffer_push(&vcon_port);
		tty_kref_put(tty);
	}
	mod_timer(&vcon_poll_timer, jiffies + msecs_to_jiffies(VCON_POLL_MS));
}

static int vcon_port_activate(struct tty_port *port, struct tty_struct *tty)
{
	atoll_vcon_core_set_input_ready(1);
	return 0;
}

static void vcon_port_shutdown(struct tty_port *port)
{
	atoll_vcon_core_set_input_ready(0);
}

static const struct tty_port_operations vcon_port_ops = {
	.activate = vcon_port_activate,
	.shutdown = vcon_port_shutdown,
};

static int vcon_tty_install(struct tty_driver *driver, struct tty_struct *tty)
{
	return tty_port_install(&vcon_port, driver, tty);
}

static int vcon_tty_open(struct tty_struct *tty, struct file *filp)
{
	return tty_port_open(&vcon_port, tty, filp);
}

static void vcon_tty_close(struct tty_struct *tty, struct file *filp)
{
	tty_port_close(&vcon_port, tty, filp);
}

static void vcon_tty_hangup(struct tty_struct *tty)
{
	tty_port_hangup(&vcon_port);
}

static ssize_t vcon_tty_write(struct tty_struct *tty, const u8 *buf, size_t count)
{
	vcon_out((const char *)buf, count);
	return count;
}

/* The ring never refuses: report generous room so writers never stall. */
static unsigned int vcon_tty_write_room(struct tty_struct *tty)
{
	return 4096;
}

static const struct tty_operations vcon_tty_ops = {
	.install = vcon_tty_install,
	.open = vcon_tty_open,
	.close = vcon_tty_close,
	.hangup = vcon_tty_hangup,
	.write = vcon_tty_write,
	.write_room = vcon_tty_write_room,
};

static int vcon_tty_register(void)
{
	struct tty_driver *drv;
	int rc;

	drv = tty_alloc_driver(1, TTY_DRIVER_REAL_RAW | TTY_DRIVER_RESET_TERMIOS);
	if (IS_ERR(drv))
		return PTR_ERR(drv);
	drv->driver_name = "vcon";
	drv->name = "vcon";   /* /dev/vcon0 via devtmpfs */
	drv->major = 0;       /* dynamic */
	drv->minor_start = 0;
	drv->type = TTY_DRIVER_TYPE_SYSTEM;
	drv->subtype = SYSTEM_TYPE_CONSOLE;
	drv->init_termios = tty_std_termios;
	tty_set_operations(drv, &vcon_tty_ops);

	tty_port_init(&vcon_port);
	vcon_port.ops = &vcon_port_ops;
	tty_port_link_device(&vcon_port, drv, 0);

	rc = tty_register_driver(drv);
	if (rc) {
		tty_port_destroy(&vcon_port);
		tty_driver_kref_put(drv);
		return rc;
	}
	vcon_tty_driver = drv;
	return 0;
}

static void vcon_tty_unregister(void)
{
	if (!vcon_tty_driver)
		return;
	tty_unregister_driver(vcon_tty_driver);
	tty_driver_kref_put(vcon_tty_driver);
	tty_port_destroy(&vcon_port);
	vcon_tty_driver = NULL;
}

/* ---- entry points ------------------------------------------------------ */

int atoll_vcon_partition_init(void *console_area, unsigned long size)
{
	unsigned long flags;
	int rc;

	raw_spin_lock_irqsave(&vcon_lock, flags);
	rc = atoll_vcon_core_format(console_area, size);
	vcon_attached = rc == 0;
	raw_spin_unlock_irqrestore(&vcon_lock, flags);
	if (rc) {
		pr_err("atoll: vcon: cannot format the console area (%lu bytes at %px): core error %d\n",
		       size, console_area, -1 - rc);
		return -EINVAL;
	}

	rc = vcon_tty_register();
	if (rc) {
		pr_err("atoll: vcon: tty registration failed: %d\n", rc);
		goto detach;
	}
	timer_setup(&vcon_poll_timer, vcon_poll, 0);
	mod_timer(&vcon_poll_timer, jiffies + msecs_to_jiffies(VCON_POLL_MS));

	register_console(&vcon_console);
	pr_info("atoll: vcon: console and /dev/vcon0 on %lu bytes of lagoon\n", size);
	return 0;

detach:
	raw_spin_lock_irqsave(&vcon_lock, flags);
	vcon_attached = false;
	atoll_vcon_core_detach();
	raw_spin_unlock_irqrestore(&vcon_lock, flags);
	return rc;
}

void atoll_vcon_partition_exit(void)
{
	unsigned long flags;

	if (!vcon_attached)
		return;
	unregister_console(&vcon_console);
	timer_shutdown_sync(&vcon_poll_timer);
	vcon_tty_unregister();
	raw_spin_lock_irqsave(&vcon_lock, flags);
	vcon_attached = false;
	atoll_vcon_core_detach();
	raw_spin_unlock_irqrestore(&vcon_lock, flags);
}

/* vcon as a layer of atoll.ko (atoll_layer.h): a partition's own console. */
static int vcon_layer_start(const struct atoll_layer_env *env)
{
	int ret;

	if (env->host)
		return 0;	/* the host reads consoles from user space */
	ret = atoll_vcon_partition_init(env->console, env->console_len);
	if (ret)
		pr_err("atoll: partition %u: console not attached (%d)\n", env->self, ret);
	return ret;
}

static void vcon_layer_stop(void)
{
	atoll_vcon_partition_exit();
}

const struct atoll_layer atoll_vcon_layer = {
	.name = "vcon",
	.start = vcon_layer_start,
	.stop = vcon_layer_stop,
};
