#include "polarity/model/recorder.hpp"

#include "polarity/core/error.hpp"

#include <stdexcept>

namespace polarity::model {

const char* to_string(PolarityState s) {
    switch (s) {
        case PolarityState::none: return "none";
        case PolarityState::unipolar: return "unipolar";
        case PolarityState::bipolar: return "bipolar";
        case PolarityState::multipolar: return "multipolar";
        case PolarityState::unsettled: return "unsettled";
    }
    // Only reachable through a cast of an out-of-range integer; callers print this, so it
    // must not throw or return null.
    return "invalid";
}

std::size_t MemoryRecorder::series_index(const std::string& name) const {
    for (std::size_t i = 0; i < header.series.size(); ++i) {
        if (header.series[i].name == name) return i;
    }
    throw ModelError("MemoryRecorder: no series named '" + name + "'");
}

double MemoryRecorder::at(const std::string& name, int m, std::size_t e) const {
    const std::size_t s = series_index(name);
    if (m < 0 || static_cast<std::size_t>(m) >= months.size()) {
        throw ModelError("MemoryRecorder: month " + std::to_string(m) + " of series '" +
                                name + "' is outside the " + std::to_string(months.size()) +
                                " recorded months");
    }
    const auto& values = months[static_cast<std::size_t>(m)].values;
    if (s >= values.size() || e >= values[s].size()) {
        throw ModelError("MemoryRecorder: entity " + std::to_string(e) + " of series '" +
                                name + "' is out of range at month " + std::to_string(m));
    }
    return values[s][e];
}

}  // namespace polarity::model
