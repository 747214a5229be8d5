// The study designs beyond sampling distributions (full-factorial grids, Morris trajectories,
// user-supplied CSV designs) and the study's own outputs, end to end: the study file, the plan's
// points, bit-identity across thread counts, and resume after SIGKILL through the command line.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/summary.hpp"
#include "support/temp_dir.hpp"

using namespace polarity;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

/// A study of the minimal scenario (two years) with `body` appended (sampler, parameters, ...).
std::string study_text(const std::string& body) {
    return "schema_version: 1\nname: designs\nscenario: " POLARITY_TEST_DATA "/minimal.yaml\n"
           "set: {run.horizon_months: 24}\nseed: 5\nbatch_runs: 8\n" + body;
}

const std::string kFactorial = study_text(
    "sampler: full_factorial\nruns: 2\nparameters:\n"
    "  - {name: diffusion, path: algorithms.diffusion_per_month, choice: {values: [0.1, 0.02, 0.05]}}\n"
    "  - {name: threshold, path: world.powerful_ai_capability, choice: {values: [28, 29]}}\n");

const std::string kMorris = study_text(
    "sampler: morris\nruns: 6\nmorris_levels: 4\nparameters:\n"
    "  - {name: diffusion, path: algorithms.diffusion_per_month, uniform: [0.02, 0.2]}\n"
    "  - {name: threshold, path: world.powerful_ai_capability, uniform: [27.5, 29.5]}\n");

study::ScenarioResolver resolver_for(const study::StudySpec& spec) {
    return [path = spec.scenario_path](const std::vector<std::string>& o) { return config::load_scenario_file(path, o); };
}

study::StudyPlan plan_of(const study::StudySpec& spec, int runs = 0) {
    return study::plan_study(spec, resolver_for(spec), runs);
}

