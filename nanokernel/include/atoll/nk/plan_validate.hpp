// Whole-plan validation: every rule of plan_rules.hpp is checked against
// the machine's Topology before anything is applied, with no side effect
// but the refusal list. The only way to obtain a ValidatedPlan is
// validate_plan() returning ok; code that applies a plan takes a
// ValidatedPlan, so an unchecked Plan cannot be applied by mistake.
#pragma once

#include "atoll/core/result.hpp"
#include "atoll/nk/plan.hpp"
#include "atoll/nk/plan_rules.hpp"
#include "atoll/nk/topology.hpp"

namespace atl::nk {

class ValidatedPlan;

// Checks every rule; fills `refusals` (cleared first). On success `out`
// holds a copy of `plan`; on failure `out` is emptied and the result is
// Error::invalid_argument. `out` is a parameter rather than a return
// value because a plan is a few KiB: the kernel keeps it off the stack.
[[nodiscard]] Status validate_plan(const Topology& topo, const Plan& plan, Refusals& refusals,
                                   ValidatedPlan& out);

// The same checks without the copy, for callers that only report.
[[nodiscard]] bool check_plan(const Topology& topo, const Plan& plan, Refusals& refusals);

// A plan that passed every rule against the topology it was checked with.
// Only validate_plan() fills one; a default one is empty (no partitions,
// no pool, no lagoon) and applies nothing.
class ValidatedPlan {
public:
    ValidatedPlan() = default;

    [[nodiscard]] const Plan& plan() const { return plan_; }
    [[nodiscard]] bool empty() const { return plan_.partition_count == 0; }

private:
    friend Status validate_plan(const Topology&, const Plan&, Refusals&, ValidatedPlan&);

    Plan plan_{};
};

}  // namespace atl::nk
