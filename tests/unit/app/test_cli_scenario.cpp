// The scenario commands of the command line: --set on run, show and validate; show; schema.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/scenario_schema.hpp"
#include "polarity/config/scenario_writer.hpp"
#include "polarity/io/hdf5_recorder.hpp"

namespace fs = std::filesystem;

namespace {

struct Output {
    int code;
    std::string out;  // stdout
    std::string err;  // stderr
};

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name = "files")
        : path(fs::temp_directory_path() / ("polarity_cli_scenario_" + std::to_string(::getpid()) + "_" + name)) {
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

/// Runs the CLI with @p args (shell-quoted by the caller), capturing stdout and stderr apart.
Output run_cli(const std::string& args) {
    const TempDir logs("logs");
    const fs::path out = logs.path / "out.log";
    const fs::path err = logs.path / "err.log";
    const std::string cmd = std::string(POLARITY_CLI) + " " + args + " > " + out.string() + " 2> " + err.string();
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

const std::string kMinimal = POLARITY_TEST_DATA "/minimal.yaml";
const std::string kChild = POLARITY_TEST_DATA "/extends/child.yaml";

}  // namespace

TEST_CASE("polarity show prints the resolved scenario, which loads back", "[cli][config]") {
    const Output r = run_cli("show " + kChild + " --set labs.lab_c.risk_appetite=0.5 --set 'policy.remote_access=[]'");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto expected = polarity::config::load_scenario_file(
        kChild, {"labs.lab_c.risk_appetite=0.5", "policy.remote_access=[]"});
    CHECK(r.out == polarity::config::write_scenario_yaml(expected));
    CHECK_THAT(r.out, Catch::Contains("risk_appetite: 0.5"));
    const auto back = polarity::config::load_scenario_text(r.out, "show.yaml");
    CHECK(polarity::config::write_scenario_yaml(back) == r.out);
}

TEST_CASE("a bad --set fails with exit code 2 before any output is written", "[cli][config]") {
    const TempDir dir;
    const fs::path out = dir.path / "run.h5";
    const std::string set = "labs.us_frontier.funding_usd=2e9";
    for (const std::string command : {"run", "show", "validate"}) {
        DYNAMIC_SECTION(command) {
            const Output r = run_cli(command + " " + kMinimal + " --set " + set +
                                      (command == "run" ? " -o " + out.string() : ""));
            CHECK(r.code == 2);
            CHECK_THAT(r.err, Catch::Contains("--set " + set + ":1:1: labs[0].funding_usd: unknown key "
                                              "'funding_usd'; did you mean 'funding_usd_per_month'?"));
            CHECK(r.out.empty());
            CHECK_FALSE(fs::exists(out));
        }
    }
}

TEST_CASE("polarity validate takes many files and --set, and reports each", "[cli][config]") {
    SECTION("all good, with an override applied to each") {
        const Output r = run_cli("validate " + kMinimal + " --set run.seed=3 " + kChild);
        INFO(r.err);
        CHECK(r.code == 0);
        CHECK(r.out == kMinimal + ": ok\n" + kChild + ": ok\n");
    }
    SECTION("one bad file among good ones") {
        const std::string bad = POLARITY_TEST_DATA "/extends/cycle_a.yaml";
        const Output r = run_cli("validate " + kMinimal + " " + bad + " " + kChild);
        CHECK(r.code == 2);
        CHECK(r.out == kMinimal + ": ok\n" + kChild + ": ok\n");
        CHECK_THAT(r.err, Catch::Contains("extends cycle"));
    }
}

TEST_CASE("polarity run applies --set and --seed and records the resolved scenario", "[cli][config]") {
    const TempDir dir;
    const fs::path out = dir.path / "run.h5";
    const Output r = run_cli("run " + kMinimal + " -q -o " + out.string() +
                              " --set run.horizon_months=12 --set question.durable_lead_months=3 --seed 9");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto yaml = polarity::io::read_strings(out, "/scenario_yaml");
    REQUIRE(yaml.size() == 1);
    CHECK_THAT(yaml[0], Catch::Contains("  seed: 9\n  start: 2023-01\n  horizon_months: 12\n"));
    CHECK(yaml[0] == polarity::config::write_scenario_yaml(polarity::config::load_scenario_file(
                         kMinimal, {"run.horizon_months=12", "question.durable_lead_months=3", "run.seed=9"})));
}

TEST_CASE("polarity schema prints the JSON Schema and the key reference", "[cli][config]") {
    Output r = run_cli("schema");
    REQUIRE(r.code == 0);
    CHECK(r.out == polarity::config::scenario_json_schema());
    r = run_cli("schema --markdown");
    REQUIRE(r.code == 0);
    CHECK(r.out == polarity::config::scenario_key_reference());
}
