#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/io/hdf5_recorder.hpp"
#include "polarity/model/recorder.hpp"

namespace fs = std::filesystem;
using polarity::IoError;
using polarity::io::Hdf5Recorder;
using namespace polarity::model;

namespace {

/// A fresh, empty folder removed with everything in it at scope exit.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("polarity_io_test_" + std::to_string(::getpid()) + "_" +
                 std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }
    [[nodiscard]] std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename());
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    fs::path path_;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

const std::vector<std::string> kBlocs = {"US", "China", "Rest of world"};
const std::vector<std::string> kLabs = {"OpenAI", "DeepMind", "Zhipu", "Société Générale AI"};

RunHeader make_header() {
    RunHeader h;
    h.scenario_name = "synthetic";
    h.scenario_text = "name: synthetic\nrun:\n  seed: 42\n  start: 2023-11\n# ünïcödé comment\n";
    h.scenario_path = "tests/data/synthetic.yaml";
    h.seed = 18446744073709551557ULL;  // largest 64-bit prime: catches any narrowing
    h.run_index = 7;
    h.start = {2023, 11};
    h.horizon_months = 5;
    h.axes = {{"bloc", kBlocs}, {"lab", kLabs}};
    h.series = {
        {"world_compute_h100e", "", "H100e", "world effective compute", false},
        {"bloc_frontier_capability", "bloc", "log10 FLOP", "best lab capability per bloc", false},
        {"lab_compute_h100e", "lab", "H100e", "compute held by each lab", false},
        {"powerful_ai_holders", "", "1", "which side holds powerful AI", true},
        {"lab_restricted", "lab", "1", "1 when the lab is cut off from frontier chips", true},
    };
    return h;
}

/// Value of series `s` at month `m`, entity `e`: distinct, awkward doubles.
double value(std::size_t s, int m, std::size_t e) {
    switch (s) {
        case 0: return 1.0e6 / 3.0 * (m + 1);
        case 1: return 25.0 + std::sqrt(2.0) * m - 0.1 * static_cast<double>(e);
        case 2:
            if (m == 2 && e == 0) return std::numeric_limits<double>::max();
            if (m == 3 && e == 1) return std::numeric_limits<double>::denorm_min();
            if (m == 4 && e == 2) return -0.0;
            return std::exp(static_cast<double>(m) + 0.5 * static_cast<double>(e));
        case 3: return static_cast<double>(m % 5) - 1;  // includes -1
        default: return static_cast<double>((m + static_cast<int>(e)) % 2);
    }
}

std::vector<MonthRecord> make_months(const RunHeader& h) {
    std::vector<MonthRecord> months;
    for (int m = 0; m < h.horizon_months; ++m) {
        MonthRecord r;
        r.month_index = m;
        r.date = CalendarMonth::from_serial(h.start.serial() + m);
        for (std::size_t s = 0; s < h.series.size(); ++s) {
            const std::string& axis = h.series[s].axis;
            const std::size_t n = axis.empty() ? 1 : axis == "bloc" ? kBlocs.size() : kLabs.size();
            std::vector<double> v;
            for (std::size_t e = 0; e < n; ++e) v.push_back(value(s, m, e));
            r.values.push_back(std::move(v));
        }
        months.push_back(std::move(r));
    }
    return months;
}

Outcome make_outcome() {
    Outcome o;
    o.label = OutcomeClass::bipolar;
    o.leader = "US";
    o.rival = "CN";
    o.months_run = 5;
    o.leader_crossing_month = 2;
    o.rival_crossing_month = 4;
    o.delay = {2, Censoring::none};
    o.spells = {{kLeaderHolds, 2, 2, false}};
    o.year_end_month_index = {1};
    o.rival_lag_at_year_end = {0.75};
    o.rival_lag_months = 1.5;
    o.compute_ratio_h100e = 2.0;
    o.chip_ratio = 2.5;
    o.effective_compute_ratio = 3.0;
    o.rival_compute_share = 0.3;
    o.blocs = kBlocs;
    o.crossing_month_index = {2, 4, -1};
    o.final_capability = {29.125, 28.75, 27.0 / 7.0};
    o.final_lag_months = {0.0, 1.5, 1.0 / 3.0};
    o.final_compute_share = {0.6, 0.3, 0.1};
    o.frontier_bloc = "US";
    return o;
}

void write_run(const fs::path& path, bool overwrite, const RunHeader& h = make_header()) {
    Hdf5Recorder rec(path, overwrite);
    rec.begin(h);
    for (const auto& m : make_months(h)) rec.record(m);
    rec.finish(make_outcome());
}

