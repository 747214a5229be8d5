#include "polarity/model/recorder.hpp"

#include "polarity/core/error.hpp"

#include <stdexcept>

namespace polarity::model {

std::vector<ScenarioAttribute> scenario_attributes(const Scenario& sc) {
    const auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
        return out;
    };
    const auto& q = sc.question;
    return {
        {"question_text", q.text, 0, true, "question.text: the question in plain words (may be empty)"},
        {"leader", q.leader, 0, true, "question.leader: the bloc whose lead is in question"},
        {"rival", q.rival, 0, true, "question.rival: the bloc that may follow"},
        {"leader_aligned", join(q.leader_aligned), 0, true, "question.leader_aligned: nations in the leader's sphere, comma-separated"},
        {"rival_aligned", join(q.rival_aligned), 0, true, "question.rival_aligned: nations in the rival's sphere, comma-separated"},
        {"durable_lead_months", "", static_cast<double>(q.durable_lead_months), false, "question.durable_lead_months"},
        {"prehistory_growth_log10_per_year", "", q.prehistory_growth_log10_per_year, false,
         "question.prehistory_growth_log10_per_year"},
        {"scenario_description", sc.description, 0, true, "description: what the scenario represents"},
        {"powerful_ai_capability", "", sc.world.powerful_ai_capability, false,
         "world.powerful_ai_capability: the powerful-AI threshold, log10 effective FLOP"},
    };
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
