// The plan file: a partition plan as people write and read it.
//
//   # atoll plan, revision 1          comments run from '#' to the line's end
//   lagoon  0x7fc00000 4M             exactly once: ADDRESS SIZE
//   pool    0x40000000 1G             any number: ADDRESS SIZE
//   partition 1 node 0 cpus 1 memory 0x40000000 512M
//   partition 2 node 1 cpus 2-3 memory 0x100000000 1G, 0x140000000 512M
//
// Grammar (tokens are separated by blanks; a ',' separates list items
// with or without blanks around it; keywords are lower case):
//   file       = { line }
//   line       = [ statement ] [ "#" text ] newline
//   statement  = "lagoon" range
//              | "pool" range
//              | "partition" ID "node" NODE "cpus" cpu-list "memory" range-list
//   cpu-list   = cpu-item { "," cpu-item }      APIC IDs, not logical CPU numbers
//   cpu-item   = APIC | APIC "-" APIC
//   range-list = range { "," range }
//   range      = ADDRESS SIZE
//   ADDRESS, ID, NODE, APIC = decimal or 0x-hex number
//   SIZE       = number with an optional K, M, G or T suffix (binary units)
// Parsing checks the syntax and the capacities only; the rules are
// validate_plan()'s.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "atoll/nk/plan.hpp"
#include "atoll/ssi/failure.hpp"

namespace atl::ssi {

inline constexpr int plan_file_revision = 1;

// A syntax error: what() reads "FILE:LINE: expected ..., found '...'".
class PlanFileError : public Failure {
public:
    PlanFileError(const std::string& source, int line, const std::string& message);
    [[nodiscard]] int line() const { return line_; }

private:
    int line_;
};

// `source` names the text in messages (a file name, or "<stdin>").
[[nodiscard]] nk::Plan parse_plan(std::string_view text, const std::string& source = "plan");
[[nodiscard]] nk::Plan read_plan_file(const std::filesystem::path& path);

// Text that parse_plan() reads back to the same plan.
[[nodiscard]] std::string write_plan(const nk::Plan& plan);
void write_plan_file(const std::filesystem::path& path, const nk::Plan& plan);

}  // namespace atl::ssi