bool same_doubles(const std::vector<double>& a, const std::vector<double>& b) {
    // Bitwise, so -0.0 vs 0.0 and denormals count.
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](double x, double y) {
               return std::memcmp(&x, &y, sizeof x) == 0;
           });
}

/// Whether dataset `name` has the scale `scale` attached on dimension `axis`.
bool scale_attached(const fs::path& file, const std::string& name, const std::string& scale,
                    unsigned axis) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    const hid_t sc = H5Dopen2(f, scale.c_str(), H5P_DEFAULT);
    const htri_t r = H5DSis_attached(ds, sc, axis);
    H5Dclose(sc);
    H5Dclose(ds);
    H5Fclose(f);
    return r > 0;
}

/// Whether dataset `name` is a dimension scale.
bool is_scale(const fs::path& file, const std::string& name) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    const htri_t r = H5DSis_scale(ds);
    H5Dclose(ds);
    H5Fclose(f);
    return r > 0;
}

/// Whether dataset `name` is stored with file type `type`.
bool stored_as(const fs::path& file, const std::string& name, hid_t type) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    const hid_t t = H5Dget_type(ds);
    const htri_t r = H5Tequal(t, type);
    H5Tclose(t);
    H5Dclose(ds);
    H5Fclose(f);
    return r > 0;
}

}  // namespace

TEST_CASE("to_string names every outcome class", "[io]") {
    REQUIRE(std::string(to_string(OutcomeClass::none)) == "none");
    REQUIRE(std::string(to_string(OutcomeClass::unipolar)) == "unipolar");
    REQUIRE(std::string(to_string(OutcomeClass::bipolar)) == "bipolar");
    REQUIRE(std::string(to_string(OutcomeClass::rival_first)) == "rival_first");
    REQUIRE(std::string(to_string(OutcomeClass::open)) == "open");
}

TEST_CASE("MemoryRecorder looks series up by name", "[io]") {
    MemoryRecorder rec;
    const RunHeader h = make_header();
    rec.begin(h);
    for (const auto& m : make_months(h)) rec.record(m);
    REQUIRE(rec.series_index("lab_compute_h100e") == 2);
    REQUIRE(rec.at("bloc_frontier_capability", 3, 2) == value(1, 3, 2));
    REQUIRE(rec.at("world_compute_h100e", 0) == value(0, 0, 0));
    REQUIRE_THROWS_AS(rec.series_index("nope"), polarity::ModelError);
    REQUIRE_THROWS_AS(rec.at("world_compute_h100e", 5), polarity::ModelError);
    REQUIRE_THROWS_AS(rec.at("bloc_frontier_capability", 0, 3), polarity::ModelError);
}

