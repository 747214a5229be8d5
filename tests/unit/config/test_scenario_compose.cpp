// Tests of scenario composition: `extends` (tests/data/extends/) and "key.path=value"
// overrides (the command line's --set), and where their errors point.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/scenario_writer.hpp"
#include "support/named.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using polarity::ConfigError;
using polarity::config::load_scenario_file;
using polarity::config::load_scenario_text;
using polarity::config::write_scenario_yaml;
using polarity::model::CalendarMonth;

const std::string kDir = std::string(POLARITY_TEST_DATA) + "/extends";
const std::string kBase = kDir + "/base.yaml";

/// The ConfigError thrown by @p load (fails the test if none is thrown).
template <class F>
ConfigError error_of(F&& load) {
    try {
        (void)load();
    } catch (const ConfigError& e) {
        return e;
    }
    FAIL("expected a ConfigError");
    throw std::logic_error("unreachable");
}

ConfigError error_of_file(const std::string& path, const std::vector<std::string>& sets = {}) {
    return error_of([&] { return load_scenario_file(path, sets); });
}

/// The 1-based line of the first line of @p file containing @p text.
int line_of(const std::string& file, const std::string& text) {
    std::ifstream in(file);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find(text) != std::string::npos) return n;
    }
    FAIL("'" << text << "' not in " << file);
    return 0;
}

using polarity::test::named;
using polarity::test::TempDir;

}  // namespace

TEST_CASE("extends merges maps key by key; lists and scalars replace", "[config][extends]") {
    const auto s = load_scenario_file(kDir + "/child.yaml");
    CHECK(s.name == "child");                                              // scalar replaced
    CHECK(s.description == "A complete scenario that other files extend.");  // inherited
    CHECK(s.run.seed == 7);                                                // map merged
    CHECK(s.run.start == CalendarMonth{2023, 1});
    CHECK(s.run.horizon_months == 48);
    CHECK(s.question.durable_lead_months == 24);
    CHECK(s.world.utilization == Approx(0.3));
    CHECK(s.world.training_run_months == 3);
    REQUIRE(s.labs.size() == 1);                                           // list replaced
    CHECK(s.labs[0].name == "lab_c");
    CHECK(named(s.labs, "lab_c").risk_appetite == 0);
    CHECK(s.nations.size() == 2);
    CHECK(s.policy.rules.empty());
    CHECK(s.policy.enforcement_scale == 2);
    CHECK(s.source_path == kDir + "/child.yaml");
}

TEST_CASE("extends chains, each path relative to the file that names it", "[config][extends]") {
    const auto s = load_scenario_file(kDir + "/sub/grandchild.yaml");
    CHECK(s.name == "child");
    CHECK(s.description == "Three files deep.");
    CHECK(s.run.seed == 11);
    CHECK(s.run.horizon_months == 48);
    CHECK(s.question.durable_lead_months == 24);
    REQUIRE(s.labs.size() == 1);
    CHECK(s.labs[0].name == "lab_c");
}

TEST_CASE("a composed scenario keeps the resolved YAML as its source text", "[config][extends]") {
    SECTION("with extends") {
        const auto s = load_scenario_file(kDir + "/child.yaml");
        CHECK(s.source_text == write_scenario_yaml(s));
        CHECK(s.source_text.find("extends") == std::string::npos);
        // Self-contained: it loads on its own, from anywhere, to the same scenario.
        const auto again = load_scenario_text(s.source_text, "/nowhere/copy.yaml");
        CHECK(write_scenario_yaml(again) == s.source_text);
    }
    SECTION("with an override") {
        const auto s = load_scenario_file(kBase, {"run.seed=3"});
        CHECK(s.source_text == write_scenario_yaml(s));
        CHECK_THAT(s.source_text, Catch::Contains("seed: 3"));
    }
    SECTION("with neither, the file's text as it is") {
        std::ifstream in(kBase);
        const std::string text{std::istreambuf_iterator<char>(in), {}};
        CHECK(load_scenario_file(kBase).source_text == text);
    }
}

