#pragma once
// A scratch folder for one test, removed with everything in it when the test ends.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace polarity::test {

class TempDir {
public:
    /// A fresh folder under the system's temporary directory. The process id and a counter keep
    /// concurrent test processes (ctest -j) and nested TempDirs apart; @p tag says whose it is.
    explicit TempDir(const std::string& tag = "test")
        : path(std::filesystem::temp_directory_path() /
               ("polarity_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(next()))) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ignored;  // a destructor must not throw; a leftover folder is harmless
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    /// Writes @p text to the file @p name in the folder and returns its path.
    [[nodiscard]] std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }

    const std::filesystem::path path;

private:
    static int next() {
        static std::atomic<int> count{0};
        return count++;
    }
};

}  // namespace polarity::test
