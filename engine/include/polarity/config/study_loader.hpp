#pragma once
/// @file
/// Loads a study file (docs/studies.md) into a validated StudySpec. Errors are
/// polarity::ConfigError naming file, line, column and key path.

#include <string>
#include <vector>

#include "polarity/study/study.hpp"

namespace polarity::config {

/// `overrides` ("key.path=value", the command line's --set) apply to the base scenario of
/// every arm, after the study's own `set:`.
/// Whether `path` looks like a study file (a top-level `scenario:` key) rather than a scenario.
[[nodiscard]] bool is_study_file(const std::string& path);

[[nodiscard]] study::StudySpec load_study_file(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace polarity::config
