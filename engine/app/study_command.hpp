#pragma once
// `polarity study`: registers the subcommand and runs it.

#include <CLI/CLI.hpp>

#include <functional>

namespace polarity::app {

/// Adds `study` to `app`; the returned function runs it when it was chosen (exit code).
std::function<int()> add_study_command(CLI::App& app);

}  // namespace polarity::app
