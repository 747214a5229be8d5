#pragma once
/// @file
/// Writing a scenario back out as YAML (what `polarity show` prints).

#include <string>

#include "polarity/model/scenario.hpp"

namespace polarity::config {

/// The scenario as a YAML document: every key, defaults included, in the order of the key
/// reference (docs/scenarios.md). Loading the text gives back an equal scenario: numbers are
/// written in their shortest form that reads back exactly, and strings that YAML would read as
/// another type ("true", "1e5", "") are quoted. `source_text` and `source_path` are not
/// written (they are not scenario keys).
[[nodiscard]] std::string write_scenario_yaml(const model::Scenario& scenario);

}  // namespace polarity::config
