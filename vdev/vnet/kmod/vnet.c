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
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>

#include "atoll/abi/lagoon.h"
#include "atoll/abi/vnet.h"
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
	unsigned long link_checks;	/* completed link checks (sysfs: atoll/link_checks) */
	u32 self;
};

static struct net_device *vnet_dev;

/* A received frame's record flags, from the copy-out to vnet_deliver(). */
struct vnet_rx_cb {
	u16 flags;
};
#define VNET_RX_CB(skb) ((struct vnet_rx_cb *)(skb)->cb)

/* Called with the lock held. */
static void vnet_kick(struct vnet_priv *p, u32 mask)
{
	u32 n, virq, slot;

	for (n = 0; mask; n++, mask >>= 1)
		if ((mask & 1) && !atoll_vnet_kick_target(p->mem, n, &virq, &slot))
			atoll_pipe_post_slot(p->pipe, slot, virq);
}

/*
 * The record flags for @skb's checksum (doc/vnet.md, "Checksums"). A
 * CHECKSUM_PARTIAL frame travels with its checksum field holding only the
 * pseudo-header sum, as the stack leaves it for a NIC: the receiver finds
 * csum_start and csum_offset again from the IP header (skb_checksum_setup),
 * so only TCP and UDP directly over unfragmented IPv4 or IPv6 travel that
 * way. Anything else is completed here. 0 or a negative error.
 */
static int vnet_csum_flags(struct sk_buff *skb, u16 *flags)
{
	unsigned int nh = ETH_HLEN, th = 0;
	u8 proto = 0;

	*flags = 0;
	if (skb->ip_summed == CHECKSUM_UNNECESSARY) {
		*flags = ATOLL_VNET_REC_F_CSUM_OK;
		return 0;
	}
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return 0;
	if (skb_headlen(skb) < ETH_HLEN + sizeof(struct ipv6hdr))
		goto help;
	switch (eth_hdr(skb)->h_proto) {
	case htons(ETH_P_IP): {
		const struct iphdr *ip = (const struct iphdr *)(skb->data + nh);

		if (ip->version != 4 || ip->ihl < 5 || ip_is_fragment(ip))
			goto help;
		proto = ip->protocol;
		th = nh + ip->ihl * 4;
		break;
	}
	case htons(ETH_P_IPV6): {
		const struct ipv6hdr *ip6 = (const struct ipv6hdr *)(skb->data + nh);

		proto = ip6->nexthdr;	/* extension headers: completed here */
		th = nh + sizeof(*ip6);
		break;
	}
	default:
		goto help;
	}
	if (skb_checksum_start_offset(skb) == th &&
	    ((proto == IPPROTO_TCP && skb->csum_offset == offsetof(struct tcphdr, check)) ||
	     (proto == IPPROTO_UDP && skb->csum_offset == offsetof(struct udphdr, check)))) {
		*flags = ATOLL_VNET_REC_F_CSUM_PARTIAL;
		return 0;
	}
help:
	return skb_checksum_help(skb);
}

/* Called with the lock held. A unicast frame goes straight from the skb
 * (fragments included) into the peer's ring; true when it is in, else
 * *@full says whether the ring was full. */
static bool vnet_xmit_one(struct vnet_priv *p, struct sk_buff *skb, u32 peer, u16 flags, int *full)
{
	void *room;

	room = atoll_vnet_tx_reserve(p->mem, peer, skb->len, full);
	if (!room) {
		if (atoll_vnet_tx_flush(p->mem, peer))
			vnet_kick(p, 1u << peer);
		return false;
	}
	if (skb_copy_bits(skb, 0, room, skb->len))
		return false;	/* cannot happen (len is the skb's): room left unpublished */
	if (atoll_vnet_tx_commit(p->mem, peer, flags))
		vnet_kick(p, 1u << peer);
	return true;
}

/*
 * One transmit queue per peer (vnet_select_queue): a full ring stops only
 * the queue to that peer, until a quarter of it is free and the peer kicks
 * us (vnet_poll wakes the queues). Frames to a group address are copied to
 * every peer and, where a ring is full, dropped for that peer.
 */
static netdev_tx_t vnet_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vnet_priv *p = netdev_priv(dev);
	u16 q = skb_get_queue_mapping(skb);
	unsigned int len = skb->len;
	u32 delivered = 0, kick = 0;
	int peer, full = 0;
	bool sent;
	u16 flags;

	if (len < ETH_HLEN || vnet_csum_flags(skb, &flags))
		goto drop;
	peer = atoll_vnet_unicast_peer(p->mem, skb->data);
	if (peer < 0 && skb_linearize(skb))
		goto drop;
	spin_lock_bh(&p->lock);
	if (peer >= 0) {
		sent = vnet_xmit_one(p, skb, peer, flags, &full);
		if (!sent && full) {
			netif_stop_subqueue(dev, q);
			if (!atoll_vnet_tx_request_space(p->mem, peer, len)) {
				spin_unlock_bh(&p->lock);
				return NETDEV_TX_BUSY;	/* requeued; the peer's kick restarts */
			}
			netif_start_subqueue(dev, q);	/* room came meanwhile */
			sent = vnet_xmit_one(p, skb, peer, flags, &full);
		}
	} else {
		sent = !atoll_vnet_send(p->mem, skb->data, len, flags, &delivered, &kick) && delivered;
		if (kick)
			vnet_kick(p, kick);
	}
	spin_unlock_bh(&p->lock);
	if (!sent)
		goto drop;
	DEV_STATS_INC(dev, tx_packets);
	DEV_STATS_ADD(dev, tx_bytes, len);
	dev_consume_skb_any(skb);
	return NETDEV_TX_OK;
