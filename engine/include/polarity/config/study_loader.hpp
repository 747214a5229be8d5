#pragma once
/// @file
/// Loads a study file (docs/studies.md) into a validated StudySpec. Errors are
/// polarity::ConfigError naming file, line, column and key path.

#include <string>
#include <vector>

#include "polarity/study/study.hpp"

namespace polarity::config {

/// Whether `path` looks like a study file (a top-level `scenario:` key) rather than a scenario.
/// Never throws: anything unreadable or not YAML is "no".
[[nodiscard]] bool is_study_file(const std::string& path);

/// Loads and validates the study file at @p path. `overrides` ("key.path=value", the command
/// line's --set) apply to the base scenario of every arm, after the study's own `set:`.
/// @throws polarity::ConfigError naming file, line, column and key path (line 0 when the file
///         cannot be read).
[[nodiscard]] study::StudySpec load_study_file(const std::string& path, const std::vector<std::string>& overrides = {});

/// Why @p spec cannot run @p runs_per_arm runs per arm ("" if it can): more runs in all than
/// limits::kMaxStudyRuns, or too few for the sensitivity analysis of its parameters (PRCC
/// needs parameters + 2 runs per arm, Saltelli at least 2 base samples). Checked before any
/// run starts, so a study never fails at its end.
[[nodiscard]] std::string study_runs_problem(const study::StudySpec& spec, int runs_per_arm);

}  // namespace polarity::config