/// Every journal record of the study run with `threads` threads.
std::vector<double> records(const study::StudySpec& spec, const fs::path& journal_path, int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    const auto plan = plan_of(spec);
    study::Journal journal(journal_path, plan.fingerprint, plan.layout.size(), false, true);
    const std::size_t done = study::execute_study(plan, journal, {});
    std::vector<double> all;
    journal.read(0, done, all);
    journal.remove();
    return all;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int run_cli(const std::vector<std::string>& args) {
    const pid_t child = ::fork();
    if (child == 0) {
        std::vector<char*> argv{const_cast<char*>(POLARITY_CLI)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(POLARITY_CLI, argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Runs the study uninterrupted, and again killed with SIGKILL once its journal holds a few
/// batches and then resumed; the two study files must be byte for byte the same.
void require_resume_after_kill(const std::string& study, const fs::path& dir, const std::string& runs) {
    const fs::path a = dir / "a.h5", b = dir / "b.h5", journal = dir / "b.h5.journal";
    REQUIRE(run_cli({"study", study, "-o", a.string(), "--runs", runs, "--threads", "2", "-q"}) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::execl(POLARITY_CLI, POLARITY_CLI, "study", study.c_str(), "-o", b.c_str(), "--runs", runs.c_str(),
                "--threads", "1", "-q", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    bool killed = false;
    for (int i = 0; i < 200000 && !killed; ++i) {
        std::error_code ec;
        if (fs::file_size(journal, ec) > 20000 && !ec) {
            ::kill(child, SIGKILL);
            killed = true;
        } else {
            ::usleep(100);
        }
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(killed);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE_FALSE(fs::exists(b));
    REQUIRE(run_cli({"study", study, "-o", b.string(), "--runs", runs, "--threads", "2", "-q", "--resume"}) == 0);
    REQUIRE_FALSE(fs::exists(journal));
    REQUIRE(file_bytes(a) == file_bytes(b));
}

}  // namespace

TEST_CASE("full_factorial: every combination of the listed values, runs times", "[study][designs]") {
    TempDir dir("designs");
    const auto spec = config::load_study_file(dir.write("f.yaml", kFactorial));
    const auto plan = plan_of(spec);
    REQUIRE(plan.samples_per_arm == 12);
    const std::vector<std::pair<double, double>> grid = {{0.02, 28}, {0.02, 29}, {0.05, 28},
                                                         {0.05, 29}, {0.1, 28},  {0.1, 29}};
    for (std::size_t i = 0; i < 12; ++i) {
        CHECK(plan.values(i, 0) == grid[i % 6].first);
        CHECK(plan.values(i, 1) == grid[i % 6].second);
    }
    // Repetitions differ in their random draws (each sample its own run index).
    CHECK(study::scenario_for(plan, 0).run.run_index != study::scenario_for(plan, 6).run.run_index);
    CHECK(records(spec, dir.path / "j1", 1) == records(spec, dir.path / "j2", 2));

    CHECK_THAT(error_of([&] {
                   (void)config::load_study_file(dir.write("bad.yaml", study_text(
                       "sampler: full_factorial\nparameters:\n"
                       "  - {name: d, path: algorithms.diffusion_per_month, uniform: [0.02, 0.2]}\n")));
               }),
               Catch::Contains("bad.yaml:9:5") && Catch::Contains("choice: {values"));
    CHECK_THAT(error_of([&] {
                   (void)config::load_study_file(dir.write("bad2.yaml", study_text(
                       "sampler: full_factorial\nprecision: {halfwidth: 0.1}\nparameters:\n"
                       "  - {name: d, path: algorithms.diffusion_per_month, choice: {values: [0.1]}}\n")));
               }),
               Catch::Contains("full_factorial cannot"));
}

TEST_CASE("morris: trajectories of k + 1 runs and elementary effects in the summary", "[study][designs]") {
    TempDir dir("designs");
    const auto spec = config::load_study_file(dir.write("m.yaml", kMorris));
    const auto plan = plan_of(spec);
    REQUIRE(plan.samples_per_arm == 6 * 3);
    REQUIRE(plan.morris.trajectories == 6);
    // Every value is one of the four strata middles of its distribution.
    for (std::size_t i = 0; i < plan.samples_per_arm; ++i) {
        const double d = plan.values(i, 0);
        CHECK((d == Approx(0.02 + 0.18 * 0.125) || d == Approx(0.02 + 0.18 * 0.375) || d == Approx(0.02 + 0.18 * 0.625) ||
               d == Approx(0.02 + 0.18 * 0.875)));
    }
    const auto one = records(spec, dir.path / "j1", 1);
    CHECK(one == records(spec, dir.path / "j2", 2));

    study::Journal journal(dir.path / "j3", plan.fingerprint, plan.layout.size(), false, true);
    const std::size_t done = study::execute_study(plan, journal, {});
    const auto summary = study::summarize(plan, journal, done);
    CHECK(summary.method == "morris");
    REQUIRE(summary.arms[0].first_order.size() == study::sensitivity_outputs().size());
    for (std::size_t o = 0; o < summary.arms[0].first_order.size(); ++o)
        for (std::size_t j = 0; j < 2; ++j) {
            CHECK(summary.arms[0].first_order[o][j] >= std::abs(summary.arms[0].morris_mu[o][j]));  // mu* >= |mu|
            CHECK(summary.arms[0].total_order[o][j] >= 0);
        }
    CHECK_THAT(study::format_summary(plan, summary), Catch::Contains("Morris mu* / sigma"));
    journal.remove();
    CHECK_THAT(error_of([&] { (void)config::load_study_file(dir.write("bad.yaml", study_text("sampler: morris\nmorris_levels: 5\n"))); }),
               Catch::Contains("bad.yaml:8:16") && Catch::Contains("even"));
}

TEST_CASE("user design: the CSV's rows are the samples, errors point into the CSV", "[study][designs]") {
    TempDir dir("designs");
    dir.write("plan.csv", "# diffusion and the threshold, one run a line\n"
                          "diffusion, world.powerful_ai_capability\n0.05, 28.0\n0.12, 29.25\n\n0.2, 27.5\n");
    const auto spec = config::load_study_file(dir.write("u.yaml", study_text(
        "design_file: plan.csv\nparameters:\n  - {name: diffusion, path: algorithms.diffusion_per_month}\n")));
    REQUIRE(spec.sampler == study::Sampler::user);
    REQUIRE(spec.parameters.size() == 2);
    CHECK(spec.parameters[1].path == "world.powerful_ai_capability");
    const auto plan = plan_of(spec);
    REQUIRE(plan.samples_per_arm == 3);
    const std::vector<std::vector<double>> rows = {{0.05, 28.0}, {0.12, 29.25}, {0.2, 27.5}};
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 2; ++j) CHECK(plan.values(i, j) == rows[i][j]);
    CHECK(study::scenario_for(plan, 1).world.powerful_ai_capability == 29.25);
    CHECK(plan_of(spec, 2).samples_per_arm == 2);  // --runs takes the first rows
    CHECK_THROWS_AS(plan_of(spec, 4), polarity::StudyError);
    CHECK(records(spec, dir.path / "j1", 1) == records(spec, dir.path / "j2", 2));

    dir.write("bad.csv", "diffusion\n0.05\n0.1x\n");
    CHECK_THAT(error_of([&] { (void)config::load_study_file(dir.write("b.yaml", study_text("design_file: bad.csv\n"))); }),
               Catch::Contains("bad.csv:3:1") && Catch::Contains("'0.1x'"));
    dir.write("range.csv", "algorithms.diffusion_per_month\n0.05\n-3\n");
    const auto out_of_range = config::load_study_file(dir.write("r.yaml", study_text("design_file: range.csv\n")));
    CHECK_THAT(error_of([&] { (void)plan_of(out_of_range); }), Catch::Contains("range.csv:1:1"));
    CHECK_THAT(error_of([&] {
                   (void)config::load_study_file(dir.write("m.yaml", study_text(
                       "design_file: plan.csv\nparameters:\n  - {name: other, path: algorithms.diffusion_per_month}\n")));
               }),
               Catch::Contains("m.yaml:9:") && Catch::Contains("no column"));
}

TEST_CASE("a study's own outputs: a series at a date, validated, with percentiles", "[study][outputs]") {
    TempDir dir("designs");
    const std::string outputs =
        "outputs:\n"
        "  - {name: china_share_2024_06, series: bloc_effective_compute_share, entity: china, date: 2024-06}\n"
        "  - {name: poles_2023_12, series: effective_poles, date: 2023-12}\n";
    const auto spec = config::load_study_file(dir.write("o.yaml", kMorris + outputs));
    const auto plan = plan_of(spec);
    REQUIRE(plan.layout.study_outputs.size() == 2);
    CHECK(plan.layout.study_outputs[0].month == 17);
    CHECK(plan.layout.study_outputs[1].month == 11);

    // The recorded value is the series' value that month, read off a fresh run of the scenario.
    const auto record = study::run_one(plan, 4);
    const model::Scenario scenario = study::scenario_for(plan, 4);  // the simulation keeps a reference
    model::Simulation sim(scenario);
    std::vector<double> v;
    for (int m = 0; m <= 17; ++m) {
        sim.advance();
        if (m == 11) {
            sim.read_series(model::series_index("effective_poles"), v);
            CHECK(record[plan.layout.study_output(1)] == v[0]);
        }
    }
    sim.read_series(model::series_index("bloc_effective_compute_share"), v);
    CHECK(record[plan.layout.study_output(0)] == v[1]);  // china is the second bloc

    study::Journal journal(dir.path / "j", plan.fingerprint, plan.layout.size(), false, true);
    const std::size_t done = study::execute_study(plan, journal, {});
    const auto summary = study::summarize(plan, journal, done);
    const auto names = study::percentile_output_names(plan);
    REQUIRE(names.back() == "poles_2023_12");
    REQUIRE(summary.arms[0].percentiles.size() == names.size());
    REQUIRE(summary.arms[0].first_order.size() == study::sensitivity_output_names(plan).size());
    const auto& p = summary.arms[0].percentiles.back();
    CHECK(p[0] <= p[2]);
    CHECK(p[2] <= p[4]);
    CHECK_THAT(study::format_summary(plan, summary), Catch::Contains("china_share_2024_06"));
    journal.remove();

    const auto bad = [&](const std::string& entry) {
        return error_of([&] { (void)plan_of(config::load_study_file(dir.write("bad.yaml", kMorris + "outputs:\n  - " + entry + "\n"))); });
    };
    CHECK_THAT(bad("{name: x, series: no_such_series, date: 2024-01}"),
               Catch::Contains("bad.yaml:14:23") && Catch::Contains("not a recorded series"));
    CHECK_THAT(bad("{name: x, series: effective_poles, date: 2025-01}"),
               Catch::Contains("bad.yaml:14:5") && Catch::Contains("outside the run (2023-01 to 2024-12)"));
    CHECK_THAT(bad("{name: x, series: bloc_lag_months, entity: mars, date: 2024-01}"),
               Catch::Contains("'mars' is not a bloc") && Catch::Contains("china"));
    CHECK_THAT(bad("{name: x, series: bloc_lag_months, date: 2024-01}"), Catch::Contains("entity"));
    CHECK_THAT(bad("{name: outcome, series: effective_poles, date: 2024-01}"), Catch::Contains("already a per-run output"));
}

TEST_CASE("each new design resumes after SIGKILL to the same study file", "[study][designs][cli]") {
    TempDir dir("designs");
    SECTION("full_factorial") {
        require_resume_after_kill(dir.write("f.yaml", kFactorial), dir.path, "40");
    }
    SECTION("morris") {
        require_resume_after_kill(dir.write("m.yaml", kMorris), dir.path, "160");
    }
    SECTION("user") {
        std::string csv = "diffusion,threshold\n";
        for (int i = 0; i < 480; ++i)
            csv += std::to_string(0.02 + 0.18 * ((i * 37) % 480) / 480.0) + "," + std::to_string(27.5 + (i % 9) * 0.25) + "\n";
        dir.write("plan.csv", csv);
        require_resume_after_kill(
            dir.write("u.yaml", study_text("design_file: plan.csv\nparameters:\n"
                                           "  - {name: diffusion, path: algorithms.diffusion_per_month}\n"
                                           "  - {name: threshold, path: world.powerful_ai_capability}\n")),
            dir.path, "480");
    }
}
