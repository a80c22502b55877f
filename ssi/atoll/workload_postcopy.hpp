// A post-copy move's two halves on the nodes (atoll migrate --postcopy,
// doc/migration.md): the source's dump that keeps the workload's pages and
// serves them, and the destination's daemon that pulls them as the
// restored workload touches them (CRIU's lazy pages over userfaultfd).
#pragma once

#include <filesystem>
#include <string>

#include "cli.hpp"

namespace atl::cli::postcopy {

// Source: `workload send-lazy NAME DIR PORT [--net]`. Dumps workload NAME
// into DIR without its memory, leaving it frozen here, and serves its
// pages on PORT; returns once the images are written (the dump running
// on in its own group). --net: its own network namespace, connections
// included (the dump locks them).
int verb_send_lazy(const Args& args);
// Source: `workload sent NAME DIR`. Waits until the dump of send-lazy has
// served every page (the destination pulled them all) or failed; exit 0
// only for the first. A failed one has resumed the workload here.
int verb_sent(const Args& args);
// Destination: CRIU's lazy-pages daemon for a restore of NAME from `dir`
// (images here, in RAM), pulling the pages from ADDRESS:PORT, its log in
// `log_dir` (the move's directory on /home, kept by a failed move); started
// in the workload's incoming group, ready once this returns true. False,
// with CRIU's reasons in `why`, when it did not start.
[[nodiscard]] bool start_lazy_pages(const std::string& name, const std::filesystem::path& dir,
                                    const std::filesystem::path& log_dir, const std::string& address,
                                    const std::string& port, std::string& why);

}  // namespace atl::cli::postcopy
