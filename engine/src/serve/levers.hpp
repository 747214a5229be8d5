#pragma once
// The levers a class argues about, read off a preset: each names the scenario keys it sets and
// takes its unit, description and allowed range from the key table (scenario_keys.hpp), its
// starting value from the preset. Rules are switched off by name (rules_off in requests).

#include <string>
#include <vector>

#include "polarity/model/scenario.hpp"

namespace polarity::serve::detail {

enum class LeverKind { number, toggle };

struct Lever {
    std::string id;                  ///< stable name for the page ("enforcement")
    std::string label;               ///< what a student reads
    LeverKind kind = LeverKind::number;
    std::vector<std::string> paths;  ///< key paths it sets (a toggle may set several to one value)
    std::string unit, description;   ///< from the key table
    double low = 0, high = 0;        ///< the key's range (+-inf when unbounded)
    bool low_open = false, high_open = false;
    double slider_min = 0, slider_max = 1, step = 0.01;  ///< the span the page offers
    double value = 0;                ///< the preset's value (0 or 1 for a toggle)
};

/// One rule of the preset's policy, as a switch that is on unless named in rules_off.
struct RuleSwitch {
    std::string name;
    std::string summary;             ///< "deny to china, 2023-11 to 2024-12"
};

struct LeverSet {
    std::vector<Lever> levers;
    std::vector<RuleSwitch> rules;
    std::string rule_description;    ///< what switching a rule off means
};

/// The levers of @p scenario that it has (a preset without Huawei has no yield lever).
[[nodiscard]] LeverSet levers_for(const model::Scenario& scenario);

/// The overrides that take rule @p name out of force for the whole run: its start (and end)
/// moved past any horizon the playground runs.
[[nodiscard]] std::vector<std::string> rule_off_overrides(const std::string& name);

/// A step of 1, 2 or 5 times a power of ten, about a hundredth of @p span.
[[nodiscard]] double nice_step(double span);

}  // namespace polarity::serve::detail
