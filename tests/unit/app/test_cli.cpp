// The command line as a user runs it: exit codes, messages, and what is (not) left on disk.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "cli_runner.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include "polarity/core/error.hpp"
#include "polarity/io/hdf5_recorder.hpp"

namespace fs = std::filesystem;

namespace {

using polarity::test::Result;
using polarity::test::run_cli;
using polarity::test::TempDir;

const std::string minimal = POLARITY_TEST_DATA "/minimal.yaml";

/// Every dataset of two files holds the same values (numbers exactly; strings as text).
void require_same_datasets(const fs::path& a, const fs::path& b) {
    const auto names = polarity::io::list_datasets(a);
    REQUIRE(names == polarity::io::list_datasets(b));
    for (const auto& n : names) {
        INFO(n);
        std::vector<std::string> sa, sb;
        bool strings = true;
        try {
            sa = polarity::io::read_strings(a, n);
            sb = polarity::io::read_strings(b, n);
        } catch (const polarity::Error&) {
            strings = false;
        }
        if (strings) {
            REQUIRE(sa == sb);
            continue;
        }
        const auto da = polarity::io::read_dataset(a, n), db = polarity::io::read_dataset(b, n);
        REQUIRE(da.shape == db.shape);
        REQUIRE(std::equal(da.values.begin(), da.values.end(), db.values.begin(), db.values.end(),
                           [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); }));
    }
}

}  // namespace

TEST_CASE("polarity run prints the summary and writes the file", "[cli]") {
    TempDir dir;
    const fs::path out = dir.path / "sub" / "run.h5";
    const Result r = run_cli("run " + minimal + " -o " + out.string());
    INFO(r.out);
    REQUIRE(r.code == 0);
    REQUIRE_THAT(r.out, Catch::Contains("powerful AI") && Catch::Contains("Outcome:") &&
                            Catch::Contains("Unipolar spells:") && Catch::Contains("Crossing delay") && Catch::Contains("Wrote " + out.string()));
    REQUIRE(fs::exists(out));
    REQUIRE(polarity::io::read_string_attribute(out, "/", "scenario_name") == "minimal");
}

TEST_CASE("an existing output is kept unless --force", "[cli]") {
    TempDir dir;
    const fs::path out = dir.path / "run.h5";
    { std::ofstream(out) << "precious"; }
    Result r = run_cli("run " + minimal + " -o " + out.string());
    REQUIRE(r.code != 0);
    REQUIRE_THAT(r.out, Catch::Contains("exists"));
    std::ifstream in(out);
    std::string text;
    in >> text;
    REQUIRE(text == "precious");
    r = run_cli("run " + minimal + " -o " + out.string() + " --force --threads 2");
    REQUIRE(r.code == 0);
    REQUIRE(polarity::io::read_string_attribute(out, "/", "format") == "polarity-run/2");
}

TEST_CASE("a bad scenario fails with file:line:col and leaves no output", "[cli]") {
    TempDir dir;
    const fs::path bad = dir.path / "bad.yaml";
    {
        std::ifstream in(minimal);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        text.replace(text.find("nation: prc\n    stock"), 11, "nation: nowhere");
        std::ofstream(bad) << text;
    }
    const fs::path out = dir.path / "bad.h5";
    const Result r = run_cli("run " + bad.string() + " -o " + out.string());
    INFO(r.out);
    REQUIRE(r.code == 2);
    REQUIRE_THAT(r.out, Catch::Contains(bad.string() + ":") && Catch::Contains("labs[1].nation"));
    REQUIRE_FALSE(fs::exists(out));
    for (const auto& e : fs::directory_iterator(dir.path)) REQUIRE(e.path().extension() != ".h5");
}

TEST_CASE("the same seed writes identical datasets whatever the thread count", "[cli][determinism]") {
    TempDir dir;
    const fs::path a = dir.path / "a.h5", b = dir.path / "b.h5";
    REQUIRE(run_cli("run " + minimal + " -q -o " + a.string() + " --threads 1").code == 0);
    REQUIRE(run_cli("run " + minimal + " -q -o " + b.string() + " --threads 2").code == 0);
    REQUIRE(polarity::io::list_datasets(a).size() > 30);
    require_same_datasets(a, b);
}

