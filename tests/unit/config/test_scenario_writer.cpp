// Tests of the scenario writer (what `polarity show` prints): the YAML it writes loads back to
// the same scenario, every key is written, and the key reference and JSON Schema generated
// from the same key table are the ones checked in.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/scenario_schema.hpp"
#include "polarity/config/scenario_writer.hpp"

namespace {

namespace fs = std::filesystem;
using polarity::config::load_scenario_file;
using polarity::config::load_scenario_text;
using polarity::config::write_scenario_yaml;

const fs::path kSource = POLARITY_SOURCE_DIR;

std::string read(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Writes @p path's scenario, loads the YAML back and checks that it describes the same
/// scenario. The writer writes every key in a form that reads back exactly, so equal texts
/// mean equal scenarios (Scenario has no operator==; this compares every key through the
/// writer instead).
void check_round_trip(const fs::path& path) {
    const auto original = load_scenario_file(path.string());
    const std::string yaml = write_scenario_yaml(original);
    const auto reloaded = load_scenario_text(yaml, "show.yaml");
    CHECK(write_scenario_yaml(reloaded) == yaml);
    // Spot checks that do not go through the writer.
    CHECK(reloaded.name == original.name);
    CHECK(reloaded.run.seed == original.run.seed);
    CHECK(reloaded.world.h100_flop_per_s == original.world.h100_flop_per_s);
    REQUIRE(reloaded.labs.size() == original.labs.size());
    for (std::size_t i = 0; i < original.labs.size(); ++i) {
        CHECK(reloaded.labs[i].markets == original.labs[i].markets);
        CHECK(reloaded.labs[i].funding_usd_per_month == original.labs[i].funding_usd_per_month);
    }
    REQUIRE(reloaded.policy.rules.size() == original.policy.rules.size());
    for (std::size_t i = 0; i < original.policy.rules.size(); ++i) {
        CHECK(reloaded.policy.rules[i].end == original.policy.rules[i].end);
        CHECK(reloaded.policy.rules[i].chips.tpp_at_least ==
              original.policy.rules[i].chips.tpp_at_least);
    }
    CHECK(reloaded.calibration.size() == original.calibration.size());
}

}  // namespace

TEST_CASE("written YAML loads back to the same scenario", "[config][writer]") {
    SECTION("minimal.yaml") { check_round_trip(fs::path(POLARITY_TEST_DATA) / "minimal.yaml"); }
    SECTION("every shipped scenario") {
        for (const auto& entry : fs::recursive_directory_iterator(kSource / "scenarios")) {
            // scenarios/studies/ holds study files, which name a scenario rather than being one.
            if (entry.path().extension() != ".yaml" ||
                entry.path().parent_path().filename() == "studies") {
                continue;
            }
            DYNAMIC_SECTION(entry.path().filename().string()) { check_round_trip(entry.path()); }
        }
    }
}

TEST_CASE("the writer writes every key, defaults included", "[config][writer]") {
    const auto s = load_scenario_file(std::string(POLARITY_TEST_DATA) + "/minimal.yaml");
    const std::string yaml = write_scenario_yaml(s);
    CHECK_THAT(yaml, Catch::StartsWith("schema_version: 1\nname: minimal\n"));
    CHECK_THAT(yaml, Catch::Contains("  depreciation_per_year: 0.2\n"));    // a default
    CHECK_THAT(yaml, Catch::Contains("  h100_flop_per_s: 9.894e+14\n"));    // exact, short
    CHECK_THAT(yaml, Catch::Contains("  research_reference_h100e: 100000\n"));
    CHECK_THAT(yaml, Catch::Contains("  start: 2023-01\n"));
    CHECK_THAT(yaml, Catch::Contains("    markets: [china]\n"));           // the loader's default
    CHECK_THAT(yaml, Catch::Contains("    range: [10000, 50000]\n"));
    CHECK_THAT(yaml, Catch::Contains("    end: 2023-11\n"));
    // Absent optional values stay absent: writing "discontinued:" would not load.
    CHECK(yaml.find("discontinued") == yaml.rfind("discontinued"));
    CHECK(yaml.find("source_") == std::string::npos);
}

TEST_CASE("numbers and strings survive the round trip exactly", "[config][writer]") {
    const std::string minimal = std::string(POLARITY_TEST_DATA) + "/minimal.yaml";
    const auto s = load_scenario_file(
        minimal, {"world.utilization=0.30000000000000004", "market.remote_markup=1e-300",
                  "description=\"true\"", "labs.in_lab.name=\"1e5\"", "nations.india.name=no",
                  "labs.1e5.nation=no"});
    const std::string yaml = write_scenario_yaml(s);
    CHECK_THAT(yaml, Catch::Contains("utilization: 0.30000000000000004\n"));
    CHECK_THAT(yaml, Catch::Contains("description: \"true\"\n"));
    CHECK_THAT(yaml, Catch::Contains("name: \"1e5\"\n"));
    CHECK_THAT(yaml, Catch::Contains("name: \"no\"\n"));
    // An empty reference means none, and is left out ("compliant_variant_of: ''" would not
    // load): only the H20 names its parent.
    CHECK(yaml.find("compliant_variant_of") == yaml.rfind("compliant_variant_of: h100"));
    const auto back = load_scenario_text(yaml, "x.yaml");
    CHECK(back.world.utilization == s.world.utilization);
    CHECK(back.market.remote_markup == 1e-300);
    CHECK(back.description == "true");
    CHECK(back.labs[2].name == "1e5");
    CHECK(back.nations[3].name == "no");
}

TEST_CASE("scenarios/schema.json is the schema generated from the key table", "[config][schema]") {
    // Regenerate with: build/release/polarity schema > scenarios/schema.json
    CHECK(read(kSource / "scenarios" / "schema.json") == polarity::config::scenario_json_schema());
}

TEST_CASE("docs/scenarios.md holds the key reference generated from the key table",
          "[config][schema]") {
    // Regenerate with: build/release/polarity schema --markdown, pasted between the markers.
    const std::string doc = read(kSource / "docs" / "scenarios.md");
    const std::string begin = "<!-- BEGIN polarity schema --markdown -->\n";
    const std::string end = "<!-- END polarity schema --markdown -->";
    const auto from = doc.find(begin);
    const auto to = doc.find(end);
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    CHECK(doc.substr(from + begin.size(), to - from - begin.size()) ==
          "\n" + polarity::config::scenario_key_reference());
}
