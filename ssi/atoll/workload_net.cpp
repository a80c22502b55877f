// A workload's own address on this node (workload_net.hpp).
#include "workload_net.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/migrate_plan.hpp"
#include "workload_ops.hpp"

namespace atl::cli {
namespace {

std::uint32_t host_order(const std::string& dotted) {
    in_addr a{};
    if (::inet_pton(AF_INET, dotted.c_str(), &a) != 1)
        throw ssi::Failure("'" + dotted + "' is not an IPv4 address");
    return ntohl(a.s_addr);
}

std::string dotted(std::uint32_t host) {
    in_addr a{htonl(host)};
    char b[INET_ADDRSTRLEN];
    return ::inet_ntop(AF_INET, &a, b, sizeof b);
}

// `ip` and friends; throws with their error when they fail.
void must(const std::vector<std::string>& argv) {
    std::string err;
    if (const int rc = run_local(argv, err); rc != 0) {
        std::string words;
        for (const auto& a : argv)
            words += (words.empty() ? "" : " ") + a;
        throw ssi::Failure(words + " failed (" + std::to_string(rc) + "): " + err.substr(0, err.find('\n')));
    }
}

void may(const std::vector<std::string>& argv) {
    std::string err;
    (void)run_local(argv, err);
}

void sysctl(const std::string& path, const char* value) {
    std::ofstream out("/proc/sys/" + path);
    out << value;
    if (!out.flush())
        throw ssi::Failure("cannot write /proc/sys/" + path);
}

}  // namespace

WorkloadNet workload_net(const std::string& address) {
    const std::uint32_t want = host_order(address);
    ifaddrs* all = nullptr;
    if (::getifaddrs(&all) != 0)
        throw ssi::Failure(std::string("getifaddrs: ") + std::strerror(errno));
    WorkloadNet n;
    n.address = address;
    n.outer = ssi::workload_veth_name(address);
    for (const ifaddrs* i = all; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_netmask == nullptr || i->ifa_addr->sa_family != AF_INET ||
            (i->ifa_flags & IFF_LOOPBACK) != 0 || std::string_view(i->ifa_name).starts_with("wl"))
            continue;
        const std::uint32_t mine = ntohl(reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr);
        const std::uint32_t mask = ntohl(reinterpret_cast<const sockaddr_in*>(i->ifa_netmask)->sin_addr.s_addr);
        if ((mine & mask) != (want & mask))
            continue;
        if (mine == want) {
            ::freeifaddrs(all);
            throw ssi::Failure(address + " is this node's own address (" + i->ifa_name + ")");
        }
        n.uplink = i->ifa_name;
        n.prefix = std::popcount(mask);
        n.gateway = dotted(mine);
        break;
    }
    ::freeifaddrs(all);
    if (n.uplink.empty())
        throw ssi::Failure("no interface here is on the network of " + address +
                           " (a workload's address belongs to the cluster's network, as the nodes' in "
                           "/etc/atoll/nodes do)");
    return n;
}

void net_create(const WorkloadNet& n, int pid) {
    const std::string ns = "--net=/proc/" + std::to_string(pid) + "/ns/net";
    must({"ip", "link", "add", n.outer, "index", std::to_string(ssi::workload_veth_index(n.address)), "type", "veth", "peer",
          "name", "eth0", "netns", std::to_string(pid)});
    must({"nsenter", ns, "ip", "link", "set", "lo", "up"});
    must({"nsenter", ns, "ip", "addr", "add", n.address + "/" + std::to_string(n.prefix), "dev", "eth0"});
    must({"nsenter", ns, "ip", "link", "set", "eth0", "up"});
    must({"nsenter", ns, "ip", "route", "add", "default", "via", n.gateway});
    net_route(n);
}

void net_route(const WorkloadNet& n) {
    must({"ip", "link", "set", n.outer, "up"});
    // The workload asks ARP for its peers on eth0: the node answers for
    // every address it routes elsewhere.
    sysctl("net/ipv4/conf/" + n.outer + "/proxy_arp", "1");
    sysctl("net/ipv4/ip_forward", "1");
    // Without this, an answer for a proxied address waits up to 0.8 s.
    sysctl("net/ipv4/neigh/" + n.uplink + "/proxy_delay", "0");
    must({"ip", "route", "replace", n.address + "/32", "dev", n.outer});
    must({"ip", "neigh", "replace", "proxy", n.address, "dev", n.uplink});
}

void net_unroute(const WorkloadNet& n) {
    may({"ip", "neigh", "del", "proxy", n.address, "dev", n.uplink});
    may({"ip", "route", "del", n.address + "/32", "dev", n.outer});
}

bool delete_lock_table(long in_pid, long dump_pid, std::string& err) {
    return run_local({"nsenter", "--net=/proc/" + std::to_string(in_pid) + "/ns/net", "nft", "delete", "table", "inet",
                      "CRIU-" + std::to_string(dump_pid)},
                     err) == 0;
}

void net_announce(const WorkloadNet& n) {
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP));
    if (fd < 0)
        return;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, n.uplink.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
        ::close(fd);
        return;
    }
    std::array<std::uint8_t, 6> mac{};
    std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, 6);   // before SIOCGIFINDEX reuses the union
    if (::ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
        ::close(fd);
        return;
    }
    // A gratuitous ARP request: sender and target are the address, from the
    // uplink's MAC. Peers that know the address take the new MAC at once.
    std::array<std::uint8_t, 42> f{};
    std::fill_n(f.begin(), 6, 0xff);
    std::copy(mac.begin(), mac.end(), f.begin() + 6);
    f[12] = 0x08, f[13] = 0x06;                           // ARP
    f[14] = 0x00, f[15] = 0x01;                           // Ethernet
    f[16] = 0x08, f[17] = 0x00;                           // IPv4
    f[18] = 6, f[19] = 4;
    f[20] = 0x00, f[21] = 0x01;                           // request
    std::copy(mac.begin(), mac.end(), f.begin() + 22);    // sender MAC
    const std::uint32_t ip = htonl(host_order(n.address));
    std::memcpy(f.data() + 28, &ip, 4);                  // sender IP
    std::memcpy(f.data() + 38, &ip, 4);                  // target IP (target MAC stays 0)
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = ifr.ifr_ifindex;
    to.sll_halen = 6;
    std::fill_n(to.sll_addr, 6, 0xff);
    for (int k = 0; k < 3; ++k) {
        (void)::sendto(fd, f.data(), f.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::close(fd);
}

}  // namespace atl::cli
