// Hostile study files (tests/data/studies/bad/hostile_*.yaml): each fails while loading, before
// any run, with file:line:col and key path, as scenario errors do.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "polarity/config/limits.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"

namespace {

struct Case {
    const char* file;
    int line;
    int column;
    const char* key_path;
    const char* fragment;
};

const Case kCases[] = {
    {"hostile_alias_cycle.yaml", 7, 5, "arms", "alias *a refers to a node that contains it"},
    {"hostile_billion_laughs.yaml", 10, 25, "l5", "aliases expand the document past 500000 nodes"},
    {"hostile_latin1.yaml", 3, 10, "", "expected UTF-8 text, got byte 0xe9"},
    {"hostile_leading_comma.yaml", 1, 1, "", "invalid YAML: unexpected ','"},
    {"hostile_precision_too_few.yaml", 5, 12, "precision",
     "2 runs per arm are too few to rank 3 parameters"},
    {"hostile_runs_past_limit.yaml", 5, 7, "runs", "expected an integer in [1, 1e+07], got 20000000"},
    {"hostile_runs_too_few.yaml", 5, 7, "runs", "4 runs per arm are too few to rank 3 parameters"},
    {"hostile_saltelli_too_big.yaml", 5, 7, "runs",
     "1 arm(s) x 25000000 runs is more than 20000000 runs (the limit)"},
};

const std::string kDir = POLARITY_TEST_DATA "/studies/bad/";

}  // namespace

TEST_CASE("hostile study files fail while loading, at file:line:col and key path", "[config][study][hardening]") {
    for (const auto& c : kCases) {
        DYNAMIC_SECTION(c.file) {
            const std::string path = kDir + c.file;
            try {
                (void)polarity::config::load_study_file(path);
                FAIL("no error");
            } catch (const polarity::ConfigError& e) {
                INFO(e.what());
                CHECK(e.file() == path);
                CHECK(e.line() == c.line);
                CHECK(e.column() == c.column);
                CHECK(e.key_path() == c.key_path);
                CHECK_THAT(e.message(), Catch::Contains(c.fragment));
            }
        }
    }
}

TEST_CASE("every hostile study fixture has a row", "[config][study][hardening]") {
    std::set<std::string> on_disk, listed;
    for (const auto& e : std::filesystem::directory_iterator(kDir)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("hostile_", 0) == 0) on_disk.insert(name);
    }
    for (const auto& c : kCases) listed.insert(c.file);
    CHECK(on_disk == listed);
}

TEST_CASE("docs/cli.md lists the limits of limits.hpp", "[config][hardening][docs]") {
    namespace limits = polarity::config::limits;
    std::ifstream in(POLARITY_SOURCE_DIR "/docs/cli.md");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str();
    const auto from = doc.find("<!-- BEGIN limits -->"), to = doc.find("<!-- END limits -->");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    const std::string table = doc.substr(from, to - from);
    const auto row = [&](const std::string& what, const std::string& value) {
        INFO(what);
        CHECK_THAT(table, Catch::Contains("| " + what) && Catch::Contains("| " + value));
    };
    row("bytes of one scenario", std::to_string(limits::kMaxInputBytes));
    row("files in one `extends` chain", std::to_string(limits::kMaxExtendsChain));
    row("nesting of lists and maps", std::to_string(limits::kMaxNestingDepth));
    row("nodes of one document", std::to_string(limits::kMaxNodes));
    row("items of one list", std::to_string(limits::kMaxListItems));
    row("keys of one map", std::to_string(limits::kMaxMapKeys));
    CHECK(limits::kMaxChips == 1e10);
    row("chips", "1e10");
    CHECK(limits::kMaxUsd == 1e15);
    row("US dollars", "1e15");
    CHECK(limits::kMaxGrowthPerYear == 10);
    row("growth per year", "10 (");
    row("years a date may name", std::to_string(limits::kMinYear) + " to " + std::to_string(limits::kMaxYear));
    row("runs per arm of a study", std::to_string(limits::kMaxStudyRunsPerArm));
    row("runs of a whole study", std::to_string(limits::kMaxStudyRuns));
}
