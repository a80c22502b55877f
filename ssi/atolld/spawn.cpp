// Starting an EXEC's command (spawn.hpp).
#include "spawn.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)   // Linux 5.11
#endif

#include <cerrno>

namespace atl::atolld {

namespace {

// Everything the child needs, prepared by the parent: the child shares the
// parent's memory and must not allocate (another thread of the parent could
// hold the allocator's lock; a vfork child only makes system calls).
struct Child {
    const SpawnRequest* req;
    const char* path;         // what to execve
    char* const* argv;
    char* const* envp;
    char* const* sh_argv;     // /bin/sh PATH ARGS... for a script without #! (execvp does that)
    const char* cwd;
    SpawnResult* result;      // written only on failure, before _exit
};

// A descriptor that must end up as `target` in the child, without
// FD_CLOEXEC (dup2 onto itself would keep the flag).
void place(int fd, int target) {
    if (fd == target)
        (void)::fcntl(fd, F_SETFD, 0);
    else
        (void)::dup2(fd, target);
}

int child_main(void* arg) {
    const Child& c = *static_cast<const Child*>(arg);
    auto fail = [&](SpawnResult::Stage stage, int e) {
        c.result->stage = stage;
        c.result->error = e;
        ::_exit(e == ENOENT && stage == SpawnResult::Stage::command ? 127 : 126);
    };
    // The job's cgroup before anything else: whatever it starts is in it.
    if (c.req->cgroup_procs >= 0 && ::write(c.req->cgroup_procs, "0", 1) != 1)
        fail(SpawnResult::Stage::cgroup, errno);
    ::setsid();
    if (c.req->controlling_tty)
        (void)::ioctl(c.req->in, TIOCSCTTY, 0);
    place(c.req->in, 0);
    place(c.req->out, 1);
    place(c.req->err, 2);
    // The command starts with default dispositions and nothing blocked (the
    // parent blocked everything around clone, so no handler of the daemon
    // can run here on the shared memory).
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s)
        (void)::sigaction(s, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::chdir(c.cwd) != 0)
        fail(SpawnResult::Stage::cwd, errno);
    // Nothing of the daemon's beyond 0-2 reaches the command: Boost.Asio
    // opens its sockets without close-on-exec, and a command that kept a
    // peer's socket would hold that connection open after the daemon
    // closed it (and CRIU would refuse to dump it).
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        for (int fd = 3; fd < 4096; ++fd)
            (void)::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::execve(c.path, c.argv, c.envp);
    if (errno == ENOEXEC)
        ::execve(c.sh_argv[0], c.sh_argv, c.envp);
    fail(SpawnResult::Stage::command, errno);
    return 126;   // (fail does not return)
}

bool executable_file(const std::string& p, int& error) {
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    if (::access(p.c_str(), X_OK) != 0) {
        error = EACCES;
        return false;
    }
    return true;
}

}  // namespace

std::string find_command(const std::string& command, const std::string& path, const std::string& cwd, int& error) {
    error = ENOENT;
    if (command.empty())
        return {};
    if (command.find('/') != std::string::npos)
        return command;   // the child resolves it, after its chdir
    std::size_t at = 0;
    for (;;) {
        const std::size_t colon = path.find(':', at);
        std::string dir = path.substr(at, colon == std::string::npos ? std::string::npos : colon - at);
        if (dir.empty() || dir[0] != '/') {
            // Relative (an empty entry is the working directory itself).
            std::string base = cwd.empty() ? std::string("/") : cwd;
            base.append("/").append(dir.empty() ? "." : dir);
            dir = std::move(base);
        }
        const std::string candidate = dir + "/" + command;
        if (executable_file(candidate, error))
            return candidate;
        if (colon == std::string::npos)
            return {};
        at = colon + 1;
    }
}

SpawnResult spawn(const SpawnRequest& req) {
    SpawnResult result;
    std::string path_var = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& kv : req.env)
        if (kv.starts_with("PATH="))
            path_var = kv.substr(5);
    if (req.argv.empty())
        return {-1, SpawnResult::Stage::command, ENOENT};
    int error = 0;
    const std::string file = find_command(req.argv[0], path_var, req.cwd, error);
    if (file.empty())
        return {-1, SpawnResult::Stage::command, error};

    std::vector<char*> argv, envp, sh_argv;
    for (const auto& a : req.argv)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : req.env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    sh_argv.push_back(const_cast<char*>("/bin/sh"));
    sh_argv.push_back(const_cast<char*>(file.c_str()));
    for (std::size_t i = 1; i < req.argv.size(); ++i)
        sh_argv.push_back(const_cast<char*>(req.argv[i].c_str()));
    sh_argv.push_back(nullptr);
    const Child c{&req,        file.c_str(), argv.data(), envp.data(), sh_argv.data(),
                  req.cwd.empty() ? "/" : req.cwd.c_str(), &result};

    // The child's own stack (it shares our memory, so not ours), with a
    // guard page below it.
    constexpr std::size_t stack_size = 256 * 1024, guard = 4096;
    void* mem = ::mmap(nullptr, stack_size + guard, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                       -1, 0);
    if (mem == MAP_FAILED)
        return {-1, SpawnResult::Stage::command, errno};
    (void)::mprotect(mem, guard, PROT_NONE);
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t pid = ::clone(child_main, static_cast<char*>(mem) + stack_size + guard,
                              CLONE_VM | CLONE_VFORK | SIGCHLD, const_cast<Child*>(&c));
    const int clone_error = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ::munmap(mem, stack_size + guard);
    if (pid < 0)
        return {-1, SpawnResult::Stage::command, clone_error};
    if (result.stage != SpawnResult::Stage::started) {
        // It has _exit'ed already (CLONE_VFORK): reap it here, so the
        // daemon's SIGCHLD handling never sees a pid it does not know.
        int ws = 0;
        while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
        }
        return result;
    }
    result.pid = pid;
    return result;
}

}  // namespace atl::atolld
