// A job's cgroup (job_group.hpp).
#include "job_group.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace atl::atolld {

namespace {

constexpr const char* cgroup_root = "/sys/fs/cgroup";
constexpr const char* our_dir = "/sys/fs/cgroup/atolld";
constexpr std::string_view prefix = "job-";

// Our part of the hierarchy, opened once (nullopt: no cgroup v2 there).
int root_fd(std::string& why) {
    static int fd = [&] {
        struct statfs fs{};
        if (::statfs(cgroup_root, &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) {
            why = std::string("no cgroup v2 file system on ") + cgroup_root;
            return -1;
        }
        if (::mkdir(our_dir, 0755) != 0 && errno != EEXIST) {
            why = std::string("cannot make ") + our_dir + ": " + std::strerror(errno);
            return -1;
        }
        return ::open(our_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }();
    if (fd < 0 && why.empty())
        why = std::string("cannot open ") + our_dir;
    return fd;
}

bool write_at(int dir, const char* file, std::string_view text) {
    const int fd = ::openat(dir, file, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
}

bool populated_at(int dir) {
    const int fd = ::openat(dir, "cgroup.events", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;   // gone: nothing in it
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    return std::strstr(buf, "populated 1") != nullptr;
}

// Kills what is in the group `name` under `root` and removes it if it is
// empty (its processes die asynchronously: a later sweep removes it then).
void end_group(int root, const char* name) {
    const int dir = ::openat(root, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return;
    if (populated_at(dir))
        (void)write_at(dir, "cgroup.kill", "1");
    ::close(dir);
    (void)::unlinkat(root, name, AT_REMOVEDIR);
}

}  // namespace

std::set<std::string>& JobGroup::live() {
    static std::set<std::string> s;
    return s;
}

std::optional<JobGroup> JobGroup::make(std::string& why) {
    const int root = root_fd(why);
    if (root < 0)
        return std::nullopt;
    static unsigned long next = 0;
    // The daemon's pid in the name: a group left by one that died is not
    // mistaken for a new one (sweep() ends it).
    const std::string name = std::string(prefix) + std::to_string(::getpid()) + "-" + std::to_string(++next);
    if (::mkdirat(root, name.c_str(), 0755) != 0) {
        why = "cannot make the job's cgroup: " + std::string(std::strerror(errno));
        return std::nullopt;
    }
    const int dir = ::openat(root, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const int procs = dir < 0 ? -1 : ::openat(dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (procs < 0) {
        why = "cannot open the job's cgroup: " + std::string(std::strerror(errno));
        if (dir >= 0)
            ::close(dir);
        (void)::unlinkat(root, name.c_str(), AT_REMOVEDIR);
        return std::nullopt;
    }
    live().insert(name);
    return JobGroup(name, dir, procs);
}

JobGroup::JobGroup(JobGroup&& o) noexcept : name_(std::move(o.name_)), dir_(o.dir_), procs_(o.procs_) {
    o.dir_ = o.procs_ = -1;
}

JobGroup::~JobGroup() {
    if (dir_ < 0)
        return;
    ::close(procs_);
    ::close(dir_);
    live().erase(name_);
    std::string ignored;
    if (const int root = root_fd(ignored); root >= 0)
        end_group(root, name_.c_str());
}

bool JobGroup::populated() const { return populated_at(dir_); }

void JobGroup::kill() const { (void)write_at(dir_, "cgroup.kill", "1"); }

void JobGroup::sweep() {
    std::string ignored;
    const int root = root_fd(ignored);
    if (root < 0)
        return;
    const int fd = ::dup(root);
    DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
    if (d == nullptr) {
        if (fd >= 0)
            ::close(fd);
        return;
    }
    ::rewinddir(d);
    while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (!name.starts_with(prefix) || live().contains(name))
            continue;
        end_group(root, e->d_name);
    }
    ::closedir(d);
}

}  // namespace atl::atolld
