// A command run to its end on a node through atolld, its output kept:
// what the commands that orchestrate several nodes (atoll migrate) use
// where a person would type `atoll exec NODE -- CMD`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atl::cli {

struct RemoteResult {
    int status = 255;     // the command's, 128+N for signal N, 255 when the node was lost
    std::string out, err;
    std::string lost;     // why the link ended before the command did ("" if it did not)
    [[nodiscard]] bool ok() const { return status == 0; }
    // The first line of `err` (or of `lost`) for a message.
    [[nodiscard]] std::string reason() const;
};

// Runs `argv` on node `node` (name or id) from the root directory, with no
// standard input and no environment but atolld's. Throws ssi::Failure when
// the node cannot be reached at all (nothing ran).
[[nodiscard]] RemoteResult run_on(const std::string& node, const std::vector<std::string>& argv);

}  // namespace atl::cli
