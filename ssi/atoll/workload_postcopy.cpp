// The nodes' halves of a post-copy move (workload_postcopy.hpp).
#include "workload_postcopy.hpp"

#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

#include "atoll/ssi/failure.hpp"
#include "workload_here.hpp"
#include "workload_ops.hpp"

namespace fs = std::filesystem;

namespace atl::cli::postcopy {

using namespace here;

int verb_send_lazy(const Args& args) {
    const char* usage = "workload send-lazy NAME DIR PORT [--net]";
    if ((args.size() != 4 && args.size() != 5) || !valid_port(args[3]) || (args.size() == 5 && args[4] != "--net"))
        throw UsageError(usage);
    const std::string name = checked_name(args[1]);
    const fs::path dir(args[2]);
    const auto r = record_of(name);
    if (!r || r->state == "gone")
        throw ssi::Failure("no workload '" + name + "' here");
    remove_group(outgoing_group(name));   // a dump left by an earlier move
    make_group(outgoing_group(name));
    // Frozen and dumped without its memory; CRIU then listens on PORT and
    // serves every page the destination asks for, and leaves the workload
    // stopped once all went (or resumes it if the transfer fails). Its exit
    // status goes to DIR/dump.status for `sent` (the log at -v2 has no
    // line for success). The shell backgrounds CRIU and lets go of the
    // ready pipe, so that a CRIU that fails early closes it.
    const std::string status = (dir / "dump.status").string();
    std::vector<std::string> argv{"sh", "-c", "\"$@\" & exec 3>&-; wait $!; echo $? > \"$0\"", status,
                                  "criu", "dump", "-t", std::to_string(r->pid), "-D", dir.string(),
                                  "--lazy-pages", "--address", "0.0.0.0", "--port", std::string(args[3]),
                                  "--status-fd", "3", "--leave-stopped", "--manage-cgroups=ignore",
                                  "-o", "dump.log", "-v2"};
    if (args.size() == 5)
        argv.insert(argv.end(), {"--tcp-established", "--network-lock", "nftables"});
    if (!start_detached(outgoing_group(name), argv)) {
        remove_group(outgoing_group(name));
        std::cerr << "criu dump failed\n" << log_errors(dir / "dump.log");
        return exit_refused;
    }
    return exit_ok;
}

int verb_sent(const Args& args) {
    if (args.size() != 3)
        throw UsageError("workload sent NAME DIR");
    const std::string name = checked_name(args[1]);
    const fs::path dir(args[2]);
    std::error_code ec;
    while (fs::exists(groups / outgoing_group(name), ec) && group_populated(outgoing_group(name)))
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    remove_group(outgoing_group(name));
    const std::string status = trimmed(read_text_file(dir / "dump.status"));
    if (status == "0")
        return exit_ok;
    std::cerr << "criu dump ended with " << (status.empty() ? std::string("no status") : "status " + status)
              << " while serving the pages\n"
              << log_errors(dir / "dump.log");
    return exit_refused;
}

bool start_lazy_pages(const std::string& name, const fs::path& dir, const fs::path& log_dir,
                      const std::string& address, const std::string& port, std::string& why) {
    if (!valid_port(port))
        throw UsageError("'" + port + "' is not a port");
    make_group(incoming_group(name));
    if (start_detached(incoming_group(name), {"criu", "lazy-pages", "--page-server", "--address", address, "--port",
                                             port, "-D", dir.string(), "--status-fd", "3", "-o",
                                             (log_dir / "lazy-pages.log").string(), "-v2"}))
        return true;
    why = "criu lazy-pages did not start\n" + log_errors(log_dir / "lazy-pages.log");
    return false;
}

}  // namespace atl::cli::postcopy