TEST_CASE("an inherited bad value points into the parent; an override into the child",
          "[config][extends]") {
    SECTION("a range that depends on a key the child changed") {
        const auto e = error_of_file(kDir + "/research_clamp_inverted.yaml");
        CHECK(e.file() == kBase);
        CHECK(e.line() == line_of(kBase, "research_factor_min: 2"));
        CHECK(e.column() == 24);
        CHECK(e.key_path() == "algorithms.research_factor_min");
        CHECK(e.message() == "expected research_factor_min <= research_factor_max (1.5), got 2");
    }
    SECTION("a reference to a name the child removed") {
        const auto e = error_of_file(kDir + "/drops_prc.yaml");
        CHECK(e.file() == kBase);
        CHECK(e.line() == line_of(kBase, "name: lab_b"));
        CHECK(e.key_path() == "labs[1].nation");
        CHECK_THAT(e.message(), Catch::StartsWith("'prc' is not a nation"));
        CHECK_THAT(std::string(e.what()), Catch::StartsWith(kBase + ":"));
    }
    SECTION("a bad value the child wrote") {
        const std::string child = kDir + "/bad_override.yaml";
        const auto e = error_of_file(child);
        CHECK(e.file() == child);
        CHECK(e.line() == line_of(child, "risk_appetite: 1.5"));
        CHECK(e.key_path() == "labs[1].risk_appetite");
        CHECK(e.message() == "expected a number in [0, 1], got 1.5");
    }
}

TEST_CASE("extends cycles and missing parents are errors at the extends line",
          "[config][extends]") {
    SECTION("a cycle names the chain") {
        const auto e = error_of_file(kDir + "/cycle_a.yaml");
        CHECK(e.file() == kDir + "/cycle_b.yaml");
        CHECK(e.line() == 2);
        CHECK(e.column() == 10);
        CHECK(e.key_path() == "extends");
        CHECK(e.message() == "extends cycle: " + kDir + "/cycle_a.yaml -> " + kDir +
                                 "/cycle_b.yaml -> " + kDir + "/cycle_a.yaml");
    }
    SECTION("a file that extends itself") {
        TempDir dir;
        const auto self = dir.write("self.yaml", "extends: ./self.yaml\n");
        const auto e = error_of_file(self);
        CHECK(e.message() == "extends cycle: " + self + " -> " + self);
    }
    SECTION("a missing parent") {
        const std::string path = kDir + "/missing_parent.yaml";
        const auto e = error_of_file(path);
        CHECK(e.file() == path);
        CHECK(e.line() == 3);
        CHECK(e.column() == 10);
        CHECK(e.key_path() == "extends");
        CHECK(e.message() == "cannot read 'no_such_parent.yaml' (" + kDir +
                                 "/no_such_parent.yaml): no such file");
    }
    SECTION("extends must be a path") {
        const auto e = error_of([] { return load_scenario_text("extends: [a, b]\n", "x.yaml"); });
        CHECK(e.line() == 1);
        CHECK(e.key_path() == "extends");
        CHECK(e.message() == "expected the path of the scenario file this one extends");
    }
    SECTION("a parent that is not valid YAML is reported in the parent") {
        TempDir dir;
        (void)dir.write("parent.yaml", "run: [\n");
        const auto child = dir.write("child.yaml", "extends: parent.yaml\n");
        const auto e = error_of_file(child);
        CHECK(e.file() == (dir.path / "parent.yaml").string());
        CHECK_THAT(e.message(), Catch::StartsWith("invalid YAML"));
    }
}

TEST_CASE("text extends relative to its label's directory", "[config][extends]") {
    const auto s = load_scenario_text("extends: base.yaml\nname: inline\n", kDir + "/inline.yaml");
    CHECK(s.name == "inline");
    CHECK(s.labs.size() == 2);
    CHECK(s.source_path.empty());
}

