#pragma once
/// @file
/// Loading a scenario from YAML into the plain structs of polarity/model/scenario.hpp.
///
/// The loader is the only place that validates a scenario: it checks key names (rejecting
/// unknown and duplicate keys), value types, ranges, uniqueness of names and every cross
/// reference (nation -> bloc, lab -> nation, rule -> SKU, ...). A scenario it returns can be
/// run without further checks. The format of each key is documented next to its struct member
/// in scenario.hpp and in docs/scenarios.md; `schema_version: 1` is the only version this
/// engine reads.
///
/// Composition happens before validation:
/// - `extends: parent.yaml` at the top level of a file (path relative to that file) merges the
///   file over its parent, recursively: maps merge key by key (the extending file wins), lists
///   and scalars replace. Cycles are errors.
/// - Overrides "key.path=value" (the command line's `--set`) are applied next, in order. The
///   path walks maps by key and lists by index or by an entry's `name`; the value is YAML and
///   replaces whatever was at the path.
///
/// Every problem is reported as a polarity::ConfigError whose what() reads
/// "file:line:col: key.path: message", e.g.
/// "scenario.yaml:14:14: labs[2].nation: 'chna' is not a nation; did you mean 'china'?".
/// The file is the one that wrote the offending text: a parent for an inherited value, and
/// "--set <assignment>" for a value given by an override. Lines and columns are 1-based; list
/// indices in key paths are 0-based. Loading stops at the first problem found.

#include <string>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::config {

/// Reads and validates the scenario file at @p path.
///
/// `source_path` is set to @p path. `source_text` holds the file's text, or, if the file
/// extends another or @p overrides is not empty, the resolved scenario as written by
/// write_scenario_yaml(), so that outputs record a self-contained copy of what was run.
/// @param path       file system path of a YAML scenario file
/// @param overrides  "key.path=value" assignments applied after `extends`
/// @throws polarity::ConfigError if a file cannot be read (line 0), is not valid YAML, an
///         override is malformed, or the result does not describe a valid scenario. No other
///         exception type escapes.
[[nodiscard]] model::Scenario load_scenario_file(const std::string& path,
                                                 const std::vector<std::string>& overrides = {});

/// Reads and validates a scenario from YAML text already in memory.
///
/// As load_scenario_file(), but `source_path` is left empty and a relative `extends` is taken
/// relative to the directory part of @p file_label (the working directory if it has none).
/// @param yaml_text   the YAML document
/// @param file_label  the name used for the file in error messages (e.g. "<inline>")
/// @param overrides   "key.path=value" assignments applied after `extends`
/// @throws polarity::ConfigError as load_scenario_file().
[[nodiscard]] model::Scenario load_scenario_text(const std::string& yaml_text,
                                                 const std::string& file_label,
                                                 const std::vector<std::string>& overrides = {});

}  // namespace polarity::config
