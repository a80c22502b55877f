// `atoll plan`: propose a plan for this machine, or check a plan file.
#include <fstream>
#include <iostream>
#include <string>
#include <optional>

#include "atoll/nk/plan_validate.hpp"
#include "atoll/nk/planner.hpp"
#include "atoll/ssi/planfile.hpp"
#include "atoll/ssi/probe.hpp"
#include "atoll/ssi/render.hpp"
#include "atoll/ssi/size.hpp"
#include "cli.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll plan - propose or check a partition plan for this machine

SYNOPSIS
    atoll plan [--partitions N] [--memory SIZE] [--host-memory SIZE]
               [--lagoon-size SIZE] [--json | --kernel-params] [--write FILE]
               [--root DIR]
    atoll plan --check FILE [--json] [--write FILE] [--root DIR]

DESCRIPTION
    Reads the machine (CPUs by APIC ID, SMT siblings, NUMA nodes and their
    RAM) from /proc and /sys, then proposes a plan:

      - the host keeps its boot CPU's whole core and the lowest
        --host-memory bytes of RAM on its node;
      - every other core goes to a partition; partitions are spread over the
        NUMA nodes in proportion to their free cores, and each partition's
        CPUs and memory lie on one node;
      - the lagoon sits at the start of the pool, on the host's node;
      - each node's remaining RAM is split evenly among its partitions
        (or --memory each), on 2 MiB boundaries.

    The plan is printed with the host kernel parameters (memmap=SIZE$ADDRESS)
    that reserve the pool when the host boots: that is how the box takes the
    pool and the lagoon away from the host.

    With --check, reads a plan file instead and validates it against this
    machine: every rule it breaks is listed, each naming the rule and the
    values at fault.

    Reading /proc/iomem's addresses needs root.

OPTIONS
    --partitions N       partitions to plan, 1 to 15 (default 1)
    --memory SIZE        memory per partition (default: an even share)
    --host-memory SIZE   RAM the host keeps on its node (default 1G)
    --lagoon-size SIZE   size of the lagoon (default 4M)
    --check FILE         validate the plan in FILE instead of planning
    --write FILE         also write the plan to FILE in the plan file format
    --json               print JSON instead of text
    --kernel-params      print only the host kernel parameters, on one line
                         (what a boot loader configuration needs)
    --root DIR           read proc/ and sys/ under DIR instead of / (tests)
    --help               print this help and exit

    SIZE is a number with an optional K, M, G or T suffix (binary units);
    sizes must be multiples of 2M.

PLAN FILE
    Line based; '#' starts a comment. Sizes as above, addresses and numbers
    decimal or 0x-hex, CPUs are APIC IDs (a list like 2,3 or 2-3):

        # atoll plan, revision 1
        lagoon  0x40000000 4M
        pool    0x40000000 1G
        partition 1 node 0 cpus 1 memory 0x40400000 508M
        partition 2 node 0 cpus 2-3 memory 0x60000000 512M

    One lagoon line; any number of pool lines; one line per partition:
        partition ID node NODE cpus APICS memory ADDRESS SIZE[, ADDRESS SIZE]...

RULES
    ids 1..15 and unique; at least one CPU and one memory range each; every
    start and size 2 MiB aligned; at least 128M per partition; partitions,
    pool ranges and the lagoon disjoint; partition memory and the lagoon
    inside the pool, the pool inside RAM; APIC IDs exist, are not the host's
    boot CPU and appear once; SMT siblings stay together; CPUs and memory on
    the partition's node.

EXIT STATUS
    0    a plan was made, or the checked plan is valid
    1    the request cannot be met, the plan breaks a rule, or the machine
         or a file could not be read
    2    usage error
)";
}

struct Options {
    nk::PlanRequest request;
    bool request_given = false;
    bool json = false;
    bool kernel_params = false;
    std::optional<std::string> check, write;
    std::string root = "/";
};

