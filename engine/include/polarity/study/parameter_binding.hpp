#pragma once
/// @file
/// Uncertain parameters bound to the numbers they vary. A study names each parameter by its
/// key path (`labs.deepseek.risk_appetite`); the path is resolved once per arm through the key
/// table (polarity/model/scenario_paths.hpp), and thereafter each run writes its sampled number
/// straight into its copy of the arm's scenario.

#include <string>

#include "polarity/model/scenario.hpp"
#include "polarity/model/scenario_paths.hpp"
#include "polarity/study/study.hpp"

namespace polarity::study {

/// Design points are kept this far from 0 and 1, and a parameter's support is taken as its
/// quantiles at this margin, so every value a run can draw lies within the support checked.
inline constexpr double kUnitMargin = 1e-9;

/// A parameter bound to one number of one arm's scenario.
struct ParameterBinding {
    std::string path;            ///< the parameter's key path, as the study file writes it
    model::NumberBinding number; ///< where it leads, the key's range
    double lowest = 0;           ///< the support the distribution can draw: quantile at kUnitMargin ...
    double highest = 0;          ///< ... and at 1 - kUnitMargin
};

/// Binds @p parameter's path in @p arm and checks that every value its distribution can draw is
/// one the key accepts.
/// @throws polarity::ConfigError (no file; the key path) if the path names no number a study
///         can vary, or the support leaves the key's range.
[[nodiscard]] ParameterBinding bind_parameter(const model::Scenario& arm, const UncertainParameter& parameter);

/// Writes @p value into the bound number of @p scenario (a copy of the bound arm's scenario).
void apply(const ParameterBinding& binding, model::Scenario& scenario, double value);

}  // namespace polarity::study
