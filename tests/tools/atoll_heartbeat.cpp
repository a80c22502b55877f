// atoll-heartbeat: a workload for the migration benchmark (make bench,
// tests/bench/migrate-bench.sh) and the listener that measures the
// downtime it sees.
//
//   atoll-heartbeat send ADDR PORT MIB [DIRTY_MIB_PER_S]
//       holds MIB MiB, every page touched; every millisecond sends one UDP
//       datagram (its sequence number) to ADDR:PORT and rewrites its share
//       of DIRTY_MIB_PER_S (default 0), round-robin over the MiBs, so that
//       pre-copy always has pages to send again.
//   atoll-heartbeat listen PORT
//       receives those datagrams until SIGTERM or SIGINT, then prints one
//       line: "received N lost L longest_gap_ms G at_s T" (T: when the
//       longest gap began, in seconds after the first datagram).
//
// Why UDP to a listener on another kernel: CRIU restores a workload's time
// namespace, so the workload's own CLOCK_MONOTONIC does not see the time
// it was frozen; and the kernels' CLOCK_REALTIME differ by up to a few
// tenths of a second. The listener's one clock sees the whole gap. Not
// installed with the product: the box's root carries it for make bench.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

volatile std::sig_atomic_t stop = 0;

std::int64_t now_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return std::int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
}

int usage(FILE* to, int status) {
    std::fputs("usage: atoll-heartbeat send ADDR PORT MIB [DIRTY_MIB_PER_S]\n"
               "       atoll-heartbeat listen PORT\n"
               "  send: hold MIB MiB and send a numbered UDP datagram every ms to ADDR:PORT,\n"
               "        rewriting DIRTY_MIB_PER_S of the memory meanwhile\n"
               "  listen: until SIGTERM, then print\n"
               "        \"received N lost L longest_gap_ms G at_s T\"\n",
               to);
    return status;
}

int send_beats(const char* addr, int port, long mib, long dirty_mib_s) {
    const std::size_t page = 4096, bytes = static_cast<std::size_t>(mib) << 20;
    std::vector<unsigned char> mem(bytes);
    for (std::size_t i = 0; i < bytes; i += page)
        mem[i] = 1;
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    if (fd < 0 || inet_pton(AF_INET, addr, &to.sin_addr) != 1) {
        std::fprintf(stderr, "atoll-heartbeat: bad address %s\n", addr);
        return 2;
    }
    // Pages to rewrite per millisecond, carried over in thousandths.
    const std::size_t pages = bytes / page;
    const std::uint64_t per_s = static_cast<std::uint64_t>(dirty_mib_s) * 256;
    std::uint64_t owed = 0, seq = 0;
    std::size_t next = 0;
    std::int64_t due = now_ns();
    for (;;) {
        ++seq;
        (void)sendto(fd, &seq, sizeof seq, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        owed += per_s;
        for (; owed >= 1000 && pages > 0; owed -= 1000) {
            mem[next * page] = static_cast<unsigned char>(seq);
            next = (next + 1) % pages;
        }
        due += 1000000;
        const std::int64_t wait = due - now_ns();
        if (wait > 0) {
            const timespec t{0, static_cast<long>(wait)};
            nanosleep(&t, nullptr);
        } else if (wait < -1000000000) {
            due = now_ns();   // frozen or starved for a while: no burst to catch up
        }
    }
}

int listen_beats(int port) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in me{};
    me.sin_family = AF_INET;
    me.sin_port = htons(static_cast<std::uint16_t>(port));
    me.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&me), sizeof me) != 0) {
        std::fprintf(stderr, "atoll-heartbeat: cannot listen on UDP port %d: %s\n", port, std::strerror(errno));
        return 1;
    }
    struct sigaction sa{};
    sa.sa_handler = [](int) { stop = 1; };   // no SA_RESTART: recv returns EINTR
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::uint64_t received = 0, highest = 0;
    std::int64_t first = 0, last = 0, gap = 0, gap_at = 0;
    while (!stop) {
        std::uint64_t seq = 0;
        if (recv(fd, &seq, sizeof seq, 0) != sizeof seq)
            continue;
        const std::int64_t t = now_ns();
        if (received++ == 0)
            first = t;
        else if (t - last > gap) {
            gap = t - last;
            gap_at = last - first;
        }
        last = t;
        if (seq > highest)
            highest = seq;
    }
    // Sequence numbers start at 1 in every sender; the listener serves one.
    std::printf("received %llu lost %llu longest_gap_ms %.1f at_s %.3f\n", static_cast<unsigned long long>(received),
                static_cast<unsigned long long>(highest > received ? highest - received : 0), static_cast<double>(gap) / 1e6,
                static_cast<double>(gap_at) / 1e9);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "--help") == 0)
        return usage(stdout, 0);
    if (argc >= 5 && argc <= 6 && std::strcmp(argv[1], "send") == 0)
        return send_beats(argv[2], std::atoi(argv[3]), std::atol(argv[4]), argc == 6 ? std::atol(argv[5]) : 0);
    if (argc == 3 && std::strcmp(argv[1], "listen") == 0)
        return listen_beats(std::atoi(argv[2]));
    return usage(stderr, 2);
}
