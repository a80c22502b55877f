// The manifest of a checkpoint file (`atoll freeze` / `atoll checkpoint`
// write it, `atoll thaw` reads it, maybe on another node, another day,
// another atoll): a tar of CRIU's images whose last member is this text.
//
//   atoll-checkpoint 2
//   name NAME                 the workload's name (a valid workload name)
//   from NODE                 the node it was saved on
//   rss_kib N                 its memory then: the destination must have room
//   command CMD...            its command line, for `atoll workloads`
//   address ADDR              (optional) its own IPv4 address (atoll start --ip)
//   lock PID                  (with address) the PID CRIU dumped: the name of
//                             the network lock table its namespace holds
//   file SIZE SHA256 IMAGE    one line per image, in the tar's order
//   end
//
// Version 2 added address and lock; a reader of version 2 reads version 1
// files too. A version-1 reader refuses version 2 files, so that one with
// an address is never restored without its network.
//
// Keys other than `file` appear once, in any order; unknown keys before
// `end` are skipped (a newer writer's additions). Nothing may follow
// `end`. Why a list of digests: GNU tar reads an archive cut just after a
// member as a whole, shorter one (exit 0), so tar alone cannot tell a
// truncated checkpoint from a whole one. The manifest is written last, so
// a cut file has no `end`; and every image is checked by size and SHA-256
// before anything is restored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atl::wire {

inline constexpr const char* checkpoint_manifest_file = "atoll-workload";

struct CheckpointImage {
    std::string name;     // valid_image_name (names.hpp), not the manifest's own
    std::uint64_t size = 0;
    std::string sha256;   // 64 lower-case hex digits
    bool operator==(const CheckpointImage&) const = default;
};

struct CheckpointManifest {
    std::string name;
    std::string from;
    std::uint64_t rss_kib = 0;
    std::string command;
    std::vector<CheckpointImage> images;
    std::string address;      // "" for none
    std::uint64_t lock = 0;   // with an address: > 0
    bool operator==(const CheckpointManifest&) const = default;
};

[[nodiscard]] std::string format_checkpoint_manifest(const CheckpointManifest& m);
// nullopt with `why` for anything but a whole manifest of version 1 or 2.
[[nodiscard]] std::optional<CheckpointManifest> parse_checkpoint_manifest(std::string_view text, std::string& why);

// What the unpacked directory holds against what the manifest lists: nullopt
// when they are the same files with the same sizes and digests, else the
// first difference, for a person ("pages-1.img: 40960 bytes, the manifest
// says 1052672").
[[nodiscard]] std::optional<std::string> compare_checkpoint_images(const std::vector<CheckpointImage>& listed,
                                                                   const std::vector<CheckpointImage>& found);

}  // namespace atl::wire
