#pragma once
// `polarity discover`: scenario discovery on a study file, by the analysis package's PRIM and CART.

#include <CLI/CLI.hpp>

#include <functional>

namespace polarity::app {

/// Adds `discover` to `app`; the returned function runs it when it was chosen, else returns -1.
/// It replaces this process with `python3 -m analysis discover ...` (the analysis package of the
/// source tree the engine was built from), so it returns only when that cannot start (exit code 1).
std::function<int()> add_discover_command(CLI::App& app);

}  // namespace polarity::app
