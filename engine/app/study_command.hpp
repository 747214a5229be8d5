#pragma once
// `polarity study`: registers the subcommand and runs it.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>

#include "polarity/study/journal.hpp"
#include "polarity/study/runner.hpp"

namespace polarity::app {

/// Adds `study` to `app`; the returned function runs it when it was chosen (exit code).
std::function<int()> add_study_command(CLI::App& app);

/// Summarises a finished study from its journal, writes the study file `out` (and the full
/// series runs it asks for), deletes the journal and prints the summary.
void publish_study(const study::StudyPlan& plan, study::Journal& journal, std::size_t done,
                   const std::filesystem::path& out, bool force);

/// Reads the study's base scenario with overrides (the config edge for the study core).
study::ScenarioResolver resolver_for(const study::StudySpec& spec);

}  // namespace polarity::app
