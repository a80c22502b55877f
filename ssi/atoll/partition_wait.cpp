// Waiting for a partition to reach a state, shared by boot, restart, stop.
#include "partition_wait.hpp"

#include <chrono>
#include <iostream>
#include <thread>

#include "atoll/abi/lagoon.h"

namespace atl::cli {

std::optional<atoll_partition_info> find_partition(const ssi::Control& ctl, std::uint32_t id) {
    const auto l = ctl.list();
    for (std::uint32_t i = 0; i < l.count; i++)
        if (l.partitions[i].partition_id == id)
            return l.partitions[i];
    return std::nullopt;
}

bool wait_running(const ssi::Control& ctl, std::uint32_t id, int timeout_s) {
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(timeout_s)) {
        if (const auto found = find_partition(ctl, id)) {
            const auto& p = *found;
            if (p.state == ATOLL_PSTATE_RUNNING) {
                auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start).count();
                std::cout << "partition " << id << ": running (attached after " << ms / 1000
                          << "." << (ms % 1000) / 100 << " s)" << std::endl;
                return true;
            }
            if (p.state == ATOLL_PSTATE_STOPPED) {
                std::cerr << "atoll boot: partition " << id << " stopped during boot ("
                          << ssi::reason_name(p.reason) << "); see: atoll log " << id << "\n";
                return false;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::cerr << "atoll boot: partition " << id << " did not attach within " << timeout_s
              << " s; see: atoll log " << id << "\n";
    return false;
}


bool wait_stopped(const ssi::Control& ctl, std::uint32_t id, int timeout_s) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(timeout_s)) {
        const auto p = find_partition(ctl, id);
        if (!p || p->state == ATOLL_PSTATE_STOPPED)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::cerr << "atoll stop: partition " << id << " did not stop within " << timeout_s
              << " s; it keeps running (force it: atoll stop --force " << id << ")\n";
    return false;
}

}  // namespace atl::cli
