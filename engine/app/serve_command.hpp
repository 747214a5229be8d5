#pragma once
// `polarity serve`: registers the subcommand and runs it.

#include <CLI/CLI.hpp>

#include <functional>

namespace polarity::app {

/// Adds `serve` to `app`; the returned function runs it when it was chosen (exit code), else -1.
std::function<int()> add_serve_command(CLI::App& app);

}  // namespace polarity::app
