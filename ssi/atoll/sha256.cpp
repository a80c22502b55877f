// SHA-256 of a file (sha256.hpp).
#include "sha256.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <sodium.h>

#include "atoll/ssi/failure.hpp"

namespace atl::cli {

std::string sha256_of_fd(int fd) {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    std::vector<unsigned char> buf(1 << 20);
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            crypto_hash_sha256_update(&st, buf.data(), static_cast<unsigned long long>(n));
    if (n < 0)
        throw ssi::Failure(std::string("reading for the checksum: ") + std::strerror(errno));
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    char hex[2 * sizeof h + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return hex;
}

std::string sha256_of_file(const std::filesystem::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw ssi::Failure("cannot read " + p.string() + ": " + std::strerror(errno));
    try {
        std::string h = sha256_of_fd(fd);
        ::close(fd);
        return h;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

}  // namespace atl::cli
