#include "discover_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace polarity::app {

namespace {

struct DiscoverOptions {
    std::string study, outcome = "unipolar", arm, output;
    double threshold = 0.8;
};

/// PRIM and CART live once, in Python (analysis/discovery.py); the command line only forwards.
/// POLARITY_PYTHON names another interpreter (default Debian's, which has numpy and sklearn);
/// POLARITY_ANALYSIS_DIR another folder holding the `analysis` package (default the source tree).
int run_discover(const DiscoverOptions& opt) {
    const char* python_env = std::getenv("POLARITY_PYTHON");
    const std::string python = python_env && *python_env ? python_env : "/usr/bin/python3";
    const char* dir_env = std::getenv("POLARITY_ANALYSIS_DIR");
    std::string path = dir_env && *dir_env ? dir_env : POLARITY_SOURCE_DIR;
    if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += std::string(":") + old;
    ::setenv("PYTHONPATH", path.c_str(), 1);

    std::vector<std::string> args = {python, "-m", "analysis", "discover", opt.study, "--outcome", opt.outcome,
                                     "--threshold", std::to_string(opt.threshold)};
    if (!opt.arm.empty()) args.insert(args.end(), {"--arm", opt.arm});
    if (!opt.output.empty()) args.insert(args.end(), {"-o", opt.output});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::cout.flush();
    ::execv(python.c_str(), argv.data());
    std::cerr << "error: cannot start " << python << " for `discover`: " << std::strerror(errno)
              << " (set POLARITY_PYTHON to an interpreter with numpy, xarray, h5netcdf and matplotlib)\n";
    return 1;
}

}  // namespace

std::function<int()> add_discover_command(CLI::App& app) {
    auto opt = std::make_shared<DiscoverOptions>();
    auto* cmd = app.add_subcommand(
        "discover", "Scenario discovery: the ranges of a study's uncertain inputs in which an outcome is likely "
                    "(PRIM boxes and a CART tree; runs python3 -m analysis discover)");
    cmd->add_option("study", opt->study, "Study file (.h5) written by `polarity study`")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--outcome", opt->outcome, "Outcome class to explain")->capture_default_str();
    cmd->add_option("--arm", opt->arm, "Only this arm's runs (default: every run)");
    cmd->add_option("--threshold", opt->threshold, "Density the chosen box should reach")->capture_default_str();
    cmd->add_option("-o,--output", opt->output, "Folder for discovery.txt and the figures (default: print only)");
    return [cmd, opt] { return *cmd ? run_discover(*opt) : -1; };
}

}  // namespace polarity::app
