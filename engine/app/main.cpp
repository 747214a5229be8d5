// polarity: the command line. Parses arguments, loads and validates the scenario, runs it and
// writes the HDF5 file; everything else lives in the engine library.

#include <CLI/CLI.hpp>
#include <tbb/global_control.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/scenario_schema.hpp"
#include "polarity/config/scenario_writer.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/sample_rules.hpp"
#include "polarity/io/hdf5_recorder.hpp"
#include "polarity/io/summary.hpp"
#include "polarity/model/calibration.hpp"
#include "polarity/model/simulation.hpp"
#include "discover_command.hpp"
#include "merge_command.hpp"
#include "serve_command.hpp"
#include "study_command.hpp"

namespace {

struct RunOptions {
    std::string scenario;
    std::string output;
    int threads = 0;
    bool force = false;
    bool quiet = false;
    std::optional<std::uint64_t> seed;
    std::vector<std::string> sets;
};

/// `--set key.path=value`, repeatable; each occurrence takes exactly one value, so that
/// `validate --set a=1 x.yaml` leaves x.yaml to the file list.
void add_set_option(CLI::App* cmd, std::vector<std::string>& sets) {
    cmd->add_option("--set", sets,
                    "Override a scenario key after `extends`: key.path=value, the value in YAML; "
                    "lists by index or entry name (labs.deepseek.risk_appetite=0.2); repeatable")
        ->allow_extra_args(false);
}

int run_command(const RunOptions& opt) {
    // --seed is one more override, so the provenance copy of the scenario shows the seed run.
    std::vector<std::string> sets = opt.sets;
    if (opt.seed) sets.push_back("run.seed=" + std::to_string(*opt.seed));
    const polarity::model::Scenario scenario = polarity::config::load_scenario_file(opt.scenario, sets);
    std::filesystem::path out = opt.output;
    if (out.empty()) out = std::filesystem::path("out") / (std::filesystem::path(opt.scenario).stem().string() + ".h5");
    if (std::filesystem::exists(out) && !opt.force)
        throw polarity::IoError(out.string() + ": the file exists; pass --force to overwrite it");
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());

    std::optional<tbb::global_control> limit;
    if (opt.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(opt.threads));

    polarity::io::Hdf5Recorder recorder(out, opt.force);
    polarity::model::Simulation sim(scenario);
    const auto header = sim.header();
    polarity::model::CalibrationProbe probe(scenario);
    const auto outcome = polarity::model::run_scenario(
        scenario, recorder, [&](const polarity::model::Simulation& s) { probe.observe(s.world(), s.last_metrics()); });
    if (!opt.quiet) std::cout << polarity::io::format_summary(header, outcome);
    if (!opt.quiet && !scenario.calibration.empty())
        std::cout << "\n" << polarity::model::format_calibration(probe.results());
    std::cout << "Wrote " << out.string() << "\n";
    return 0;
}

int validate_command(const std::vector<std::string>& files, const std::vector<std::string>& sets) {
    int bad = 0;
    for (const auto& f : files) {
        try {
            if (polarity::config::is_study_file(f)) {
                // A study is valid when its arms resolve, every parameter binds in every arm and
                // no combination of the parameters' ranges breaks a rule of the scenario.
                const auto spec = polarity::config::load_study_file(f, sets);
                const auto plan = polarity::study::plan_arms(
                    spec, [&](const std::vector<std::string>& o) { return polarity::config::load_scenario_file(spec.scenario_path, o); });
                const auto breaches = polarity::study::corner_breaches(plan);
                for (const auto& b : breaches) std::cerr << polarity::study::format_breach(spec, b);
                if (!breaches.empty()) {
                    ++bad;
                    continue;
                }
                std::cout << f << ": ok (study)\n";
            } else {
                (void)polarity::config::load_scenario_file(f, sets);
                std::cout << f << ": ok\n";
            }
        } catch (const polarity::ConfigError& e) {
            std::cerr << e.what() << "\n";
            ++bad;
        }
    }
    return bad == 0 ? 0 : 2;
}

int show_command(const std::string& file, const std::vector<std::string>& sets) {
    std::cout << polarity::config::write_scenario_yaml(polarity::config::load_scenario_file(file, sets));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Polarity: do AI-chip export controls leave the world unipolar or bipolar?"};
    app.require_subcommand(1);

    RunOptions run;
    auto* run_cmd = app.add_subcommand("run", "Run one scenario, print the outcome and write an HDF5 file");
    run_cmd->add_option("scenario", run.scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
    run_cmd->add_option("-o,--output", run.output, "HDF5 file to write (default: out/<scenario>.h5)");
    run_cmd->add_option("--threads", run.threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(CLI::PositiveNumber);
    run_cmd->add_flag("--force", run.force, "Overwrite the output file if it exists");
    run_cmd->add_option("--seed", run.seed, "Override run.seed from the scenario");
    run_cmd->add_flag("-q,--quiet", run.quiet, "Print only where the output went");
    add_set_option(run_cmd, run.sets);

    std::vector<std::string> files;
    auto* validate_cmd = app.add_subcommand("validate", "Check scenario files without running them");
    validate_cmd->add_option("files", files, "Scenario YAML files")->required();
    std::vector<std::string> validate_sets;
    add_set_option(validate_cmd, validate_sets);

    std::string show_file;
    std::vector<std::string> show_sets;
    auto* show_cmd = app.add_subcommand(
        "show", "Print the resolved scenario (extends and --set applied, every default written out) as YAML");
    show_cmd->add_option("scenario", show_file, "Scenario YAML file")->required();
    add_set_option(show_cmd, show_sets);

    bool markdown = false;
    auto* schema_cmd = app.add_subcommand("schema", "Print the JSON Schema of scenario files (scenarios/schema.json)");
    schema_cmd->add_flag("--markdown", markdown, "Print the key reference of docs/scenarios.md instead");

    const auto study = polarity::app::add_study_command(app);
    const auto merge = polarity::app::add_merge_command(app);
    const auto discover = polarity::app::add_discover_command(app);
    const auto serve = polarity::app::add_serve_command(app);

    CLI11_PARSE(app, argc, argv);
    try {
        if (const int code = study(); code >= 0) return code;
        if (const int code = merge(); code >= 0) return code;
        if (const int code = discover(); code >= 0) return code;
        if (const int code = serve(); code >= 0) return code;
        if (*run_cmd) return run_command(run);
        if (*validate_cmd) return validate_command(files, validate_sets);
        if (*show_cmd) return show_command(show_file, show_sets);
        if (*schema_cmd) {
            std::cout << (markdown ? polarity::config::scenario_key_reference()
                                   : polarity::config::scenario_json_schema());
            return 0;
        }
    } catch (const polarity::ConfigError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
