// SPDX-License-Identifier: GPL-2.0
/*
 * vnet0: a Linux Ethernet device in every Atoll kernel, on one shared
 * segment in the lagoon (doc/vnet.md). Each ordered pair of kernels has its
 * own ring; the ring core (vdev/vnet/src, through vnet_bridge.h) copies a
 * frame into the ring of every node its destination MAC names, and says
 * which receivers asked for a kick. A kick is a virq of the receiver's VNET
 * stage posted through the nanokernel pipeline; its handler schedules NAPI,
 * which drains the rings and re-arms the kicks only when it goes idle, so a
 * busy receiver costs its senders no IPIs.
 *
 * Carrier follows the peers: on while any other node is attached. A node
 * that stops or crashes is taken down by the host (atoll_vnet_node_down);
 * its peers then drop frames for it instead of filling its rings.
 */
#define pr_fmt(fmt) "atoll: vnet: " fmt

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/ip.h>

#include "atoll/abi/lagoon.h"
#include "pipe_bridge.h"
#include "vnet.h"
#include "vnet_bridge.h"

#define VNET_NAPI_WEIGHT 64
#define VNET_LINK_POLL_MS 500

struct vnet_priv {
	struct net_device *dev;
	struct napi_struct napi;
	spinlock_t lock;		/* the port: transmit, receive, link */
	void *mem;			/* ATOLL_VNET_MEM: the port */
	void *pipe;			/* posts kicks (not the dispatching pipeline) */
	struct delayed_work link_work;
	u32 self;
};

static struct net_device *vnet_dev;

/* Called with the lock held. */
static void vnet_kick(struct vnet_priv *p, u32 mask)
{
	u32 n, virq, slot;

	for (n = 0; mask; n++, mask >>= 1)
		if ((mask & 1) && !atoll_vnet_kick_target(p->mem, n, &virq, &slot))
			atoll_pipe_post_slot(p->pipe, slot, virq);
}

static netdev_tx_t vnet_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vnet_priv *p = netdev_priv(dev);
	u32 delivered = 0, kick = 0;
	unsigned int len = skb->len;
	int ret;

	if (skb_linearize(skb)) {
		dev->stats.tx_dropped++;
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	spin_lock_bh(&p->lock);
	ret = atoll_vnet_send(p->mem, skb->data, len, &delivered, &kick);
	if (kick)
		vnet_kick(p, kick);
	spin_unlock_bh(&p->lock);
	if (ret || !delivered) {
		dev->stats.tx_dropped++;
	} else {
		dev->stats.tx_packets++;
		dev->stats.tx_bytes += len;
	}
	dev_consume_skb_any(skb);
	return NETDEV_TX_OK;
}

static int vnet_poll(struct napi_struct *napi, int budget)
{
	struct vnet_priv *p = container_of(napi, struct vnet_priv, napi);
	struct net_device *dev = p->dev;
	struct sk_buff_head q;
	struct sk_buff *skb;
	const void *data;
	u32 len, src;
	int done = 0, more;

	__skb_queue_head_init(&q);
	/* Copy out under the lock, deliver after it: delivery may transmit. */
	spin_lock(&p->lock);
	while (done < budget) {
		len = atoll_vnet_peek(p->mem, &data, &src);
		if (!len)
			break;
		skb = napi_alloc_skb(napi, len);
		if (skb)
			skb_put_data(skb, data, len);
		atoll_vnet_release(p->mem);
		if (!skb) {
			dev->stats.rx_dropped++;
			continue;
		}
		__skb_queue_tail(&q, skb);
		done++;
	}
	spin_unlock(&p->lock);
	while ((skb = __skb_dequeue(&q))) {
		dev->stats.rx_packets++;
		dev->stats.rx_bytes += skb->len;
		skb->protocol = eth_type_trans(skb, dev);
		napi_gro_receive(napi, skb);
	}
	if (done < budget && napi_complete_done(napi, done)) {
		spin_lock(&p->lock);
		more = atoll_vnet_enable_notify(p->mem);
		if (more)
			atoll_vnet_disable_notify(p->mem);
		spin_unlock(&p->lock);
		if (more)
			napi_schedule(napi);
	}
	return done;
}

/* The VNET stage's handler: in the Atoll IPI's dispatch, interrupts off. */
static void vnet_virq(u32 virq)
{
	struct net_device *dev = READ_ONCE(vnet_dev);

	if (dev)
		napi_schedule(&((struct vnet_priv *)netdev_priv(dev))->napi);
}

static void vnet_link_fn(struct work_struct *w)
{
	struct vnet_priv *p = container_of(to_delayed_work(w), struct vnet_priv, link_work);
	u32 up;

	spin_lock_bh(&p->lock);
	up = atoll_vnet_peers_up(p->mem);
	spin_unlock_bh(&p->lock);
	if (up && !netif_carrier_ok(p->dev))
		netif_carrier_on(p->dev);
	else if (!up && netif_carrier_ok(p->dev))
		netif_carrier_off(p->dev);
	schedule_delayed_work(&p->link_work, msecs_to_jiffies(VNET_LINK_POLL_MS));
}