TEST_CASE("schema_version and name may be inherited but the result needs them",
          "[config][extends]") {
    TempDir dir;
    (void)dir.write("partial.yaml",
                    "run: {seed: 1, start: 2023-01}\nblocs: [w]\nnations: [{name: n, bloc: w}]\n"
                    "labs: [{name: l, nation: n}]\n");
    SECTION("missing everywhere") {
        const auto child = dir.write("child.yaml", "extends: partial.yaml\nname: c\n");
        const auto e = error_of_file(child);
        CHECK(e.key_path() == "schema_version");
        CHECK(e.message() == "missing required key 'schema_version'");
        CHECK(e.file() == child);  // the top-level map is the child's: that is where to add it
    }
    SECTION("given by the child") {
        const auto child =
            dir.write("child.yaml", "extends: partial.yaml\nschema_version: 1\nname: c\n");
        CHECK(load_scenario_file(child).name == "c");
    }
}

TEST_CASE("a null value replaces a parent's map; an empty map changes nothing",
          "[config][extends]") {
    const auto load = [](const std::string& policy) {
        return load_scenario_text("extends: base.yaml\n" + policy, kDir + "/inline.yaml");
    };
    const auto reset = load("policy:\n");
    CHECK(reset.policy.rules.empty());
    CHECK(reset.policy.enforcement_scale == 1);  // the default
    const auto kept = load("policy: {}\n");
    CHECK(kept.policy.rules.size() == 1);
    CHECK(kept.policy.enforcement_scale == 2);
}

TEST_CASE("overrides set values by key path", "[config][set]") {
    SECTION("scalars, list entries by name and by index, lists, maps, new keys") {
        const auto s = load_scenario_file(
            kBase, {"run.seed=99", "labs.lab_b.risk_appetite=0.25", "labs.0.capex_share=0.3",
                    "policy.rules=[]", "world={training_run_months: 6}", "paradigm.max_gain=0.1",
                    "description='a: b'", "suppliers.nvidia.skus.h100.price_usd=3e4"});
        CHECK(s.run.seed == 99);
        CHECK(named(s.labs, "lab_b").risk_appetite == 0.25);
        CHECK(named(s.labs, "lab_a").capex_share == 0.3);  // labs.0: the first in the file
        CHECK(s.policy.rules.empty());
        CHECK(s.policy.enforcement_scale == 2);  // the rest of policy stays
        CHECK(s.world.training_run_months == 6);
        CHECK(s.world.utilization == 0.4);  // a map value replaces the whole map: defaults
        CHECK(s.paradigm.max_gain == 0.1);  // paradigm: is absent from the file
        CHECK(s.description == "a: b");
        CHECK(named(named(s.suppliers, "nvidia").skus, "h100").price_usd == 3e4);
    }
    SECTION("applied in order, after extends") {
        const auto s = load_scenario_file(
            kDir + "/child.yaml", {"labs.lab_c.risk_appetite=0.9", "run.seed=1", "run.seed=2"});
        CHECK(named(s.labs, "lab_c").risk_appetite == 0.9);
        CHECK(s.run.seed == 2);
        CHECK(s.run.horizon_months == 48);
    }
    SECTION("an empty value is null, like a key with nothing after it") {
        const auto s = load_scenario_file(kBase, {"policy="});
        CHECK(s.policy.rules.empty());
    }
}

