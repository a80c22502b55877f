// atoll-pingpong: a TCP ping-pong, one message at a time, for the
// benchmarks (make bench): the reference without MPI beside mpi-pingpong
// (tests/bench/mpi-pingpong-bench.sh), and vnet against loopback.
//
//   atoll-pingpong serve PORT
//       accepts connections one after the other and sends every message
//       back as it came, until SIGTERM or SIGINT.
//   atoll-pingpong ADDR PORT [SIZE[k|m]]...
//       for each size (default 1 1k 64k 1m 4m): a warm-up, then 9 timed
//       batches of round trips; prints one line per size in mpi-pingpong's
//       format:
//         pingpong SIZE ITERS min_us median_us max_us MBps
//       (one-way times, half a round trip; MBps is SIZE / median). Exits 1
//       if a message came back changed or the link failed.
//
// A message is an 8-byte length (host order: both ends are one machine's
// kernels) and its bytes; TCP_NODELAY on both ends, as MPI's TCP transports
// set it. Not installed with the product: the box's root carries it for
// make bench.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr int repeats = 9;
constexpr std::uint64_t max_size = 64ULL << 20;

double now_us() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

[[nodiscard]] bool write_all(int fd, const void* p, std::size_t n) {
    const auto* c = static_cast<const char*>(p);
    while (n > 0) {
        const ssize_t w = ::write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

[[nodiscard]] bool read_all(int fd, void* p, std::size_t n) {
    auto* c = static_cast<char*>(p);
    while (n > 0) {
        const ssize_t r = ::read(fd, c, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        c += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

void no_delay(int fd) {
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int serve(int port) {
    const int ls = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    (void)::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (ls < 0 || ::bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(ls, 4) != 0) {
        std::perror("atoll-pingpong: listen");
        return 1;
    }
    std::vector<char> buf;
    for (;;) {
        const int c = ::accept(ls, nullptr, nullptr);
        if (c < 0) {
            if (errno == EINTR)
                return 0;
            continue;
        }
        no_delay(c);
        std::uint64_t n = 0;
        while (read_all(c, &n, sizeof n) && n <= max_size) {
            buf.resize(n);
            if (!read_all(c, buf.data(), n) || !write_all(c, buf.data(), n))
                break;
        }
        ::close(c);
    }
}

std::uint64_t parse_size(const char* s) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (end == s || v == 0)
        return 0;
    if (*end == 'k' || *end == 'K')
        v <<= 10, ++end;
    else if (*end == 'm' || *end == 'M')
        v <<= 20, ++end;
    return *end == '\0' && v <= max_size ? v : 0;
}

// The same batch lengths as mpi-pingpong, so the two are comparable.
int iterations_for(std::uint64_t size) {
    if (size <= 1024)
        return 200;
    if (size <= 65536)
        return 50;
    return size <= (1U << 20) ? 10 : 4;
}

int client(const char* addr, int port, std::vector<std::uint64_t> sizes) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
        std::fprintf(stderr, "atoll-pingpong: '%s' is not an IPv4 address\n", addr);
        return 2;
    }
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        std::fprintf(stderr, "atoll-pingpong: connect %s:%d: %s\n", addr, port, std::strerror(errno));
        return 1;
    }
    no_delay(s);
    for (const std::uint64_t n : sizes) {
        std::vector<unsigned char> buf(n, 0x5a);
        const int iters = iterations_for(n);
        std::vector<double> us;
        for (int b = -1; b < repeats; ++b) {  // b == -1: the warm-up
            const int k = b < 0 ? std::max(2, iters / 4) : iters;
            const double t0 = now_us();
            for (int i = 0; i < k; ++i) {
                const auto mark = static_cast<unsigned char>(i * 7 + 1);
                buf.front() = mark;
                buf.back() = mark;
                if (!write_all(s, &n, sizeof n) || !write_all(s, buf.data(), n) || !read_all(s, buf.data(), n)) {
                    std::fprintf(stderr, "atoll-pingpong: the link to %s:%d failed\n", addr, port);
                    return 1;
                }
                if (buf.front() != mark || buf.back() != mark) {
                    std::fprintf(stderr, "atoll-pingpong: a message came back changed\n");
                    return 1;
                }
            }
            if (b >= 0)
                us.push_back((now_us() - t0) / (2.0 * k));
        }
        std::sort(us.begin(), us.end());
        const double med = us[us.size() / 2];
        std::printf("pingpong %llu %d %.1f %.1f %.1f %.1f\n", static_cast<unsigned long long>(n), iters,
                    us.front(), med, us.back(), static_cast<double>(n) / med);
        std::fflush(stdout);
    }
    ::close(s);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    if (argc == 3 && std::strcmp(argv[1], "serve") == 0)
        return serve(std::atoi(argv[2]));
    if (argc >= 3 && std::strcmp(argv[1], "serve") != 0) {
        std::vector<std::uint64_t> sizes;
        for (int i = 3; i < argc; ++i) {
            const std::uint64_t v = parse_size(argv[i]);
            if (v == 0) {
                std::fprintf(stderr, "atoll-pingpong: '%s' is not a size (1 to 64m, k and m suffixes)\n", argv[i]);
                return 2;
            }
            sizes.push_back(v);
        }
        if (sizes.empty())
            sizes = {1, 1U << 10, 64U << 10, 1U << 20, 4U << 20};
        return client(argv[1], std::atoi(argv[2]), sizes);
    }
    std::fprintf(stderr, "usage: atoll-pingpong serve PORT\n       atoll-pingpong ADDR PORT [SIZE[k|m]]...\n");
    return 2;
}
