// atoll-timeit: runs a command COUNT times, one after the other, and prints
// how long each run took (CLOCK_MONOTONIC, microseconds) and its status, for
// the benchmarks in the box (busybox's date has no sub-second clock). Not
// installed with the product: the box's rootfs carries it for make bench.
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    if (argc < 3 || std::strcmp(argv[1], "--help") == 0) {
        std::fprintf(argc < 3 ? stderr : stdout,
                     "usage: atoll-timeit COUNT CMD [ARG]...\n"
                     "  runs CMD COUNT times (stdout and stderr to /dev/null) and prints\n"
                     "  \"MICROSECONDS STATUS\" per run; exit 0, or 1 when CMD cannot run\n");
        return argc < 3 ? 2 : 0;
    }
    const long count = std::strtol(argv[1], nullptr, 10);
    for (long i = 0; i < count; ++i) {
        timespec a{}, b{};
        std::fflush(stdout);   // or the child's freopen() writes our buffer again
        clock_gettime(CLOCK_MONOTONIC, &a);
        const pid_t pid = fork();
        if (pid == 0) {
            freopen("/dev/null", "w", stdout);
            freopen("/dev/null", "w", stderr);
            execvp(argv[2], argv + 2);
            _exit(127);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) < 0)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &b);
        const long long us = (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_nsec - a.tv_nsec) / 1000;
        std::printf("%lld %d\n", us, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    return 0;
}
