// libFuzzer: arbitrary bytes as a node's `atoll workload list` answer and
// as a checkpoint's manifest (both come from outside the command that
// reads them: another kernel, a file). The parsers must refuse or accept
// without reading past the input; whatever they accept must format back
// to text that parses to the same thing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "atoll/ssi/migrate_plan.hpp"
#include "atoll/wire/checkpoint.hpp"

using namespace atl::ssi;
using atl::wire::format_checkpoint_manifest;
using atl::wire::parse_checkpoint_manifest;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    for (const auto& r : parse_workload_records(text)) {
        if (r.command.find('\n') != std::string::npos)
            std::abort();
        const auto back = parse_workload_record(format_workload_record(r));
        if (!back || !(*back == r))
            std::abort();
    }
    std::string why;
    if (const auto m = parse_checkpoint_manifest(text, why)) {
        const auto back = parse_checkpoint_manifest(format_checkpoint_manifest(*m), why);
        if (!back || !(*back == *m))
            std::abort();
    } else if (why.empty()) {
        std::abort();   // a refusal always says why
    }
    (void)criu_error_lines(text, 3);
    return 0;
}