static int vnet_open(struct net_device *dev)
{
	struct vnet_priv *p = netdev_priv(dev);

	napi_enable(&p->napi);
	netif_start_queue(dev);
	napi_schedule(&p->napi);	/* what arrived while down; re-arms the kicks */
	return 0;
}

static int vnet_stop_dev(struct net_device *dev)
{
	struct vnet_priv *p = netdev_priv(dev);

	netif_stop_queue(dev);
	napi_disable(&p->napi);
	return 0;
}

static const struct net_device_ops vnet_ops = {
	.ndo_open = vnet_open,
	.ndo_stop = vnet_stop_dev,
	.ndo_start_xmit = vnet_xmit,
	.ndo_validate_addr = eth_validate_addr,
};

int atoll_vnet_start(void *lagoon, unsigned long lagoon_size, u32 self, u32 self_apic,
		     void *pipe, void (*send)(u32 apic_id), bool format)
{
	struct net_device *dev;
	struct vnet_priv *p;
	u8 mac[ETH_ALEN];
	u32 kick = 0;
	int virq, ret;

	if (format) {
		ret = atoll_vnet_format(lagoon, lagoon_size);
		if (ret) {
			pr_err("cannot format the segment (%d): no vnet\n", ret);
			return -EINVAL;
		}
	}
	dev = alloc_etherdev(sizeof(*p));
	if (!dev)
		return -ENOMEM;
	p = netdev_priv(dev);
	p->dev = dev;
	p->self = self;
	spin_lock_init(&p->lock);
	INIT_DELAYED_WORK(&p->link_work, vnet_link_fn);
	p->mem = kzalloc(ATOLL_VNET_MEM, GFP_KERNEL);
	p->pipe = kzalloc(ATOLL_PIPE_MEM, GFP_KERNEL);
	ret = -ENOMEM;
	if (!p->mem || !p->pipe)
		goto fail;
	ret = -EINVAL;
	if (atoll_pipe_open(p->pipe, lagoon, lagoon_size, self_apic, send))
		goto fail;
	virq = atoll_pipe_stage(pipe, ATOLL_STAGE_VNET, 50, vnet_virq) ?:
	       atoll_pipe_alloc_stage(pipe, ATOLL_STAGE_VNET, self);
	if (virq <= 0) {
		pr_err("no VNET stage or virq (%d)\n", virq);
		goto fail;
	}
	ret = atoll_vnet_attach(p->mem, lagoon, lagoon_size, self, virq, atoll_pipe_self_slot(pipe),
				&kick);
	if (ret) {
		pr_err("cannot attach node %u (%d)\n", self, ret);
		ret = -EINVAL;
		goto fail;
	}
	atoll_vnet_mac(p->mem, mac);
	eth_hw_addr_set(dev, mac);
	strscpy(dev->name, "vnet0", IFNAMSIZ);
	dev->netdev_ops = &vnet_ops;
	/* The ring's largest frame leaves room for a VLAN tag; IP stops at 64 KiB. */
	dev->max_mtu = min_t(unsigned int, atoll_vnet_max_frame(p->mem) - ETH_HLEN, IP_MAX_MTU);
	dev->mtu = min_t(unsigned int, dev->max_mtu, ETH_DATA_LEN);
	dev->min_mtu = ETH_MIN_MTU;
	netif_napi_add_weight(dev, &p->napi, vnet_poll, VNET_NAPI_WEIGHT);
	netif_carrier_off(dev);
	ret = register_netdev(dev);
	if (ret)
		goto fail_detach;
	WRITE_ONCE(vnet_dev, dev);
	spin_lock_bh(&p->lock);
	vnet_kick(p, kick);	/* peers pick up our new generation */
	spin_unlock_bh(&p->lock);
	schedule_delayed_work(&p->link_work, 0);
	pr_info("vnet0: node %u, %pM, MTU up to %u\n", self, mac, dev->max_mtu);
	return 0;

fail_detach:
	atoll_vnet_detach(p->mem);
fail:
	kfree(p->pipe);
	kfree(p->mem);
	free_netdev(dev);
	return ret;
}

void atoll_vnet_stop(void)
{
	struct net_device *dev = READ_ONCE(vnet_dev);
	struct vnet_priv *p;

	if (!dev)
		return;
	p = netdev_priv(dev);
	unregister_netdev(dev);		/* closes it: NAPI off */
	WRITE_ONCE(vnet_dev, NULL);
	cancel_delayed_work_sync(&p->link_work);
	synchronize_rcu();		/* no kick handler still sees the device */
	atoll_vnet_detach(p->mem);
	kfree(p->pipe);
	kfree(p->mem);
	free_netdev(dev);
}

int atoll_vnet_node_down(u32 id)
{
	struct net_device *dev = READ_ONCE(vnet_dev);
	struct vnet_priv *p;
	u32 virq = 0, slot;

	if (!dev)
		return 0;
	p = netdev_priv(dev);
	spin_lock_bh(&p->lock);
	if (atoll_vnet_kick_target(p->mem, id, &virq, &slot))
		virq = 0;
	atoll_vnet_force_down(p->mem, id);
	spin_unlock_bh(&p->lock);
	return virq;
}
