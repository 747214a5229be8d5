// Calibration: the historical timeline reproduces the published 2023-2025 estimates its file
// declares (docs/calibration.md), as ranges; every scenario and study in the library runs.
#include <catch2/catch.hpp>

#include <filesystem>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/model/calibration.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/runner.hpp"

using namespace polarity;
namespace fs = std::filesystem;

namespace {

std::vector<model::CalibrationResult> calibrate(const model::Scenario& sc, model::CalibrationProbe& probe) {
    model::MemoryRecorder rec;
    (void)model::run_scenario(sc, rec, [&](const model::Simulation& s) { probe.observe(s.world(), s.last_metrics()); });
    return probe.results();
}

}  // namespace

TEST_CASE("the historical timeline reproduces the published calibration targets", "[calibration]") {
    const auto sc = config::load_scenario_file(POLARITY_SOURCE_DIR "/scenarios/historical/timeline.yaml");
    // The five targets the calibration rests on must be declared.
    std::vector<std::string> names;
    for (const auto& t : sc.calibration) names.push_back(t.name);
    for (const char* required : {"us_frontier_compute_growth", "deepseek_hopper_stock", "china_lag_2025",
                                 "china_share_new_compute_2024", "us_frontier_compute_2027"})
        REQUIRE(std::find(names.begin(), names.end(), required) != names.end());

    model::CalibrationProbe probe(sc);
    const auto results = calibrate(sc, probe);
    INFO(model::format_calibration(results));
    for (const auto& r : results) {
        INFO(r.target->name << " = " << r.value << ", published range " << r.target->low << " - " << r.target->high);
        REQUIRE(r.measured);
        if (!r.target->out_of_sample) CHECK(r.in_range());
    }
}

TEST_CASE("calibration metrics measure what they say", "[calibration]") {
    auto sc = config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    sc.calibration.clear();
    model::CalibrationTarget stock;
    stock.name = "stock";
    stock.metric = model::CalibrationMetric::lab_stock_units;
    stock.bloc = "us_aligned";
    stock.lab = "us_frontier";
    stock.skus = {"h100"};
    stock.at = model::CalendarMonth{2023, 1};
    stock.low = 0, stock.high = 1e9;
    sc.calibration.push_back(stock);
    model::CalibrationTarget growth = stock;
    growth.name = "growth";
    growth.metric = model::CalibrationMetric::frontier_compute_growth;
    growth.at.reset();
    growth.from = model::CalendarMonth{2023, 1};
    growth.to = model::CalendarMonth{2024, 1};
    sc.calibration.push_back(growth);

    model::CalibrationProbe probe(sc);
    model::MemoryRecorder rec;
    (void)model::run_scenario(sc, rec, [&](const model::Simulation& s) { probe.observe(s.world(), s.last_metrics()); });
    const auto r = probe.results();
    // us_frontier holds 50,000 H100s at the start; after one month of depreciation (20 %/yr)
    // plus that month's deliveries it holds at least 50,000 * 0.8^(1/12).
    REQUIRE(r[0].value >= 50000 * std::pow(0.8, 1.0 / 12));
    // Growth over one year equals the ratio of training compute, month 12 over month 0.
    const auto i = rec.series_index("lab_training_h100e");
    REQUIRE(r[1].value == Approx(rec.months[12].values[i][0] / rec.months[0].values[i][0]));
}

TEST_CASE("every scenario in the library runs and every study plans", "[calibration][library]") {
    const fs::path dir = fs::path(POLARITY_SOURCE_DIR) / "scenarios";
    int scenarios = 0, studies = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.path().extension() != ".yaml") continue;
        const std::string path = entry.path().string();
        INFO(path);
        if (entry.path().parent_path().filename() == "studies") {
            auto spec = config::load_study_file(path);
            const auto plan = study::plan_study(
                spec, [&](const std::vector<std::string>& o) { return config::load_scenario_file(spec.scenario_path, o); }, 2);
            REQUIRE(study::run_one(plan, 0).size() == plan.layout.size());
            ++studies;
        } else {
            const auto sc = config::load_scenario_file(path);
            model::Simulation sim(sc);
            while (!sim.finished()) sim.advance();
            REQUIRE(sim.conservation().chips < 1e-9);
            REQUIRE_FALSE(sim.conservation().negative_stock);
            ++scenarios;
        }
    }
    REQUIRE(scenarios >= 19);
    REQUIRE(studies >= 2);
}
