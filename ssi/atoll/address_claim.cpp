// Claims of workload addresses on /home (address_claim.hpp).
#include "address_claim.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "atoll/ssi/failure.hpp"

namespace fs = std::filesystem;

namespace atl::cli {

namespace {

const fs::path claims = "/home/.atoll/addresses";
constexpr auto stale_after = std::chrono::seconds(60);

}  // namespace

bool AddressClaim::take(const std::string& address) {
    release();
    std::error_code ec;
    fs::create_directories(claims, ec);
    const fs::path p = claims / address;
    for (int tries = 0; tries < 2; ++tries) {
        const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::close(fd);
            held_ = p.string();
            return true;
        }
        if (errno != EEXIST)
            throw ssi::Failure("cannot claim the address " + address + " in " + claims.string() + ": " +
                               std::strerror(errno));
        const auto when = fs::last_write_time(p, ec);
        if (ec || fs::file_time_type::clock::now() - when < stale_after)
            return false;
        fs::remove(p, ec);   // left by a command that died holding it
    }
    return false;
}

void AddressClaim::release() {
    if (held_.empty())
        return;
    std::error_code ec;
    fs::remove(held_, ec);
    held_.clear();
}

AddressClaim::~AddressClaim() { release(); }

}  // namespace atl::cli
