// A workload's own address on this node (atoll start --ip,
// doc/migration.md "A workload's own address"): the node side, which
// `atoll workload` runs for spawn, restore, resume and the move.
//
// The workload lives in a network namespace of its own with one end of a
// veth pair, eth0, holding its address; the other end, wlXXXX, is in the
// node's namespace. Peers reach the address through the node whatever
// node that is, with no per-peer setup: the node answers ARP for it on its
// uplink (the interface on the address's network: vnet0 in a partition,
// br0 on the box's host), routes it to wlXXXX (a /32 route) and forwards.
// A move takes the route and the ARP answer away from the source and gives
// them to the destination, which announces the address (gratuitous ARP),
// so peers' ARP caches follow at once.
#pragma once

#include <string>

namespace atl::cli {

struct WorkloadNet {
    std::string address;   // dotted IPv4
    std::string outer;     // the veth end in the node's namespace (ssi::workload_veth_name)
    std::string uplink;    // the node's interface on the address's network
    int prefix = 24;       // that network's prefix length
    std::string gateway;   // the node's own address there: the workload's default route
};

// Where `address` lives on this node. Throws ssi::Failure when no
// interface here is on its network, or it is this node's own.
[[nodiscard]] WorkloadNet workload_net(const std::string& address);

// Makes the pair for the process `pid` whose network namespace is the
// workload's (just unshared, empty), configures eth0 inside and routes it.
void net_create(const WorkloadNet& n, int pid);
// The node side for a pair that exists (CRIU's restore made it): the outer
// end up, proxy ARP, the /32 route, the ARP answer on the uplink, forwarding.
void net_route(const WorkloadNet& n);
// Takes the route and the ARP answer away (the pair stays). Best effort.
void net_unroute(const WorkloadNet& n);
// Deletes CRIU's network lock ("inet CRIU-DUMP_PID", CRIU's nftables
// lock of a dump of DUMP_PID) from the namespace of process `in_pid`.
// False, with nft's error in `err`, when it is not there.
bool delete_lock_table(long in_pid, long dump_pid, std::string& err);
// Tells the uplink's network that the address is here now (gratuitous ARP,
// three times). Best effort: a peer that misses it asks again.
void net_announce(const WorkloadNet& n);

}  // namespace atl::cli
