// The study runner end to end: determinism over thread counts, resume after interruption,
// precision stopping, and clear errors for bad study files.
#include <catch2/catch.hpp>

#include <tbb/global_control.h>
#include <unistd.h>

#include <filesystem>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/summary.hpp"
#include "support/temp_dir.hpp"

using namespace polarity;
namespace fs = std::filesystem;

namespace {

const std::string small = POLARITY_TEST_DATA "/studies/small.yaml";

using test::TempDir;

study::ScenarioResolver resolver_for(const study::StudySpec& spec) {
    return [path = spec.scenario_path](const std::vector<std::string>& o) { return config::load_scenario_file(path, o); };
}

/// All journal records of a study run to completion with `threads` threads.
std::vector<double> run_all(const study::StudySpec& spec, const fs::path& journal_path, int threads,
                            study::StudySummary* summary = nullptr) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    const auto plan = study::plan_study(spec, resolver_for(spec), 0);
    study::Journal journal(journal_path, plan.fingerprint, plan.layout.size(), false, true);
    const std::size_t done = study::execute_study(plan, journal, {});
    std::vector<double> all;
    journal.read(0, done, all);
    if (summary) *summary = study::summarize(plan, journal, done);
    journal.remove();
    return all;
}

}  // namespace

TEST_CASE("a study gives bit-identical results for 1, 2 and 8 threads", "[study][runner]") {
    TempDir dir;
    const auto spec = config::load_study_file(small);
    study::StudySummary s1, s8;
    const auto one = run_all(spec, dir.path / "j1", 1, &s1);
    REQUIRE(one.size() > 0);
    const int threads = GENERATE(2, 8);
    study::StudySummary sn;
    REQUIRE(run_all(spec, dir.path / "jn", threads, &sn) == one);
    REQUIRE(sn.bands == s1.bands);
    for (std::size_t a = 0; a < s1.arms.size(); ++a) {
        REQUIRE(sn.arms[a].count == s1.arms[a].count);
        REQUIRE(sn.arms[a].first_order == s1.arms[a].first_order);
    }
}

TEST_CASE("a resumed study equals an uninterrupted one, torn records included", "[study][runner]") {
    TempDir dir;
    const auto spec = config::load_study_file(small);
    const auto reference = run_all(spec, dir.path / "ref", 2);

    const auto plan = study::plan_study(spec, resolver_for(spec), 0);
    const fs::path jp = dir.path / "interrupted";
    {
        study::Journal journal(jp, plan.fingerprint, plan.layout.size(), false, false);
        // Run 19 records by hand, as if killed mid-batch, then tear the last one.
        std::vector<double> some;
        for (std::size_t g = 0; g < 19; ++g) {
            const auto r = study::run_one(plan, g);
            some.insert(some.end(), r.begin(), r.end());
        }
        journal.append(some);
    }
    fs::resize_file(jp, fs::file_size(jp) - 3 * sizeof(double));
    // Without --resume the journal is protected.
    REQUIRE_THROWS_AS(study::Journal(jp, plan.fingerprint, plan.layout.size(), false, false), IoError);
    study::Journal journal(jp, plan.fingerprint, plan.layout.size(), true, false);
    REQUIRE(journal.completed() == 18);
    const std::size_t done = study::execute_study(plan, journal, {});
    std::vector<double> all;
    journal.read(0, done, all);
    REQUIRE(all == reference);
    // A journal from another study is refused.
    REQUIRE_THROWS_WITH(study::Journal(jp, plan.fingerprint + 1, plan.layout.size(), true, false),
                        Catch::Contains("different study"));
}

TEST_CASE("arms share samples and random draws under common random numbers", "[study][runner]") {
    const auto spec = config::load_study_file(small);
    const auto plan = study::plan_study(spec, resolver_for(spec), 0);
    const auto& L = plan.layout;
    const auto weak = study::run_one(plan, 6), strong = study::run_one(plan, 7);  // sample 3 of each arm
    REQUIRE(weak[1] == 3);
    REQUIRE(strong[1] == 3);
    for (std::size_t j = 0; j < L.parameters; ++j) REQUIRE(weak[L.param(j)] == strong[L.param(j)]);
    // The sampled values are what the runs used: the threshold moves with the sample.
    REQUIRE(plan.values(0, 1) != plan.values(1, 1));
}

