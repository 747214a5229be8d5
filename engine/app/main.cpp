// polarity: the command line. Parses arguments, loads and validates the scenario, runs it and
// writes the HDF5 file; everything else lives in the engine library.

#include <CLI/CLI.hpp>
#include <tbb/global_control.h>

#include <algorithm>
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
#include "lifecycle.hpp"
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
    if (polarity::config::is_study_file(opt.scenario)) {
        throw polarity::ConfigError(opt.scenario, 0, 0, "",
                                    "this is a study file (it names a `scenario:`); run it with "
                                    "`polarity study " + opt.scenario + "`");
    }
    // --seed is one more override, so the provenance copy of the scenario shows the seed run.
    std::vector<std::string> sets = opt.sets;
    if (opt.seed) sets.push_back("run.seed=" + std::to_string(*opt.seed));
    const polarity::model::Scenario scenario = polarity::config::load_scenario_file(opt.scenario, sets);
    std::filesystem::path out = opt.output;
    if (out.empty()) out = std::filesystem::path("out") / (std::filesystem::path(opt.scenario).stem().string() + ".h5");
    if (std::filesystem::exists(out) && !opt.force)
        throw polarity::IoError(out.string() + ": the file exists; pass --force to overwrite it");
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    polarity::app::report_stale_temp_files(out);

    std::optional<tbb::global_control> limit;
    if (opt.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(opt.threads));

    polarity::io::Hdf5Recorder recorder(out, opt.force);
    polarity::model::Simulation sim(scenario);
    const auto header = sim.header();
    polarity::model::CalibrationProbe probe(scenario);
    const auto observe = [&](const polarity::model::Simulation& s) {
        polarity::app::check_interrupted();  // between months; the recorder then discards its file
        probe.observe(s.world(), s.last_metrics());
        if (s.finished()) recorder.record_calibration(polarity::model::calibration_table(probe.results()));
    };
    polarity::model::Outcome outcome;
    try {
        outcome = polarity::model::run_scenario(scenario, recorder, observe);
    } catch (const polarity::Interrupted& e) {
        throw polarity::Interrupted(std::string(e.what()) + "; nothing was written");
    }
    if (!opt.quiet) std::cout << polarity::io::format_summary(header, outcome);
    if (!opt.quiet && !scenario.calibration.empty())
        std::cout << "\n" << polarity::model::format_calibration(probe.results());
    std::cout << "Wrote " << out.string() << "\n";
    return 0;
}

int validate_command(const std::vector<std::string>& files, const std::vector<std::string>& sets) {
    // Every file is checked even when an earlier one fails; the exit code is the worst one.
    int worst = polarity::app::kOk;
    for (const auto& f : files) {
        try {
            if (polarity::config::is_study_file(f)) {
                // A study is valid when its arms resolve, every parameter binds in every arm and
                // no combination of the parameters' ranges breaks a rule of the scenario.
                const auto spec = polarity::config::load_study_file(f, sets);
                polarity::study::StudyPlan plan;
                try {
                    plan = polarity::study::plan_arms(
                        spec, [&](const std::vector<std::string>& o) { return polarity::config::load_scenario_file(spec.scenario_path, o); });
                } catch (const polarity::StudyError& e) {
                    throw polarity::ConfigError(f, 0, 0, "", e.what());
                }
                const auto breaches = polarity::study::corner_breaches(plan);
                for (const auto& b : breaches) std::cerr << polarity::study::format_breach(spec, b);
                if (!breaches.empty()) {
                    worst = std::max(worst, static_cast<int>(polarity::app::kBadInput));
                    continue;
                }
                std::cout << f << ": ok (study)\n";
            } else {
                (void)polarity::config::load_scenario_file(f, sets);
                std::cout << f << ": ok\n";
            }
        } catch (...) {
            const int code = polarity::app::report_current_exception();
            if (code == polarity::app::kInterrupted) return code;
            worst = std::max(worst, code);
        }
    }
    return worst;
}

int show_command(const std::string& file, const std::vector<std::string>& sets) {
    std::cout << polarity::config::write_scenario_yaml(polarity::config::load_scenario_file(file, sets));
    return 0;
}


/// The subcommand nearest to a mistyped one, for "did you mean".
std::string nearest_command(const std::string& word, const std::vector<std::string>& commands) {
    std::string best;
    std::size_t best_distance = 3;  // at most two edits
    for (const auto& c : commands) {
        // Levenshtein distance over the two short words.
        std::vector<std::size_t> row(c.size() + 1);
        for (std::size_t j = 0; j <= c.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= word.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= c.size(); ++j) {
                const std::size_t up = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (word[i - 1] == c[j - 1] ? 0 : 1)});
                diagonal = up;
            }
        }
        if (row[c.size()] < best_distance) best = c, best_distance = row[c.size()];
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    polarity::io::skip_hdf5_teardown_at_exit();
    namespace app_ns = polarity::app;
    CLI::App app{"Polarity: do AI-chip export controls leave the world unipolar or bipolar?"};
    app.set_version_flag("--version", std::string("polarity ") + POLARITY_VERSION + " (git " + POLARITY_GIT_SHA + ")");
    app.footer("Exit codes: 0 ok, 2 bad input, 3 I/O failure, 4 internal error, 130 interrupted (docs/cli.md).");

    RunOptions run;
    auto* run_cmd = app.add_subcommand("run", "Run one scenario, print the outcome and write an HDF5 file");
    run_cmd->add_option("scenario", run.scenario, "Scenario YAML file")->required();
    run_cmd->add_option("-o,--output", run.output, "HDF5 file to write (default: out/<scenario>.h5)");
    run_cmd->add_option("--threads", run.threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(CLI::Range(1, 1024));
    run_cmd->add_flag("--force", run.force, "Overwrite the output file if it exists");
    run_cmd->add_option("--seed", run.seed, "Override run.seed from the scenario");
    run_cmd->add_flag("-q,--quiet", run.quiet, "Print only where the output went");
    add_set_option(run_cmd, run.sets);

    std::vector<std::string> files;
    auto* validate_cmd = app.add_subcommand("validate", "Check scenario and study files without running them");
    validate_cmd->add_option("files", files, "Scenario or study YAML files")->required();
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

    const auto study = app_ns::add_study_command(app);
    const auto merge = app_ns::add_merge_command(app);
    const auto discover = app_ns::add_discover_command(app);
    const auto serve = app_ns::add_serve_command(app);

    // A mistyped subcommand would otherwise read as a stray argument.
    const std::vector<std::string> commands = {"run", "validate", "show", "schema", "study", "merge", "discover", "serve"};
    if (argc > 1 && argv[1][0] != '-' &&
        std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
        std::cerr << "error: unknown command '" << polarity::printable(argv[1]) << "'";
        if (const auto near = nearest_command(argv[1], commands); !near.empty())
            std::cerr << "; did you mean '" << near << "'?";
        std::cerr << " (commands: run, validate, show, schema, study, merge, discover, serve; see polarity --help)\n";
        return app_ns::kBadInput;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are successes; every other parse error is bad input.
        const int code = app.exit(e);
        return code == 0 ? app_ns::kOk : app_ns::kBadInput;
    }
    if (app.get_subcommands().empty()) {
        std::cerr << app.help() << "\nerror: a command is required\n";
        return app_ns::kBadInput;
    }
    app_ns::install_signal_handlers();
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
            return app_ns::kOk;
        }
    } catch (...) {
        return app_ns::report_current_exception();
    }
    return app_ns::kOk;
}