TEST_CASE("a study killed with SIGKILL and resumed equals an uninterrupted one", "[cli][study]") {
    TempDir dir;
    const std::string study = POLARITY_TEST_DATA "/studies/small.yaml";
    const fs::path a = dir.path / "a.h5", b = dir.path / "b.h5";
    const std::string args = " --runs 300 --threads 1 -q";
    REQUIRE(run_cli("study " + study + " -o " + a.string() + args).code == 0);

    // Start the same study in a child and kill it once a few batches are journalled.
    const fs::path journal = b.string() + ".journal";
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::execl(POLARITY_CLI, POLARITY_CLI, "study", study.c_str(), "-o", b.c_str(), "--runs", "300", "--threads", "1",
                "-q", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    bool killed = false;
    for (int i = 0; i < 20000 && !killed; ++i) {
        std::error_code ec;
        if (fs::file_size(journal, ec) > 40000 && !ec) {
            ::kill(child, SIGKILL);
            killed = true;
        } else {
            ::usleep(500);
        }
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(killed);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE_FALSE(fs::exists(b));     // no partial output
    REQUIRE(fs::exists(journal));

    // Without --resume the interrupted study is protected; with it, it finishes.
    const Result refused = run_cli("study " + study + " -o " + b.string() + args);
    REQUIRE(refused.code != 0);
    REQUIRE_THAT(refused.out, Catch::Contains("--resume"));
    const Result resumed = run_cli("study " + study + " -o " + b.string() + args + " --resume");
    INFO(resumed.out);
    REQUIRE(resumed.code == 0);
    REQUIRE_FALSE(fs::exists(journal));

    require_same_datasets(a, b);
}

TEST_CASE("a study writes full series for the first runs when asked", "[cli][study]") {
    TempDir dir;
    const fs::path study = dir.path / "s.yaml";
    {
        std::ifstream in(POLARITY_TEST_DATA "/studies/small.yaml");
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        const std::string from = "scenario: ../minimal.yaml";
        text.replace(text.find(from), from.size(), std::string("scenario: ") + POLARITY_TEST_DATA "/minimal.yaml");
        std::ofstream(study) << text << "series_runs: 2\n";
    }
    const fs::path out = dir.path / "s.h5";
    const Result r = run_cli("study " + study.string() + " -o " + out.string() + " --runs 4 -q");
    INFO(r.out);
    REQUIRE(r.code == 0);
    for (const char* name : {"weak-0.h5", "weak-1.h5", "strong-0.h5", "strong-1.h5"}) {
        const fs::path f = fs::path(out.string() + ".runs") / name;
        INFO(f);
        REQUIRE(fs::exists(f));
        REQUIRE(polarity::io::read_dataset(f, "bloc_lag_months").shape == std::vector<std::size_t>{24, 3});
    }
    REQUIRE_FALSE(fs::exists(fs::path(out.string() + ".runs") / "weak-2.h5"));
    // The study's own table names the runs the series belong to.
    REQUIRE(polarity::io::read_dataset(out, "run_sample").values[0] == 0);
}

TEST_CASE("polarity validate checks scenario and study files alike", "[cli]") {
    const std::string root = POLARITY_SOURCE_DIR;
    Result r = run_cli("validate " + root + "/scenarios/baseline.yaml " + root + "/scenarios/studies/enforcement.yaml");
    INFO(r.out);
    REQUIRE(r.code == 0);
    REQUIRE_THAT(r.out, Catch::Contains("ok (study)"));
    r = run_cli("validate " + std::string(POLARITY_TEST_DATA) + "/studies/bad/out_of_range_support.yaml");
    REQUIRE(r.code == 2);
    REQUIRE_THAT(r.out, Catch::Contains("out_of_range_support.yaml:6:"));
}
