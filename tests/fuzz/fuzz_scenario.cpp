// libFuzzer entry point for the scenario loader: any text, as a scenario file and as the value
// of a --set override. The loader may only ever answer with a polarity::ConfigError; any other
// exception, a crash, a hang or runaway memory is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/core/error.hpp"

namespace {

// A small valid scenario for the --set half, so the override is applied and validated.
constexpr const char* kBase =
    "schema_version: 1\nname: fuzz\nrun: {seed: 7, start: 2023-01}\nblocs: [west]\n"
    "nations:\n  - {name: usa, bloc: west}\nsuppliers:\n  - {name: nvidia, nation: usa}\n"
    "labs:\n  - {name: lab_a, nation: usa}\n";

void load(const std::string& text, const std::vector<std::string>& overrides) {
    try {
        (void)polarity::config::load_scenario_text(text, "fuzz.yaml", overrides);
    } catch (const polarity::ConfigError&) {
        // The one expected answer to bad input.
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    load(text, {});
    // The first line as an override "path=value" of the base scenario.
    load(kBase, {text.substr(0, text.find('\n'))});
    return 0;
}