TEST_CASE("Hdf5Recorder round-trips every value, label, attribute and the outcome", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "run.h5";
    const RunHeader h = make_header();
    const auto months = make_months(h);
    write_run(file, false);
    REQUIRE(dir.entries() == std::vector<std::string>{"run.h5"});

    SECTION("datasets") {
        REQUIRE(polarity::io::list_datasets(file) ==
                std::vector<std::string>{"/bloc", "/bloc_frontier_capability", "/lab",
                                         "/lab_compute_h100e", "/lab_restricted", "/month",
                                         "/month_label", "/outcome/crossing_date",
                                         "/outcome/crossing_month_index",
                                         "/outcome/final_capability",
                                         "/outcome/final_compute_share",
                                         "/outcome/final_lag_months",
                                         "/outcome/rival_lag_year_end_months",
                                         "/outcome/spell",
                                         "/outcome/spell_holder", "/outcome/spell_months",
                                         "/outcome/spell_ongoing", "/outcome/spell_start",
                                         "/outcome/year_end", "/powerful_ai_holders",
                                         "/scenario_yaml", "/world_compute_h100e"});
    }

    SECTION("root attributes are the provenance") {
        using polarity::io::read_string_attribute;
        REQUIRE(read_string_attribute(file, "/", "format") == "polarity-run/2");
        REQUIRE(read_string_attribute(file, "/", "engine_version") == POLARITY_VERSION);
        REQUIRE(read_string_attribute(file, "/", "git_sha") == POLARITY_GIT_SHA);
        REQUIRE(read_string_attribute(file, "/", "scenario_name") == h.scenario_name);
        REQUIRE(read_string_attribute(file, "/", "scenario_path") == h.scenario_path);
        REQUIRE(read_string_attribute(file, "/", "start") == "2023-11");
        REQUIRE(polarity::io::read_uint64_attribute(file, "/", "seed") == h.seed);
        REQUIRE(polarity::io::read_uint64_attribute(file, "/", "run_index") == 7);
        REQUIRE(polarity::io::read_numeric_attribute(file, "/", "horizon_months") == 5);
        REQUIRE(polarity::io::read_strings(file, "scenario_yaml") ==
                std::vector<std::string>{h.scenario_text});
    }

    SECTION("month scale and labels") {
        const auto month = polarity::io::read_dataset(file, "month");
        REQUIRE(month.shape == std::vector<std::size_t>{5});
        REQUIRE(month.values == std::vector<double>{8705, 8735, 8766, 8797, 8826});
        REQUIRE(polarity::io::read_string_attribute(file, "/month", "units") ==
                "days since 2000-01-01");
        REQUIRE(polarity::io::read_string_attribute(file, "/month", "calendar") == "standard");
        REQUIRE(polarity::io::read_strings(file, "month_label") ==
                std::vector<std::string>{"2023-11", "2023-12", "2024-01", "2024-02", "2024-03"});
        REQUIRE(scale_attached(file, "/month_label", "/month", 0));
    }

    SECTION("axis labels are dimension scales") {
        REQUIRE(polarity::io::read_strings(file, "bloc") == kBlocs);
        REQUIRE(polarity::io::read_strings(file, "lab") == kLabs);
        REQUIRE(is_scale(file, "bloc"));
        REQUIRE(is_scale(file, "lab"));
        REQUIRE(is_scale(file, "month"));
        REQUIRE(polarity::io::read_string_attribute(file, "/bloc", "NAME") == "bloc");
    }

    SECTION("series values, types, attributes and scales") {
        for (std::size_t s = 0; s < h.series.size(); ++s) {
            const auto& spec = h.series[s];
            INFO("series " << spec.name);
            const auto ds = polarity::io::read_dataset(file, spec.name);
            const std::size_t width = spec.axis.empty() ? 1 : spec.axis == "bloc" ? 3 : 4;
            if (spec.axis.empty()) {
                REQUIRE(ds.shape == std::vector<std::size_t>{5});
            } else {
                REQUIRE(ds.shape == std::vector<std::size_t>{5, width});
                REQUIRE(scale_attached(file, spec.name, spec.axis, 1));
            }
            REQUIRE(scale_attached(file, spec.name, "month", 0));
            std::vector<double> expected;
            for (const auto& m : months) {
                expected.insert(expected.end(), m.values[s].begin(), m.values[s].end());
            }
            REQUIRE(same_doubles(ds.values, expected));
            REQUIRE(stored_as(file, spec.name, spec.integer ? H5T_STD_I32LE : H5T_IEEE_F64LE));
            REQUIRE(polarity::io::read_string_attribute(file, spec.name, "units") == spec.units);
            REQUIRE(polarity::io::read_string_attribute(file, spec.name, "long_name") ==
                    spec.description);
        }
    }

    SECTION("outcome") {
        using polarity::io::read_dataset;
        const Outcome o = make_outcome();
        REQUIRE(polarity::io::read_string_attribute(file, "/outcome", "outcome_name") == "bipolar");
        REQUIRE(polarity::io::read_numeric_attribute(file, "/outcome", "outcome") == 2);
        REQUIRE(polarity::io::read_string_attribute(file, "/outcome", "leader") == "US");
        REQUIRE(polarity::io::read_string_attribute(file, "/outcome", "rival") == "CN");
        REQUIRE(polarity::io::read_numeric_attribute(file, "/outcome", "crossing_delay_months") == 2);
        REQUIRE(polarity::io::read_string_attribute(file, "/outcome", "crossing_delay_censoring_name") == "exact");
        REQUIRE(polarity::io::read_numeric_attribute(file, "/outcome", "leader_unipolar_months") == 2);
        REQUIRE(polarity::io::read_numeric_attribute(file, "/outcome", "compute_ratio_h100e") == 2.0);
        REQUIRE(polarity::io::read_strings(file, "/outcome/spell_holder") == std::vector<std::string>{"US"});
        REQUIRE(polarity::io::read_strings(file, "/outcome/spell_start") == std::vector<std::string>{"2024-01"});
        REQUIRE(read_dataset(file, "/outcome/rival_lag_year_end_months").values == std::vector<double>{0.75});
        REQUIRE(polarity::io::read_strings(file, "/outcome/year_end") == std::vector<std::string>{"2023-12"});
        const auto idx = read_dataset(file, "/outcome/crossing_month_index");
        REQUIRE(idx.shape == std::vector<std::size_t>{3});
        REQUIRE(idx.values == std::vector<double>{2, 4, -1});
        REQUIRE(stored_as(file, "/outcome/crossing_month_index", H5T_STD_I32LE));
        REQUIRE(polarity::io::read_strings(file, "/outcome/crossing_date") ==
                std::vector<std::string>{"2024-01", "2024-03", "not reached"});
        REQUIRE(same_doubles(read_dataset(file, "/outcome/final_capability").values,
                             o.final_capability));
        REQUIRE(same_doubles(read_dataset(file, "/outcome/final_lag_months").values,
                             o.final_lag_months));
        REQUIRE(same_doubles(read_dataset(file, "/outcome/final_compute_share").values,
                             o.final_compute_share));
        for (const char* name : {"crossing_month_index", "crossing_date", "final_capability",
                                 "final_lag_months", "final_compute_share"}) {
            INFO(name);
            REQUIRE(scale_attached(file, std::string("/outcome/") + name, "/bloc", 0));
        }
    }
}

