#pragma once
/// @file
/// Loading a scenario from YAML into the plain structs of polarity/model/scenario.hpp.
///
/// The loader is the only place that validates a scenario: it checks key names (rejecting
/// unknown and duplicate keys), value types, ranges, uniqueness of names and every cross
/// reference (nation -> bloc, lab -> nation, rule -> SKU, ...). A scenario it returns can be
/// run without further checks. The format of each key is documented next to its struct member
/// in scenario.hpp; `schema_version: 1` is the only version this engine reads.
///
/// Every problem is reported as a polarity::ConfigError whose what() reads
/// "file:line:col: key.path: message", e.g.
/// "scenario.yaml:14:14: labs[2].nation: 'chna' is not a nation; did you mean 'china'?".
/// Lines and columns are 1-based; list indices in key paths are 0-based. Loading stops at the
/// first problem found.

#include <string>

#include "polarity/core/error.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::config {

/// Reads and validates the scenario file at @p path.
///
/// The returned scenario's `source_text` holds the file's text and `source_path` holds @p path,
/// so outputs can record exactly what was run.
/// @param path  file system path of a YAML scenario file
/// @throws polarity::ConfigError if the file cannot be read (line 0), is not valid YAML, or
///         does not describe a valid scenario. No other exception type escapes.
[[nodiscard]] model::Scenario load_scenario_file(const std::string& path);

/// Reads and validates a scenario from YAML text already in memory.
///
/// The returned scenario's `source_text` holds @p yaml_text; `source_path` is left empty.
/// @param yaml_text   the YAML document
/// @param file_label  the name used for the file in error messages (e.g. "<inline>")
/// @throws polarity::ConfigError if the text is not valid YAML or does not describe a valid
///         scenario. No other exception type escapes.
[[nodiscard]] model::Scenario load_scenario_text(const std::string& yaml_text,
                                                 const std::string& file_label);

}  // namespace polarity::config
