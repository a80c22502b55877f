// The cluster key, proofs and MACs (atoll/wire/auth.hpp).
#include "atoll/wire/auth.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sodium.h>

namespace atl::wire {

bool crypto_ready() {
    static const bool ready = sodium_init() >= 0;
    return ready;
}

Nonce fresh_nonce() {
    Nonce n{};
    randombytes_buf(n.data(), n.size());
    return n;
}

Key fresh_key() {
    Key k{};
    randombytes_buf(k.data(), k.size());
    return k;
}

Proof derive(const Key& key, std::string_view label, const Nonce& c, const Nonce& s) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.data(), key.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(label.data()), label.size());
    crypto_auth_hmacsha256_update(&st, c.data(), c.size());
    crypto_auth_hmacsha256_update(&st, s.data(), s.size());
    Proof out{};
    crypto_auth_hmacsha256_final(&st, out.data());
    return out;
}

std::vector<std::uint8_t> derive_secret(const Key& key, std::string_view label, std::size_t size) {
    std::vector<std::uint8_t> out;
    out.reserve(size + crypto_auth_hmacsha256_BYTES);
    for (std::uint8_t i = 0; out.size() < size; ++i) {
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, key.data(), key.size());
        crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(label.data()), label.size());
        crypto_auth_hmacsha256_update(&st, &i, 1);
        std::uint8_t block[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_final(&st, block);
        out.insert(out.end(), block, block + sizeof block);
    }
    out.resize(size);
    return out;
}

Mac frame_mac(const Key& session, char dir, std::uint64_t seq, std::span<const std::uint8_t> header,
              std::span<const std::uint8_t> payload) {
    std::uint8_t pre[9];
    pre[0] = static_cast<std::uint8_t>(dir);
    for (int i = 0; i < 8; ++i)
        pre[1 + i] = static_cast<std::uint8_t>(seq >> (8 * i));
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, session.data(), session.size());
    crypto_auth_hmacsha256_update(&st, pre, sizeof pre);
    crypto_auth_hmacsha256_update(&st, header.data(), header.size());
    crypto_auth_hmacsha256_update(&st, payload.data(), payload.size());
    std::uint8_t full[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&st, full);
    Mac m{};
    std::memcpy(m.data(), full, m.size());
    return m;
}

bool same(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string key_hex(const Key& key) {
    char hex[2 * ATOLL_WIRE_KEY_SIZE + 1];
    sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
    return hex;
}

std::optional<Key> read_key(const std::string& path, std::string& why) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        why = "cannot read the cluster key " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
        why = "the cluster key " + path + " is open to others (mode " + mode + "): chmod 600 it";
        return std::nullopt;
    }
    std::ifstream in(path);
    std::string text;
    std::getline(in, text);
    Key k{};
    std::size_t got = 0;
    if (text.size() != 2 * k.size() ||
        sodium_hex2bin(k.data(), k.size(), text.data(), text.size(), nullptr, &got, nullptr) != 0 ||
        got != k.size()) {
        why = "the cluster key " + path + " is not 64 hexadecimal digits";
        return std::nullopt;
    }
    return k;
}

bool write_new_key(const std::string& path, std::string& why) {
    if (!crypto_ready()) {
        why = "libsodium cannot initialise";
        return false;
    }
    const std::string tmp = path + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        why = "cannot create " + tmp + ": " + std::strerror(errno);
        return false;
    }
    const std::string text = key_hex(fresh_key()) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        why = "cannot write " + path + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace atl::wire