TEST_CASE("Hdf5Recorder refuses an existing file without overwrite and leaves it untouched",
          "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "run.h5";
    spit(file, "precious results\n");
    REQUIRE_THROWS_AS(Hdf5Recorder(file, false), IoError);
    REQUIRE_THROWS_WITH(Hdf5Recorder(file, false), Catch::Contains("exists"));
    REQUIRE(slurp(file) == "precious results\n");
    REQUIRE(dir.entries() == std::vector<std::string>{"run.h5"});
}

TEST_CASE("Hdf5Recorder with overwrite replaces the file only when finished", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "run.h5";
    spit(file, "old results\n");
    {
        Hdf5Recorder rec(file, true);
        const RunHeader h = make_header();
        rec.begin(h);
        for (const auto& m : make_months(h)) rec.record(m);
        REQUIRE(slurp(file) == "old results\n");  // the run is not published yet
    }
    REQUIRE(slurp(file) == "old results\n");  // abandoned: the old file survives
    REQUIRE(dir.entries() == std::vector<std::string>{"run.h5"});

    write_run(file, true);
    REQUIRE(polarity::io::read_string_attribute(file, "/", "format") == "polarity-run/2");
    REQUIRE(dir.entries() == std::vector<std::string>{"run.h5"});
}

TEST_CASE("Hdf5Recorder destroyed before finish leaves no file behind", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "run.h5";
    {
        Hdf5Recorder rec(file, false);
        const RunHeader h = make_header();
        rec.begin(h);
        const auto months = make_months(h);
        rec.record(months[0]);
        rec.record(months[1]);
        REQUIRE_FALSE(fs::exists(file));
    }
    REQUIRE(dir.entries().empty());
}

TEST_CASE("Hdf5Recorder writes identical files for identical runs", "[io]") {
    TempDir dir;
    const fs::path a = dir.path() / "a.h5";
    const fs::path b = dir.path() / "b.h5";
    write_run(a, false);
    write_run(b, false);
    const auto names = polarity::io::list_datasets(a);
    REQUIRE(names == polarity::io::list_datasets(b));
    for (const auto& name : names) {
        INFO(name);
        if (name == "/bloc" || name == "/lab" || name == "/month_label" ||
            name == "/scenario_yaml" || name == "/outcome/crossing_date" || name == "/outcome/year_end" ||
            name == "/outcome/spell_holder" || name == "/outcome/spell_start") {
            REQUIRE(polarity::io::read_strings(a, name) == polarity::io::read_strings(b, name));
        } else {
            const auto da = polarity::io::read_dataset(a, name);
            const auto db = polarity::io::read_dataset(b, name);
            REQUIRE(da.shape == db.shape);
            REQUIRE(same_doubles(da.values, db.values));
        }
    }
    // No timestamps are stored, so the bytes match too.
    REQUIRE(slurp(a) == slurp(b));
}

