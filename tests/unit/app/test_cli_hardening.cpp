// The command line against hostile or careless use: one exit code per kind of failure for every
// subcommand (docs/cli.md), located messages, and nothing left behind by failures and signals.
#include <catch2/catch.hpp>

#include "cli_runner.hpp"
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

using polarity::test::Result;
using polarity::test::run_cli;
using polarity::test::TempDir;

const std::string minimal = POLARITY_TEST_DATA "/minimal.yaml";
const std::string small_study = POLARITY_TEST_DATA "/studies/small.yaml";

/// The pid of a process that has exited (for a temporary file a killed run left behind).
pid_t dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

}  // namespace

TEST_CASE("no command, --version and a mistyped command", "[cli][hardening]") {
    Result r = run_cli("");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("Subcommands:") && Catch::Contains("a command is required"));
    r = run_cli("--version");
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("polarity " POLARITY_VERSION));
    r = run_cli("runn x.yaml");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("unknown command 'runn'; did you mean 'run'?"));
    r = run_cli("run --no-such-flag " + minimal);
    CHECK(r.code == 2);
    r = run_cli("run --help");
    CHECK(r.code == 0);
}

TEST_CASE("a missing file is bad input (exit 2) in every subcommand", "[cli][hardening]") {
    for (const char* cmd : {"run", "validate", "show", "study"}) {
        INFO(cmd);
        const Result r = run_cli(std::string(cmd) + " no_such_file.yaml");
        CHECK(r.code == 2);
        CHECK_THAT(r.out, Catch::Contains("no_such_file.yaml: cannot read") && Catch::Contains("no such file"));
    }
}

TEST_CASE("validate checks every file even after a bad one, and exits 2", "[cli][hardening]") {
    const std::string bad = POLARITY_TEST_DATA "/bad/hostile_leading_comma.yaml";
    const Result r = run_cli("validate " + bad + " " + minimal + " " + POLARITY_TEST_DATA "/bad/hostile_alias_self.yaml");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("hostile_leading_comma.yaml:1:1: invalid YAML: unexpected ','"));
    CHECK_THAT(r.out, Catch::Contains(minimal + ": ok"));
    CHECK_THAT(r.out, Catch::Contains("hostile_alias_self.yaml:"));
}

TEST_CASE("run and study say so when given the other kind of file", "[cli][hardening]") {
    Result r = run_cli("run " + small_study);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("this is a study file") && Catch::Contains("polarity study"));
    r = run_cli("study " + minimal);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("this is not a study file") && Catch::Contains("polarity run"));
}

TEST_CASE("the run count (--runs) is checked before anything runs", "[cli][hardening][study]") {
    TempDir dir;
    const std::string out = " -o " + (dir.path / "s.h5").string();
    for (const char* runs : {"1e12", "2147483647", "0", "-3", "20000000"}) {
        INFO(runs);
        const Result r = run_cli("study " + small_study + out + " --runs " + runs);
        CHECK(r.code == 2);
        CHECK_THAT(r.out, Catch::Contains("--runs"));
    }
    // Two parameters need four runs per arm for the sensitivity ranking.
    const Result r = run_cli("study " + small_study + out + " --runs 3");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("--runs 3: 3 runs per arm are too few to rank 2 parameters"));
    CHECK(fs::is_empty(dir.path));  // no journal, no output
}

TEST_CASE("a stale temporary file of a killed run is removed by the next run", "[cli][hardening]") {
    TempDir dir;
    const fs::path out = dir.path / "run.h5";
    const fs::path stale = out.string() + ".tmp-" + std::to_string(dead_pid());
    const fs::path live = out.string() + ".tmp-" + std::to_string(::getpid());  // a concurrent run
    std::ofstream(stale) << "debris";
    std::ofstream(live) << "in use";
    const Result r = run_cli("run " + minimal + " -q -o " + out.string());
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("note: removed " + stale.string()));
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(live));
    CHECK(fs::exists(out));
}

TEST_CASE("SIGINT stops a study between batches: exit 130, the journal kept, --resume named",
          "[cli][hardening][study]") {
    TempDir dir;
    const fs::path out = dir.path / "s.h5";
    const fs::path journal = out.string() + ".journal";
    const fs::path log = dir.path / "log";
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        std::freopen(log.c_str(), "w", stderr);
        ::execl(POLARITY_CLI, POLARITY_CLI, "study", small_study.c_str(), "-o", out.c_str(), "--runs", "100000",
                "--threads", "1", "-q", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::error_code ec;
    for (int i = 0; i < 20000 && !(fs::file_size(journal, ec) > 20000 && !ec); ++i) ::usleep(500);
    ::kill(child, SIGINT);
    int status = 0;
    ::waitpid(child, &status, 0);
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    INFO(ss.str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK_THAT(ss.str(), Catch::Contains("interrupted (SIGINT) after") && Catch::Contains("--resume"));
    CHECK(fs::exists(journal));
    CHECK_FALSE(fs::exists(out));
    for (const auto& e : fs::directory_iterator(dir.path))
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("a write that fails (file too large, as on a full disk) exits 3 and leaves nothing",
          "[cli][hardening]") {
    TempDir dir;
    const fs::path out = dir.path / "run.h5";
    // RLIMIT_FSIZE makes every write past 20 KiB fail with EFBIG, as a full disk fails with ENOSPC.
    const std::string cmd = "bash -c \"trap '' XFSZ; ulimit -f 20; " + std::string(POLARITY_CLI) + " run " +
                            POLARITY_SOURCE_DIR "/scenarios/baseline.yaml -q -o " + out.string() + "\"";
    const fs::path log = dir.path / "log";
    const int status = std::system((cmd + " > " + log.string() + " 2>&1").c_str());
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    INFO(ss.str());
    REQUIRE(WIFEXITED(status));  // no crash at exit
    CHECK(WEXITSTATUS(status) == 3);
    CHECK_THAT(ss.str(), Catch::Contains("File too large"));
    CHECK(ss.str().size() < 400);  // the HDF5 error stack cut to what it means
    for (const auto& e : fs::directory_iterator(dir.path)) CHECK(e.path() == log);
}
