// Bookkeeping of the core self-test (selftest*.cpp): numbered checks in
// named sections, the first failure recorded as text. Internal to the
// self-test, not part of the core's interface: it sits in include/ only
// because the kernel object's staging (kmod/build-kmod.sh) links core
// sources one by one, so a header next to them would not be found.
#pragma once

#include <cstddef>
#include <cstdint>

#include "atoll/core/result.hpp"
#include "atoll/nk/fmt.hpp"
#include "atoll/nk/lagoon.hpp"

namespace atl::nk::selftest {

// Checks are numbered from 1 in the order they run. After the first
// failure every expect() returns false and the callers unwind; the message
// then reads "check N (section): what[: details]".
class Checker {
public:
    explicit Checker(TextWriter& msg) : msg_(msg) {}
    Checker(const Checker&) = delete;
    Checker& operator=(const Checker&) = delete;

    // Starts a section: later checks count towards it in the summary.
    void section(const char* name);

    // One numbered check.
    [[nodiscard]] bool expect(bool ok, const char* what);
    // One numbered check of an integer value; both values go into the
    // message on failure.
    [[nodiscard]] bool expect_eq(std::uint64_t got, std::uint64_t want, const char* what);
    // One numbered check that an operation ended with `want` (Error::ok
    // for success); the error names go into the message on failure.
    [[nodiscard]] bool expect_error(Error got, Error want, const char* what);

    // After a failed expect(): the message, to append details to.
    [[nodiscard]] TextWriter& detail() { return msg_; }
    [[nodiscard]] bool failed() const { return failed_ != 0; }

    // The count of checks passed, with "name (n), ..." in the message; or
    // -N for failed check N, the message left as written at the failure.
    [[nodiscard]] int finish();

private:
    static constexpr std::uint32_t max_sections = 8;
    struct Section {
        const char* name;
        std::uint32_t checks;
    };

    TextWriter& msg_;
    Section sections_[max_sections] = {};
    std::uint32_t section_count_ = 0;
    std::uint32_t count_ = 0;    // checks run so far
    std::uint32_t failed_ = 0;   // number of the failed check; 0: none
};

// The pipeline section (selftest_pipeline.cpp): runs on `lagoon`, whose
// slots 0 and 1 are CPUs (APIC 10 and 20) of partition 1 and slot 2 one
// (APIC 30) of partition 2, with an untouched virq table. Its objects live
// in [arena, arena + arena_size), 64-byte aligned.
[[nodiscard]] bool check_pipeline(Checker& c, const LagoonView& lagoon, void* arena,
                                  std::size_t arena_size);

// The vnet section (selftest_vnet.cpp): three ports on a segment in the
// arena pass a broadcast and a unicast and survive a corrupt head.
[[nodiscard]] bool check_vnet(Checker& c, void* arena, std::size_t arena_size);

}  // namespace atl::nk::selftest
