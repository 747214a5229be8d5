#pragma once
// Running the polarity binary from tests: its exit code and everything it printed, and a
// private temporary folder.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace polarity::test {

struct Result {
    int code;         ///< the exit code, -1 if the process died of a signal
    std::string out;  ///< stdout and stderr together
};

/// Runs `polarity <args>` through the shell.
inline Result run_cli(const std::string& args) {
    namespace fs = std::filesystem;
    const fs::path log = fs::temp_directory_path() / ("polarity_cli_" + std::to_string(::getpid()) + ".log");
    const std::string cmd = std::string(POLARITY_CLI) + " " + args + " > " + log.string() + " 2>&1";
    const int status = std::system(cmd.c_str());
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    fs::remove(log);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str()};
}

/// A folder of this process, removed with everything in it.
struct TempDir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("polarity_cli_test_" + std::to_string(::getpid()));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace polarity::test
