// atoll-pty: runs a command on a new pseudo-terminal of the given size, as
// `script -q -c` does, for the system tests of `atoll exec -t` (the box's
// busybox has no script(1)). Standard input is copied to the terminal until
// it ends; what the terminal prints is copied to standard output until every
// holder of the terminal closed it; the exit status is the command's. Not
// installed with the product: the box's rootfs carries it for the tests.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool write_all(int fd, const char* p, ssize_t n) {
    while (n > 0) {
        const ssize_t w = ::write(fd, p, static_cast<std::size_t>(n));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= w;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    winsize ws{};
    ws.ws_row = 24;
    ws.ws_col = 80;
    int first = 1;
    if (argc > 2 && std::strcmp(argv[1], "--size") == 0) {
        unsigned rows = 0, cols = 0;
        if (std::sscanf(argv[2], "%ux%u", &rows, &cols) != 2 || rows == 0 || cols == 0 || rows > 9999 ||
            cols > 9999) {
            std::fprintf(stderr, "atoll-pty: --size wants ROWSxCOLS, not '%s'\n", argv[2]);
            return 2;
        }
        ws.ws_row = static_cast<unsigned short>(rows);
        ws.ws_col = static_cast<unsigned short>(cols);
        first = 3;
    }
    if (first >= argc || std::strcmp(argv[1], "--help") == 0) {
        std::fprintf(first >= argc ? stderr : stdout,
                     "usage: atoll-pty [--size ROWSxCOLS] CMD [ARG]...\n"
                     "  runs CMD on a new pseudo-terminal (default 24x80): stdin goes to it,\n"
                     "  its output comes out on stdout; exits with CMD's status\n");
        return first >= argc ? 2 : 0;
    }
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
    if (pid < 0) {
        std::fprintf(stderr, "atoll-pty: forkpty: %s\n", std::strerror(errno));
        return 1;
    }
    if (pid == 0) {
        ::execvp(argv[first], argv + first);
        std::fprintf(stderr, "atoll-pty: cannot run %s: %s\n", argv[first], std::strerror(errno));
        ::_exit(127);
    }
    bool in_open = true;
    char buf[8192];
    for (;;) {
        pollfd fds[2] = {{master, POLLIN, 0}, {0, POLLIN, 0}};
        if (::poll(fds, in_open ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (in_open && fds[1].revents != 0) {
            const ssize_t n = ::read(0, buf, sizeof buf);
            if (n <= 0 || !write_all(master, buf, n))
                in_open = false;   // the terminal itself stays open
        }
        if (fds[0].revents != 0) {
            const ssize_t n = ::read(master, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;   // EIO: nobody holds the terminal any more
            write_all(1, buf, n);
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