TEST_CASE("override errors name the override as the file", "[config][set]") {
    SECTION("an unknown key is validated like the file's, with a suggestion") {
        const std::string set = "labs.lab_a.funding_usd=2e9";
        const auto e = error_of_file(kBase, {set});
        CHECK(e.file() == "--set " + set);
        CHECK(e.line() == 1);
        CHECK(e.column() == 1);
        CHECK(e.key_path() == "labs[0].funding_usd");
        CHECK(e.message() == "unknown key 'funding_usd'; did you mean 'funding_usd_per_month'?");
        CHECK(std::string(e.what()) ==
              "--set labs.lab_a.funding_usd=2e9:1:1: labs[0].funding_usd: unknown key "
              "'funding_usd'; did you mean 'funding_usd_per_month'?");
    }
    SECTION("a bad value") {
        const auto e = error_of_file(kBase, {"run.seed=-1"});
        CHECK(std::string(e.what()) ==
              "--set run.seed=-1:1:1: run.seed: expected a non-negative integer, got -1");
    }
    SECTION("a bad value inside a flow map points at its column") {
        const auto e = error_of_file(kBase, {"world={utilization: 2}"});
        CHECK(e.file() == "--set world={utilization: 2}");
        CHECK(e.column() == 15);
        CHECK(e.key_path() == "world.utilization");
    }
    SECTION("a list entry that does not exist") {
        auto e = error_of_file(kBase, {"labs.lab_z.risk_appetite=0.1"});
        CHECK(e.line() == 0);
        CHECK(e.key_path() == "labs");
        CHECK(e.message() == "no entry is named 'lab_z'; did you mean 'lab_a'?");
        e = error_of_file(kBase, {"labs.7.risk_appetite=0.1"});
        CHECK(e.message() == "no entry 7 (the list has 2 entries)");
        e = error_of_file(kBase, {"blocs.west=north"});
        CHECK(e.message() == "no entry is named 'west' (its entries have no names; use an index)");
        CHECK(std::string(e.what()) == "--set blocs.west=north: blocs: no entry is named 'west' "
                                       "(its entries have no names; use an index)");
    }
    SECTION("malformed assignments") {
        CHECK(error_of_file(kBase, {"run.seed"}).message() == "expected key.path=value");
        CHECK(error_of_file(kBase, {"=3"}).message() == "expected key.path=value");
        CHECK_THAT(error_of_file(kBase, {"run..seed=3"}).message(),
                   Catch::Contains("an empty key"));
        CHECK(error_of_file(kBase, {"name.first=x"}).message() ==
              "cannot set 'first' inside the value 'base'");
        const auto e = error_of_file(kBase, {"labs=["});
        CHECK(e.file() == "--set labs=[");
        CHECK_THAT(e.message(), Catch::StartsWith("invalid YAML"));
    }
}

TEST_CASE("a rule after the run's last month is an error only where the horizon allows it",
          "[config][extends]") {
    const std::string label = kDir + "/inline.yaml";
    SECTION("written in the file whose run it never reaches") {
        const auto e = error_of([&] {
            return load_scenario_text("extends: base.yaml\npolicy:\n  rules:\n"
                                      "    - {name: r9, start: 2026-01, jurisdiction: usa, destinations: [east], "
                                      "chips: {skus: [h100]}, action: deny}\n",
                                      label);
        });
        CHECK(e.file() == label);
        CHECK(e.line() == 4);
        CHECK(e.key_path() == "policy.rules[0].start");
        CHECK(e.message() == "expected a month within the run (its last month is 2025-12), got 2026-01: the rule "
                             "would never come into force");
    }
    SECTION("set by an override") {
        const auto e = error_of_file(kBase, {"policy.rules.r1.start=2031-01"});
        CHECK(e.file() == "--set policy.rules.r1.start=2031-01");
        CHECK(e.key_path() == "policy.rules[0].start");
    }
    SECTION("a horizon cut short by a file extending the rule's file, or by --set, is deliberate") {
        const auto child = load_scenario_text("extends: late_rule.yaml\nrun: {horizon_months: 12}\n", label);
        CHECK(child.run.horizon_months == 12);
        CHECK(child.policy.rules.at(0).start == CalendarMonth{2025, 6});
        CHECK(load_scenario_file(kDir + "/late_rule.yaml", {"run.horizon_months=12"}).run.horizon_months == 12);
    }
}
