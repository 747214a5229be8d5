#pragma once
/// @file
/// A number of a scenario found by its key path, as `--set` and study parameters name it:
/// `world.utilization`, `labs.deepseek.risk_appetite`,
/// `suppliers.huawei.skus.ascend_910c.price_usd`, `policy.rules.<rule name>.approval_rate`.
/// Maps are walked by key and lists by an entry's `name` or its index, through the key table
/// (scenario_keys.hpp), so every key the loader reads can be named and no other.
///
/// A path is resolved once, against a validated scenario; the binding then reaches the same
/// number in any copy of that scenario (same lists, same entries), which is how a study sets
/// each run's sampled values without reloading anything.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "polarity/model/key_range.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::model {

/// Where a key path leads, found once.
struct NumberBinding {
    std::string path;                          ///< as given: `labs.deepseek.risk_appetite`
    std::string key_path;                      ///< as the loader spells it: `labs[3].risk_appetite`
    keys::Range range = keys::Range::any();    ///< the values the key accepts
    std::optional<double> sentinel;            ///< one more accepted value outside the range (-1 = unlimited)
    std::function<double&(Scenario&)> at;      ///< the number in a copy of the bound scenario

    /// Whether @p x is a value the key accepts (its range, or its sentinel).
    [[nodiscard]] bool accepts(double x) const { return range.contains(x) || (sentinel && x == *sentinel); }
};

/// Resolves @p path in @p scenario to a floating-point key.
/// @throws polarity::ConfigError with no file and the walked key path if the path names no key,
///         no list entry, or a key that is not a number a study can vary (a section, a list, a
///         string, a switch, a date, an integer, or an optional threshold the scenario leaves
///         unset).
[[nodiscard]] NumberBinding bind_number(const Scenario& scenario, std::string_view path);

}  // namespace polarity::model