drop:
	DEV_STATS_INC(dev, tx_dropped);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* Queue n carries unicast to node n (its MAC: 02:a7:0d:00:00:n); queue 0
 * also carries group addresses and frames for the host's bridge. */
static u16 vnet_select_queue(struct net_device *dev, struct sk_buff *skb,
			     struct net_device *sb_dev)
{
	const u8 *d = skb->data;

	if (skb_headlen(skb) >= ETH_ALEN && d[0] == ATOLL_VNET_MAC_0 && d[1] == ATOLL_VNET_MAC_1 &&
	    d[2] == ATOLL_VNET_MAC_2 && d[3] == 0 && d[4] == 0 && d[5] < dev->real_num_tx_queues)
		return d[5];
	return 0;
}

/* A peer kicked us (room, or frames) or its link changed: let every held
 * queue try again; one still full asks for room again. */
static void vnet_wake_queues(struct net_device *dev)
{
	unsigned int q;

	for (q = 0; q < dev->real_num_tx_queues; q++)
		if (__netif_subqueue_stopped(dev, q))
			netif_wake_subqueue(dev, q);
}

/*
 * Hands one received frame to the stack with the checksum state its sender
 * recorded: a partial checksum stays partial (as in the sender: whoever
 * forwards it off vnet completes it), a verified one is trusted.
 */
static void vnet_deliver(struct vnet_priv *p, struct sk_buff *skb)
{
	struct net_device *dev = p->dev;
	u16 flags = VNET_RX_CB(skb)->flags;
	unsigned int len = skb->len;

	skb->protocol = eth_type_trans(skb, dev);
	skb_reset_network_header(skb);
	if (flags & ATOLL_VNET_REC_F_CSUM_PARTIAL) {
		/* Sets CHECKSUM_PARTIAL; fails for a frame that is not what
		 * the sender's vnet_csum_flags() lets through. */
		if (skb_checksum_setup(skb, false)) {
			dev->stats.rx_errors++;
			dev->stats.rx_crc_errors++;
			dev_kfree_skb_any(skb);
			return;
		}
	} else if (flags & ATOLL_VNET_REC_F_CSUM_OK) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += len;
	napi_gro_receive(&p->napi, skb);
}

