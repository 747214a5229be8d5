#pragma once
/// @file
/// Phase 1 of a month: which export rules, tool controls and remote-access switch are in
/// force, and what they mean for each (SKU, destination nation) pair.
///
/// Precedence: when several rules in force cover the same chip for the same destination, the
/// one that started last decides (ties: the later one in the file). That lets a newer, narrower
/// rule (e.g. "license H200 with a 25 % revenue share") carve an exception out of an older,
/// broader one, as the real timeline did. Sales inside the supplier's own nation are never
/// controlled.

#include <vector>

#include "polarity/model/world.hpp"

namespace polarity::model {

enum class Access : int { allow = 0, license = 1, deny = 2 };

/// What the regime says about one SKU going to one nation.
struct SkuAccess {
    Access access = Access::allow;
    int rule = -1;             ///< deciding rule, -1 when no rule covers it
    double enforcement = 0;    ///< effective enforcement of that rule, [0,1]
};

/// Static facts about the rules, computed once per run.
struct PolicyIndex {
    std::vector<std::vector<char>> covers;   ///< [rule][sku]: chip criteria and jurisdiction reach
    std::vector<std::vector<char>> reaches;  ///< [rule][nation]: destination list
};
[[nodiscard]] PolicyIndex build_policy_index(const World& world);

/// The regime in force in one month.
struct Regime {
    int nations = 0;
    std::vector<SkuAccess> access;            ///< [sku * nations + nation]
    std::vector<char> rule_in_force;          ///< [rule]
    double gray_enforcement = 0;              ///< strongest effective enforcement of a deny/licence rule
    bool remote_open = true;
    double remote_capacity_units = 0;         ///< per restricted nation per month
    std::vector<double> tool_growth_factor;   ///< [nation], product over tool controls in force
    std::vector<double> tool_yield_factor;    ///< [nation]
    std::vector<double> tool_yield_learning_factor;  ///< [nation]
    std::vector<double> tool_hbm_import_factor;      ///< [nation]

    [[nodiscard]] const SkuAccess& at(int sku, int nation) const {
        return access[static_cast<std::size_t>(sku * nations + nation)];
    }
};

/// Effective enforcement of a rule: rule strength x scenario scale x the controller's effort, in [0,1].
[[nodiscard]] double effective_enforcement(const World& world, const ExportRule& rule);

/// Phase 1: build the regime for month `serial`, then update each SKU's restriction latch and
/// each nation's cut-off flag (which drives domestic subsidies).
[[nodiscard]] Regime regime_in_force(World& world, const PolicyIndex& index, int serial);

/// Adaptive rules react to last month's lag of the rival bloc (in months): the controller
/// tightens below `tighten_below_lag_months` and loosens above `loosen_above_lag_months`
/// (industry revenue pressure). Effort stays in [0, 1 + the nation's enforcement capacity].
void apply_adaptive_rules(World& world, const std::vector<double>& last_lag_months);

/// True when a chip meets a rule's criteria (names, thresholds), ignoring jurisdiction.
[[nodiscard]] bool chip_matches(const ChipCriteria& criteria, const ChipSku& sku);

}  // namespace polarity::model
