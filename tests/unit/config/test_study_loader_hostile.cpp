// Hostile study files (tests/data/studies/bad/hostile_*.yaml): each fails while loading, before
// any run, with file:line:col and key path, as scenario errors do.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

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
    {"hostile_billion_laughs.yaml", 10, 45, "l5", "aliases expand the document past 1000000 nodes"},
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
