// libFuzzer entry point for the study loader: any text as a study file, in a folder that also
// holds a valid scenario (minimal.yaml) for its `scenario:` key to name. Only
// polarity::ConfigError may come back; anything else is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* kScenario =
    "schema_version: 1\nname: fuzz\nrun: {seed: 7, start: 2023-01, horizon_months: 12}\n"
    "blocs: [west, china]\nnations:\n  - {name: usa, bloc: west}\n  - {name: prc, bloc: china}\n"
    "suppliers:\n  - {name: nvidia, nation: usa}\nlabs:\n  - {name: lab_a, nation: usa}\n"
    "  - {name: lab_b, nation: prc}\n";

/// A private folder with minimal.yaml in it, made once per process and removed at exit.
const fs::path& folder() {
    struct Folder {
        fs::path path = fs::temp_directory_path() / ("polarity_fuzz_study_" + std::to_string(::getpid()));
        Folder() {
            fs::create_directories(path);
            std::ofstream(path / "minimal.yaml") << kScenario;
        }
        ~Folder() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    };
    static const Folder f;
    return f.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fs::path file = folder() / "study.yaml";
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        (void)polarity::config::load_study_file(file.string());
    } catch (const polarity::ConfigError&) {
        // The one expected answer to bad input.
    }
    return 0;
}