TEST_CASE("Hdf5Recorder rejects bad paths, headers and records", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "run.h5";

    SECTION("missing folder") {
        REQUIRE_THROWS_WITH(Hdf5Recorder(dir.path() / "nope" / "run.h5", true),
                            Catch::Contains("does not exist"));
    }
    SECTION("path is a directory") {
        REQUIRE_THROWS_AS(Hdf5Recorder(dir.path(), true), IoError);
    }
    SECTION("unknown axis") {
        RunHeader h = make_header();
        h.series[1].axis = "nation";
        Hdf5Recorder rec(file, false);
        REQUIRE_THROWS_WITH(rec.begin(h), Catch::Contains("unknown axis 'nation'"));
    }
    SECTION("reserved and duplicate names") {
        RunHeader h = make_header();
        h.series[0].name = "month";
        REQUIRE_THROWS_WITH(Hdf5Recorder(file, false).begin(h), Catch::Contains("reserved"));
        h.series[0].name = "lab";
        REQUIRE_THROWS_WITH(Hdf5Recorder(file, false).begin(h), Catch::Contains("used twice"));
        h.series[0].name = "a/b";
        REQUIRE_THROWS_AS(Hdf5Recorder(file, false).begin(h), IoError);
    }
    SECTION("records out of order or of the wrong shape") {
        const RunHeader h = make_header();
        auto months = make_months(h);
        Hdf5Recorder rec(file, false);
        REQUIRE_THROWS_AS(rec.record(months[0]), IoError);  // before begin()
        rec.begin(h);
        REQUIRE_THROWS_WITH(rec.record(months[1]), Catch::Contains("month_index 1"));
        MonthRecord bad = months[0];
        bad.values[2].pop_back();
        REQUIRE_THROWS_WITH(rec.record(bad), Catch::Contains("lab_compute_h100e"));
        bad = months[0];
        bad.values[3][0] = 0.5;
        REQUIRE_THROWS_WITH(rec.record(bad), Catch::Contains("integer series"));
        bad = months[0];
        bad.date = {2023, 10};
        REQUIRE_THROWS_WITH(rec.record(bad), Catch::Contains("expected 2023-11"));
        rec.record(months[0]);  // rejected months left no trace
        rec.record(months[1]);
    }
    SECTION("an outcome whose blocs differ from the bloc axis fails and leaves nothing") {
        const RunHeader h = make_header();
        {
            Hdf5Recorder rec(file, false);
            rec.begin(h);
            for (const auto& m : make_months(h)) rec.record(m);
            Outcome o = make_outcome();
            o.blocs[2] = "EU";
            REQUIRE_THROWS_WITH(rec.finish(o), Catch::Contains("bloc"));
            REQUIRE_THROWS_AS(rec.finish(make_outcome()), IoError);  // the recorder is spent
        }
    }
    REQUIRE(dir.entries().empty());
}

TEST_CASE("Hdf5Recorder writes empty axes, zero months, and a bloc scale of its own", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "edge.h5";
    RunHeader h;
    h.start = {2023, 1};
    h.axes = {{"route", {}}};
    h.series = {{"route_flow", "route", "units", "chips shipped per route", false},
                {"flag", "", "1", "a flag", true}};
    Outcome o = make_outcome();
    {
        Hdf5Recorder rec(file, false);
        rec.begin(h);
        rec.finish(o);
    }
    REQUIRE(polarity::io::read_dataset(file, "route_flow").shape ==
            std::vector<std::size_t>{0, 0});
    REQUIRE(polarity::io::read_dataset(file, "month").values.empty());
    REQUIRE(polarity::io::read_strings(file, "route").empty());
    // No "bloc" axis in the header: the outcome's bloc list becomes the /bloc scale.
    REQUIRE(polarity::io::read_strings(file, "bloc") == kBlocs);
    REQUIRE(is_scale(file, "bloc"));
    REQUIRE(scale_attached(file, "/outcome/final_capability", "/bloc", 0));
    REQUIRE(polarity::io::read_strings(file, "/outcome/crossing_date") ==
            std::vector<std::string>{"2023-03", "2023-05", "not reached"});
}

TEST_CASE("Readers report the HDF5 call and the error stack", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "run.h5";
    REQUIRE_THROWS_WITH(polarity::io::read_dataset(file, "month"),
                        Catch::Contains("H5Fopen") && Catch::Contains("unable to open file"));
    write_run(file, false);
    REQUIRE_THROWS_WITH(polarity::io::read_dataset(file, "nope"),
                        Catch::Contains("H5Dopen2") && Catch::Contains("nope"));
    REQUIRE_THROWS_WITH(polarity::io::read_dataset(file, "bloc"), Catch::Contains("not numeric"));
    REQUIRE_THROWS_WITH(polarity::io::read_strings(file, "month"), Catch::Contains("not a string"));
    REQUIRE_THROWS_AS(polarity::io::read_string_attribute(file, "/", "created_utc"), IoError);
}
