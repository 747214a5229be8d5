#pragma once
/// @file
/// Fast application of sampled values to a scenario. A study names uncertain parameters by
/// their YAML key path (`labs.deepseek.risk_appetite`); resolving the path goes through the
/// scenario loader once (so names, list entries and validation are the loader's own), and
/// thereafter each run writes the sampled number straight into its copy of the scenario.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "polarity/model/scenario.hpp"

namespace polarity::study {

/// Every floating-point input of a scenario, in a fixed order (the order of the structs).
[[nodiscard]] std::vector<double*> numeric_fields(model::Scenario& scenario);

/// Where a key path landed among numeric_fields().
struct ParameterBinding {
    std::string path;
    std::size_t field = 0;
};

/// Finds the field a key path sets: `resolve(value)` must return the scenario with the path set
/// to `value` (through the loader, with all its validation); the binding is the one field that
/// follows two distinct probe values. Throws std::invalid_argument when no single number field
/// does (the path names a list, a string, an integer or a switch).
[[nodiscard]] ParameterBinding bind_parameter(const std::string& path, double probe_a, double probe_b,
                                              const std::function<model::Scenario(double)>& resolve);

/// Writes `value` into the bound field of `scenario`.
void apply(const ParameterBinding& binding, model::Scenario& scenario, double value);

}  // namespace polarity::study