Options read_options(const Args& args) {
    Options o;
    ArgReader r(args);
    while (!r.done()) {
        if (auto v = r.option("--partitions")) {
            o.request.partitions = count_argument("--partitions", *v);
            o.request_given = true;
        } else if (auto m = r.option("--memory")) {
            o.request.memory_per_partition = size_argument("--memory", *m);
            o.request_given = true;
        } else if (auto h = r.option("--host-memory")) {
            o.request.host_memory = size_argument("--host-memory", *h);
            o.request_given = true;
        } else if (auto l = r.option("--lagoon-size")) {
            o.request.lagoon_size = size_argument("--lagoon-size", *l);
            o.request_given = true;
        } else if (auto c = r.option("--check")) {
            o.check = *c;
        } else if (auto w = r.option("--write")) {
            o.write = *w;
        } else if (auto d = r.option("--root")) {
            o.root = *d;
        } else if (r.flag("--json")) {
            o.json = true;
        } else if (r.flag("--kernel-params")) {
            o.kernel_params = true;
        } else {
            r.unknown();
        }
    }
    if (o.check && o.request_given)
        throw UsageError("--check validates a plan file; it takes no planning options");
    if (o.request.partitions == 0)
        throw UsageError("--partitions wants 1 to 15");
    return o;
}

int check(const Options& o, const nk::Topology& topo) {
    const nk::Plan plan = ssi::read_plan_file(*o.check);
    nk::Refusals refusals;
    nk::ValidatedPlan valid;
    if (!nk::validate_plan(topo, plan, refusals, valid)) {
        if (o.json) {
            std::cout << ssi::render_refusals_json(refusals);
        } else {
            std::cerr << "atoll plan: " << *o.check << " is refused for this machine:\n"
                      << ssi::render_refusals_text(refusals);
        }
        return exit_refused;
    }
    if (o.json) {
        std::cout << ssi::render_plan_json(topo, valid.plan());
    } else {
        std::cout << *o.check << ": valid for this machine\n\n"
                  << ssi::render_plan_text(topo, valid.plan());
    }
    if (o.write)
        ssi::write_plan_file(*o.write, valid.plan());
    return exit_ok;
}

// A sysfs CPU list ("0", "0-3", "0,2") as words: "CPU 0", "CPUs 0-3".
std::string cpu_words(const std::string& list) {
    return (list.find_first_of(",-") == std::string::npos ? "CPU " : "CPUs ") + list;
}

// When some present CPUs are offline: "present: CPUs 0-3; online: CPU 0"
// (lists, never counts), else "".
std::string offline_cpus(const std::string& root) {
    auto read = [&](const char* name) {
        std::ifstream in(root + "/sys/devices/system/cpu/" + name);
        std::string v;
        std::getline(in, v);
        return v;
    };
    const std::string present = read("present"), online = read("online");
    if (present.empty() || present == online)
        return "";
    return "present: " + cpu_words(present) + "; online: " + (online.empty() ? "none" : cpu_words(online));
}

int propose(const Options& o, const nk::Topology& topo) {
    nk::Plan plan;
    nk::FixedText<512> why;
    if (!nk::make_plan(topo, o.request, plan, why)) {
        if (o.json)
            std::cout << ssi::render_error_json(std::string("cannot plan: ") + why.c_str());
        std::cerr << "atoll plan: cannot plan: " << why.c_str() << "\n";
        if (const auto off = offline_cpus(o.root); !off.empty())
            std::cerr << "atoll plan: note: " << off << ". Offline CPUs (lent to partitions,\n"
                         "    or taken offline) are not planned; plan with every CPU online\n";
        return exit_refused;
    }
    if (o.kernel_params) {
        std::string line;
        for (const auto& p : ssi::host_kernel_params(topo, plan))
            line += (line.empty() ? "" : " ") + p;
        std::cout << line << "\n";
    } else if (o.json) {
        std::cout << ssi::render_plan_json(topo, plan);
    } else {
        std::cout << ssi::render_plan_text(topo, plan);
    }
    if (o.write) {
        ssi::write_plan_file(*o.write, plan);
        if (!o.json && !o.kernel_params)
            std::cout << "\nwrote the plan to " << *o.write << "\n";
    }
    return exit_ok;
}

int run_plan(const Args& args) {
    for (const auto a : args)
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        }
    const Options o = read_options(args);
    const nk::Topology topo = ssi::probe_machine(o.root);
    return o.check ? check(o, topo) : propose(o, topo);
}

}  // namespace

const Command plan_command{"plan", "propose a partition plan for this machine, or check one",
                           run_plan};

}  // namespace atl::cli
