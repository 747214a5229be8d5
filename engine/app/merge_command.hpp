#pragma once
// `polarity merge`: joins the shards of a study (polarity study --shard K/N) into its study file.

#include <CLI/CLI.hpp>

#include <functional>

namespace polarity::app {

/// Adds `merge` to `app`; the returned function runs it when it was chosen (exit code), else -1.
std::function<int()> add_merge_command(CLI::App& app);

}  // namespace polarity::app
