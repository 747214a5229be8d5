// Calibration: the historical timeline reproduces the published 2023-2025 estimates its file
// declares (docs/calibration.md), as ranges, and its defaults stay inside the published 2026-2030
// forecasts; every scenario and study in the library runs.
#include <catch2/catch.hpp>

#include <filesystem>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/io/hdf5_recorder.hpp"
#include "polarity/model/calibration.hpp"
#include "polarity/model/scenario_keys.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/runner.hpp"

#include "../app/cli_runner.hpp"

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

    // The forecasts the defaults are checked against (2026-2030, where no data exist yet).
    int forecasts = 0;
    for (const auto& t : sc.calibration) forecasts += model::kind_of(t) == model::TargetKind::forecast;
    REQUIRE(forecasts >= 5);
    REQUIRE(sc.run.start.serial() + sc.run.horizon_months - 1 >= model::CalendarMonth{2030, 12}.serial());

    model::CalibrationProbe probe(sc);
    const auto results = calibrate(sc, probe);
    INFO(model::format_calibration(results));
    for (const auto& r : results) {
        INFO(r.target->name << " (" << model::to_string(model::kind_of(*r.target)) << ") = " << r.value
                            << ", published range " << r.target->low << " - " << r.target->high);
        REQUIRE(r.measured);
        if (r.must_hold()) CHECK(r.in_range());
    }
}

TEST_CASE("a target is in sample, out of sample or a forecast", "[calibration]") {
    model::CalibrationTarget t;
    CHECK(model::kind_of(t) == model::TargetKind::in_sample);
    t.out_of_sample = true;
    CHECK(model::kind_of(t) == model::TargetKind::out_of_sample);
    t.out_of_sample = false;
    t.forecast = true;
    CHECK(model::kind_of(t) == model::TargetKind::forecast);
    // Out-of-sample targets are reported; in-sample and forecast targets must hold.
    t.low = 0, t.high = 1;
    model::CalibrationResult r{&t, true, 2.0};
    CHECK(r.must_hold());
    CHECK_FALSE(r.in_range());
    t.forecast = false, t.out_of_sample = true;
    CHECK_FALSE(r.must_hold());
    // The printed table says which kind each row is, on the target's row.
    t.name = "the_target";
    const std::string table = model::format_calibration({r});
    const auto row = table.find("the_target");
    REQUIRE(row != std::string::npos);
    CHECK(table.substr(row, table.find('\n', row) - row).find("out of sample") != std::string::npos);
}

TEST_CASE("the compute metrics read what the run records", "[calibration]") {
    auto sc = config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    sc.calibration.clear();
    const auto target = [&](const char* name, model::CalibrationMetric metric, const char* bloc) {
        model::CalibrationTarget t;
        t.name = name, t.metric = metric, t.bloc = bloc, t.low = 0, t.high = 1e12;
        if (model::keys::measured_at_a_month(metric)) t.at = model::CalendarMonth{2024, 6};
        else t.from = model::CalendarMonth{2023, 6}, t.to = model::CalendarMonth{2025, 6};
        sc.calibration.push_back(t);
    };
    using M = model::CalibrationMetric;
    target("world_stock", M::compute_h100e, "");
    target("china_stock", M::compute_h100e, "china");
    target("china_share", M::compute_share, "china");
    target("world_growth", M::compute_growth, "");
    target("china_gray_h100e", M::gray_h100e, "china");
    target("china_gray_units", M::gray_units, "china");

    model::CalibrationProbe probe(sc);
    model::MemoryRecorder rec;
    (void)model::run_scenario(sc, rec, [&](const model::Simulation& s) { probe.observe(s.world(), s.last_metrics()); });
    const auto r = probe.results();
    for (const auto& each : r) REQUIRE(each.measured);
    const auto china = static_cast<std::size_t>(model::find_name(sc.blocs, "china"));
    const int june_2023 = 5, june_2024 = 17, june_2025 = 29;  // month indices from 2023-01
    const auto world_stock = [&](int m) {
        double total = 0;
        for (std::size_t b = 0; b < sc.blocs.size(); ++b) total += rec.at("bloc_compute_h100e", m, b);
        return total;
    };
    CHECK(r[0].value == Approx(world_stock(june_2024)));
    CHECK(r[1].value == rec.at("bloc_compute_h100e", june_2024, china));
    CHECK(r[2].value == rec.at("bloc_compute_share", june_2024, china));  // the series itself, not a recomputation
    CHECK(r[3].value == Approx(std::sqrt(world_stock(june_2025) / world_stock(june_2023))));  // two years
    // Gray H100e weighs the gray chips by FLOP/s: between the weakest and the strongest SKU's weight.
    double lightest = 1e9, heaviest = 0;
    for (const auto& sup : sc.suppliers)
        for (const auto& sku : sup.skus) {
            lightest = std::min(lightest, sku.flop_per_s / sc.world.h100_flop_per_s);
            heaviest = std::max(heaviest, sku.flop_per_s / sc.world.h100_flop_per_s);
        }
    REQUIRE(r[5].value > 0);
    CHECK(r[4].value >= lightest * r[5].value * (1 - 1e-12));
    CHECK(r[4].value <= heaviest * r[5].value * (1 + 1e-12));
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

TEST_CASE("the run file keeps the calibration table", "[calibration][io]") {
    auto sc = config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    REQUIRE(sc.calibration.size() >= 2);
    sc.calibration[1].forecast = true, sc.calibration[1].out_of_sample = false;
    test::TempDir dir;
    const auto write = [&](const model::Scenario& scenario, const std::filesystem::path& path) {
        model::CalibrationProbe probe(scenario);
        io::Hdf5Recorder rec(path, false);
        REQUIRE_THROWS_AS(rec.record_calibration({}), IoError);  // before begin()
        (void)model::run_scenario(scenario, rec, [&](const model::Simulation& s) {
            probe.observe(s.world(), s.last_metrics());
            if (!s.finished()) return;
            auto short_column = model::calibration_table(probe.results());
            if (!short_column.targets.empty()) {
                short_column.columns.front().text.pop_back();
                REQUIRE_THROWS_WITH(rec.record_calibration(short_column), Catch::Contains("one entry per target"));
            }
            rec.record_calibration(model::calibration_table(probe.results()));
        });
        return probe.results();
    };
    const auto path = dir.path / "minimal.h5";
    const auto results = write(sc, path);
    const auto names = io::read_strings(path, "/calibration/target");
    const auto kinds = io::read_strings(path, "/calibration/kind");
    const auto value = io::read_dataset(path, "/calibration/value");
    const auto low = io::read_dataset(path, "/calibration/low");
    const auto in_range = io::read_dataset(path, "/calibration/in_range");
    REQUIRE(names.size() == sc.calibration.size());
    REQUIRE(value.values.size() == sc.calibration.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        CHECK(names[i] == sc.calibration[i].name);
        CHECK(kinds[i] == model::to_string(model::kind_of(sc.calibration[i])));
        CHECK(value.values[i] == results[i].value);  // the measured value, bit for bit
        CHECK(low.values[i] == sc.calibration[i].low);
        CHECK(in_range.values[i] == (results[i].in_range() ? 1.0 : 0.0));
    }
    CHECK(kinds[1] == "forecast");
    CHECK(io::read_strings(path, "/calibration/units")[0] == "chips");  // lab_stock_units

    // A scenario without targets writes no group.
    sc.calibration.clear();
    const auto bare = dir.path / "bare.h5";
    (void)write(sc, bare);
    for (const auto& name : io::list_datasets(bare)) CHECK(name.rfind("/calibration", 0) != 0);
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
