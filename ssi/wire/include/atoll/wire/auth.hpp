// The cluster key and what is derived from it (atoll/abi/atolld.h): proofs
// for the handshake, the session key, and per-frame MACs. HMAC-SHA-256 from
// libsodium; comparisons in constant time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/abi/atolld.h"

namespace atl::wire {

using Key = std::array<std::uint8_t, ATOLL_WIRE_KEY_SIZE>;
using Nonce = std::array<std::uint8_t, ATOLL_WIRE_NONCE_SIZE>;
using Proof = std::array<std::uint8_t, 32>;
using Mac = std::array<std::uint8_t, ATOLL_WIRE_MAC_SIZE>;

// Initialises libsodium (idempotent); false if it cannot.
[[nodiscard]] bool crypto_ready();

[[nodiscard]] Nonce fresh_nonce();
[[nodiscard]] Key fresh_key();

// HMAC(key, label | nonce_c | nonce_s): the server's and the client's
// proofs ("atolld-server", "atolld-client") and the session key
// ("atolld-session").
[[nodiscard]] Proof derive(const Key& key, std::string_view label, const Nonce& c, const Nonce& s);

// A secret for another program (munge's key: doc/slurm.md), the same on
// every kernel that holds the cluster key: HMAC(key, label | i) for i = 0,
// 1, ... concatenated and cut to `size` bytes (at most 8160). Distinct labels give
// unrelated secrets, and none of them tells the cluster key.
[[nodiscard]] std::vector<std::uint8_t> derive_secret(const Key& key, std::string_view label, std::size_t size);

// The MAC of one frame: HMAC(session, dir | seq | header | payload), cut to 16 bytes.
[[nodiscard]] Mac frame_mac(const Key& session, char dir, std::uint64_t seq, std::span<const std::uint8_t> header,
                            std::span<const std::uint8_t> payload);

// Constant-time equality of two equally long byte strings.
[[nodiscard]] bool same(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// The cluster key in a file: 64 hexadecimal digits and an optional newline.
// nullopt with `why` set when missing, unreadable, malformed, or readable
// by others than its owner.
[[nodiscard]] std::optional<Key> read_key(const std::string& path, std::string& why);
// Writes a new random key to `path` (mode 0600, atomically: a temporary
// file renamed over it). False with `why` on failure.
[[nodiscard]] bool write_new_key(const std::string& path, std::string& why);
[[nodiscard]] std::string key_hex(const Key& key);

}  // namespace atl::wire