TEST_CASE("precision stopping ends on a whole batch once P(unipolar) is known well enough", "[study][runner]") {
    TempDir dir;
    auto spec = config::load_study_file(small);
    spec.precision = study::Precision{0.2, 16, 200};
    const auto plan = study::plan_study(spec, resolver_for(spec), 0);
    study::Journal journal(dir.path / "p", plan.fingerprint, plan.layout.size(), false, true);
    const std::size_t done = study::execute_study(plan, journal, {});
    REQUIRE(done < plan.total_runs());
    REQUIRE(done % 8 == 0);
    REQUIRE(done >= 32);
}

TEST_CASE("sensitivity separates a decisive parameter from an inert one", "[study][runner]") {
    TempDir dir;
    auto spec = config::load_study_file(small);
    spec.correlations.clear();
    spec.arms.resize(1);
    spec.runs = 96;
    // China's state funding buys its lab's chips; India's GDP is reported but drives nothing.
    spec.parameters[0] = {"funding", "nations.prc.state_ai_funding_usd_per_month", {study::Uniform{1e8, 5e9}}, {}};
    spec.parameters[1] = {"gdp", "nations.india.gdp_usd", {study::Uniform{1e12, 1e13}}, {}};
    study::StudySummary s;
    (void)run_all(spec, dir.path / "s", 2, &s);
    const auto& outputs = study::sensitivity_outputs();
    const auto at = std::find(outputs.begin(), outputs.end(), model::run_output_index("rival_lag_months"));
    REQUIRE(at != outputs.end());
    const auto& lag = s.arms[0].first_order[static_cast<std::size_t>(at - outputs.begin())];
    INFO("prcc funding " << lag[0] << ", gdp " << lag[1]);
    REQUIRE(lag[0] < -0.35);                // more money, less lag
    REQUIRE(std::abs(lag[0]) > std::abs(lag[1]) + 0.2);
    REQUIRE(std::abs(lag[1]) < 0.35);       // ~3 sigma of noise at 96 runs
}

TEST_CASE("bad study files fail with file, line and key path", "[study][config]") {
    struct Case {
        const char* file;
        int line;
        const char* fragment;
    };
    const Case cases[] = {
        {"unknown_key.yaml", 4, "unknown key 'runz'"},
        {"bad_distribution.yaml", 6, "uniform"},
        {"two_distributions.yaml", 7, "give one distribution"},
        {"not_a_number.yaml", 5, "not a number the study can sample"},
        {"out_of_range_support.yaml", 6, "risk_appetite"},
        {"bad_arm_set.yaml", 6, "enforcment_scale"},
        {"unknown_correlation.yaml", 7, "'b' is not a parameter"},
        {"bad_sampler.yaml", 4, "expected one of random, latin_hypercube, sobol, saltelli"},
        {"duplicate_arm.yaml", 6, "a"},
        {"missing_scenario.yaml", 3, "no scenario file"},
    };
    for (const auto& c : cases) {
        const std::string path = std::string(POLARITY_TEST_DATA "/studies/bad/") + c.file;
        INFO(path);
        try {
            const auto spec = config::load_study_file(path);
            (void)study::plan_study(spec, resolver_for(spec), 0);
            FAIL("no error");
        } catch (const ConfigError& e) {
            INFO(e.what());
            CHECK(e.file() == path);
            CHECK(e.line() == c.line);
            CHECK_THAT(e.what(), Catch::Contains(c.fragment));
        }
    }
}

TEST_CASE("a study with arms and no uncertain parameters runs", "[study][runner]") {
    TempDir dir;
    auto spec = config::load_study_file(small);
    spec.parameters.clear();
    spec.correlations.clear();
    study::StudySummary s;
    const auto all = run_all(spec, dir.path / "np", 2, &s);
    REQUIRE(s.runs == 48);
    REQUIRE(s.arms[0].first_order.empty());
    REQUIRE(all.size() == 48 * (all.size() / 48));
}
