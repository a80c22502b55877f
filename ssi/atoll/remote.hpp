// A command run to its end on a node through atolld, its output kept:
// what the commands that orchestrate several nodes (atoll migrate) use
// where a person would type `atoll exec NODE -- CMD`.
#pragma once

#include <cstdint>
#include <functional>
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

// What run_on checks while it waits for a command that may hang on
// something outside it (a peer kernel lost mid-way, whose TCP connections
// would otherwise take TCP's quarter of an hour to time out). Called about
// once a second; a non-empty answer abandons the command: the link closes,
// atolld kills the command's process group, and run_on returns with
// `lost` set to that answer. A watch may also act and answer "" to go on
// waiting.
using Watch = std::function<std::string()>;

// Runs `argv` on node `node` (name or id) from the root directory, with no
// standard input and no environment but atolld's. Throws ssi::Failure when
// the node cannot be reached at all (nothing ran).
[[nodiscard]] RemoteResult run_on(const std::string& node, const std::vector<std::string>& argv,
                                  const Watch& watch = {});

// A watch on node `name`: it answers "NAME is STATE" once the node table
// has shown the node other than up twice in a row (one late heartbeat is
// not a lost node), and "" before that.
[[nodiscard]] Watch node_lost_watch(const std::string& name);

}  // namespace atl::cli
