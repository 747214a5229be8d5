#include "merge_command.hpp"

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/study/journal.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/shards.hpp"
#include "study_command.hpp"

namespace polarity::app {

namespace {

struct MergeOptions {
    std::string study;
    std::vector<std::string> shards;
    std::string output;
    int runs = 0;
    bool force = false;
    std::vector<std::string> sets;
};

int run_merge(const MergeOptions& opt) {
    namespace fs = std::filesystem;
    const study::StudySpec spec = config::load_study_file(opt.study, opt.sets);
    fs::path out = opt.output;
    if (out.empty()) out = fs::path("out") / (fs::path(opt.study).stem().string() + ".h5");
    if (fs::exists(out) && !opt.force) throw IoError(out.string() + ": the file exists; pass --force to overwrite it");
    const study::StudyPlan plan = study::plan_study(spec, resolver_for(spec), opt.runs);

    // The merged journal is scratch: built from the shards, removed once the study file is out.
    study::Journal journal(out.string() + ".merge-journal", plan.fingerprint, plan.layout.size(), false, true);
    std::size_t done = 0;
    try {
        done = study::merge_shards(plan, std::vector<fs::path>(opt.shards.begin(), opt.shards.end()), journal);
    } catch (...) {
        journal.remove();
        throw;
    }
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    publish_study(plan, journal, done, out, opt.force);
    std::cout << "\nMerged " << opt.shards.size() << " shards (" << done << " runs)\nWrote " << out.string() << "\n";
    return 0;
}

}  // namespace

std::function<int()> add_merge_command(CLI::App& app) {
    auto opt = std::make_shared<MergeOptions>();
    auto* cmd = app.add_subcommand("merge", "Join the shards of a study (polarity study --shard K/N) into its study file");
    cmd->add_option("study", opt->study, "Study YAML file the shards were run from")->required()->check(CLI::ExistingFile);
    cmd->add_option("shards", opt->shards, "Shard files, one per K of the split, in any order")->required();
    cmd->add_option("-o,--output", opt->output, "HDF5 file to write (default: out/<study>.h5)");
    cmd->add_option("--runs", opt->runs, "Runs per arm, as given to the shards")->check(CLI::PositiveNumber);
    cmd->add_option("--set", opt->sets, "Base-scenario overrides, as given to the shards (repeatable)");
    cmd->add_flag("--force", opt->force, "Overwrite the output file");
    return [cmd, opt]() -> int { return *cmd ? run_merge(*opt) : -1; };
}

}  // namespace polarity::app
