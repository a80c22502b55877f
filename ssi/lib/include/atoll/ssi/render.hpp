// A plan (and the machine it is for) as text for people and as JSON for
// tools. Both include the host kernel parameters that reserve the pool.
#pragma once

#include <string>
#include <vector>

#include "atoll/nk/plan.hpp"
#include "atoll/nk/plan_rules.hpp"
#include "atoll/nk/topology.hpp"

namespace atl::ssi {

// One memmap=SIZE$ADDRESS per pool range: Linux then treats the range as
// reserved, so the host never uses the pool (the lagoon lies inside it).
// This is how the box reserves them at the host's boot.
[[nodiscard]] std::vector<std::string> host_kernel_params(const nk::Topology& topo, const nk::Plan& plan);

[[nodiscard]] std::string render_machine_text(const nk::Topology& topo);
[[nodiscard]] std::string render_plan_text(const nk::Topology& topo, const nk::Plan& plan);
[[nodiscard]] std::string render_refusals_text(const nk::Refusals& refusals);

// One JSON object: {"machine": ..., "plan": ..., "host_kernel_parameters": [...]}.
// Addresses are "0x..." strings (JSON numbers lose precision past 2^53);
// sizes are byte counts.
[[nodiscard]] std::string render_plan_json(const nk::Topology& topo, const nk::Plan& plan);
// {"valid": false, "refusals": [{"rule": "...", "message": "..."}], "dropped": N}
[[nodiscard]] std::string render_refusals_json(const nk::Refusals& refusals);
// {"error": "..."} for a planner refusal or a failure.
[[nodiscard]] std::string render_error_json(const std::string& message);

// A JSON string literal with its quotes.
[[nodiscard]] std::string json_string(std::string_view s);

}  // namespace atl::ssi