static int vnet_poll(struct napi_struct *napi, int budget)
{
	struct vnet_priv *p = container_of(napi, struct vnet_priv, napi);
	struct net_device *dev = p->dev;
	struct sk_buff_head q;
	struct sk_buff *skb;
	const void *data;
	u32 len, src;
	u16 flags;
	u32 space;
	int done = 0, more;

	__skb_queue_head_init(&q);
	/* Copy out under the lock, deliver after it: delivery may transmit. */
	spin_lock(&p->lock);
	vnet_wake_queues(dev);
	while (done < budget) {
		len = atoll_vnet_peek(p->mem, &data, &src, &flags);
		if (!len)
			break;
		skb = napi_alloc_skb(napi, len);
		if (skb) {
			skb_put_data(skb, data, len);
			VNET_RX_CB(skb)->flags = flags;
		}
		atoll_vnet_release(p->mem);
		/* A sender held back by a full ring that now has room: kick it
		 * at once, so that it refills while we go on copying. */
		space = atoll_vnet_rx_space_kicks(p->mem);
		if (space)
			vnet_kick(p, space);
		if (!skb) {
			dev->stats.rx_dropped++;
			continue;
		}
		__skb_queue_tail(&q, skb);
		done++;
	}
	spin_unlock(&p->lock);
	while ((skb = __skb_dequeue(&q)))
		vnet_deliver(p, skb);
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

/*
 * The link check, every VNET_LINK_POLL_MS: carrier, and the rings' own
 * check (doc/vnet.md, "Recovery"): a scribbled index is restored, a peer
 * with something to repair is kicked, and news no kick announced is
 * polled. So whatever one index a faulty kernel scribbled, traffic flows
 * again within one check and one round trip.
 */
static void vnet_link_fn(struct work_struct *w)
{
	struct vnet_priv *p = container_of(to_delayed_work(w), struct vnet_priv, link_work);
	int poll = 0;
	u32 up;

	spin_lock_bh(&p->lock);
	up = atoll_vnet_peers_up(p->mem);
	vnet_kick(p, atoll_vnet_link_check(p->mem, &poll));
	if (poll)
		napi_schedule(&p->napi);	/* runs once the lock drops BHs again */
	WRITE_ONCE(p->link_checks, p->link_checks + 1);
	spin_unlock_bh(&p->lock);
	if (up && !netif_carrier_ok(p->dev))
		netif_carrier_on(p->dev);
	else if (!up && netif_carrier_ok(p->dev))
		netif_carrier_off(p->dev);
	/* A queue held for a peer that crashed gets no kick: retry (and drop). */
	vnet_wake_queues(p->dev);
	schedule_delayed_work(&p->link_work, msecs_to_jiffies(VNET_LINK_POLL_MS));
}

static int vnet_open(struct net_device *dev)
{
	struct vnet_priv *p = netdev_priv(dev);

	napi_enable(&p->napi);
	netif_tx_start_all_queues(dev);
	napi_schedule(&p->napi);	/* what arrived while down; re-arms the kicks */
	return 0;
}

static int vnet_stop_dev(struct net_device *dev)
{
	struct vnet_priv *p = netdev_priv(dev);

	netif_tx_stop_all_queues(dev);
	napi_disable(&p->napi);
	return 0;
}

/*
 * The rings' own counters on top of the device's (doc/vnet.md): rx_errors
 * adds scribbled indices (rx_fifo_errors) and records (rx_frame_errors);
 * tx_errors adds a peer's scribbled tail and our own scribbled lines
 * (found by the link check); tx_fifo_errors counts full rings
 * met (unicast then waits, a group frame is dropped for that peer and
 * counted in tx_dropped).
 */
static void vnet_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	struct vnet_priv *p = netdev_priv(dev);
	struct atoll_vnet_counters c;

	netdev_stats_to_stats64(s, &dev->stats);
	spin_lock_bh(&p->lock);
	atoll_vnet_counters(p->mem, &c);
	spin_unlock_bh(&p->lock);
	s->rx_fifo_errors += c.rx_bad_index;
	s->rx_frame_errors += c.rx_bad_record;
	s->rx_errors += c.rx_bad_index + c.rx_bad_record;
	s->tx_errors += c.tx_bad_tail + c.tx_bad_line;
	s->tx_fifo_errors += c.tx_full;
}

/* /sys/class/net/vnet0/atoll/link_checks: link checks done so far. A test
 * that waits for it to move knows a check ran, without timing one. */
static ssize_t link_checks_show(struct device *d, struct device_attribute *attr, char *buf)
{
	struct vnet_priv *p = netdev_priv(to_net_dev(d));

	return sysfs_emit(buf, "%lu\n", READ_ONCE(p->link_checks));
}
static DEVICE_ATTR_RO(link_checks);

static struct attribute *vnet_attrs[] = {
	&dev_attr_link_checks.attr,
	NULL,
};

static const struct attribute_group vnet_attr_group = {
	.name = "atoll",
	.attrs = vnet_attrs,
};

static const struct net_device_ops vnet_ops = {
	.ndo_open = vnet_open,
	.ndo_get_stats64 = vnet_get_stats64,
	.ndo_stop = vnet_stop_dev,
	.ndo_start_xmit = vnet_xmit,
	.ndo_select_queue = vnet_select_queue,
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
	dev = alloc_etherdev_mqs(sizeof(*p), ATOLL_VNET_MAX_NODES, 1);
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
	/* Fragments are copied straight into the ring; TCP and UDP checksums
	 * are left to whoever forwards a frame off vnet (vnet_csum_flags). */
	dev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM | NETIF_F_RXCSUM;
	dev->features = dev->hw_features;
	/* The ring's largest frame leaves room for a VLAN tag; IP stops at 64 KiB. */
	dev->max_mtu = min_t(unsigned int, atoll_vnet_max_frame(p->mem) - ETH_HLEN, IP_MAX_MTU);
	dev->mtu = min_t(unsigned int, dev->max_mtu, ETH_DATA_LEN);
	dev->min_mtu = ETH_MIN_MTU;
	netif_napi_add_weight(dev, &p->napi, vnet_poll, VNET_NAPI_WEIGHT);
	netif_carrier_off(dev);
	dev->sysfs_groups[0] = &vnet_attr_group;
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

/* vnet as a layer of atoll.ko (atoll_layer.h): in every kernel with a pipeline. */
static int vnet_layer_start(const struct atoll_layer_env *env)
{
	if (!env->pipe)
		return -ENODEV;		/* no pipeline, no kicks: the nanokernel said why */
	return atoll_vnet_start(env->lagoon, env->lagoon_size, env->self, env->self_apic, env->pipe,
				env->send_ipi, env->host);
}

const struct atoll_layer atoll_vnet_layer = {
	.name = "vnet0",
	.start = vnet_layer_start,
	.stop = atoll_vnet_stop,
	.partition_down = atoll_vnet_node_down,
};
