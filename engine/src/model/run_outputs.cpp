#include "polarity/model/run_outputs.hpp"

namespace polarity::model {

namespace {

void push_ints(const std::vector<int>& v, std::vector<double>& out) { out.insert(out.end(), v.begin(), v.end()); }
void push_all(const std::vector<double>& v, std::vector<double>& out) { out.insert(out.end(), v.begin(), v.end()); }

}  // namespace

const std::vector<RunOutput>& run_outputs() {
    using A = OutputAxis;
    static const std::vector<RunOutput> table = {
        {"outcome", A::none, "class",
         "outcome class: 0 none, 1 unipolar, 2 bipolar, 3 rival_first, 4 open (docs/model.md, Outcome)", true, false, false,
         [](const Outcome& o, std::vector<double>& v) { v.push_back(static_cast<double>(o.label)); }},
        {"unipolar", A::none, "1", "1 when the outcome is unipolar: its mean over runs is P(unipolar)", true, false, true,
         [](const Outcome& o, std::vector<double>& v) { v.push_back(o.label == OutcomeClass::unipolar ? 1.0 : 0.0); }},
        {"crossing_delay_months", A::none, "months",
         "rival crossing month minus leader crossing month; censored at the horizon as crossing_delay_censoring says, "
         "NaN when neither crossed",
         false, false, true, [](const Outcome& o, std::vector<double>& v) { v.push_back(o.delay.months); }},
        {"crossing_delay_censoring", A::none, "class",
         "0 exact, 1 at least (the rival had not crossed by the horizon), 2 at most (the leader had not), 3 unknown (neither)",
         true, false, false, [](const Outcome& o, std::vector<double>& v) { v.push_back(static_cast<double>(o.delay.censoring)); }},
        {"leader_crossing_month", A::none, "month index",
         "first month the leader's sphere was past the powerful-AI threshold, -1 never", true, false, false,
         [](const Outcome& o, std::vector<double>& v) { v.push_back(o.leader_crossing_month); }},
        {"rival_crossing_month", A::none, "month index",
         "first month the rival's sphere was past the powerful-AI threshold, -1 never", true, false, false,
         [](const Outcome& o, std::vector<double>& v) { v.push_back(o.rival_crossing_month); }},
        {"leader_unipolar_months", A::none, "months", "months in which the leader's sphere alone held powerful AI", true, true,
         false, [](const Outcome& o, std::vector<double>& v) { v.push_back(o.spell_months(kLeaderHolds)); }},
        {"rival_unipolar_months", A::none, "months", "months in which the rival's sphere alone held powerful AI", true, false,
         false, [](const Outcome& o, std::vector<double>& v) { v.push_back(o.spell_months(kRivalHolds)); }},
        {"rival_lag_months", A::none, "months",
         "the rival's lag at the horizon: months since the leader's frontier stood where the rival's stands (negative: "
         "the rival leads)",
         false, true, true, [](const Outcome& o, std::vector<double>& v) { v.push_back(o.rival_lag_months); }},
        {"rival_lag_year_end_months", A::year_end, "months", "the rival's lag at each December of the run", false, false,
         false, [](const Outcome& o, std::vector<double>& v) { push_all(o.rival_lag_at_year_end, v); }},
        {"compute_ratio_h100e", A::none, "1", "leader's sphere / rival's sphere, usable compute (H100e) at the horizon",
         false, true, false, [](const Outcome& o, std::vector<double>& v) { v.push_back(o.compute_ratio_h100e); }},
        {"chip_ratio", A::none, "1", "leader's sphere / rival's sphere, chips held at the horizon", false, false, false,
         [](const Outcome& o, std::vector<double>& v) { v.push_back(o.chip_ratio); }},
        {"effective_compute_ratio", A::none, "1",
         "leader's sphere / rival's sphere, effective compute (compute x algorithmic efficiency) at the horizon", false,
         false, false, [](const Outcome& o, std::vector<double>& v) { v.push_back(o.effective_compute_ratio); }},
        {"rival_compute_share", A::none, "1", "rival sphere's share of world usable compute (H100e) at the horizon", false,
         true, true, [](const Outcome& o, std::vector<double>& v) { v.push_back(o.rival_compute_share); }},
        {"crossing_month_index", A::bloc, "month index", "first month the bloc was past the powerful-AI threshold, -1 never",
         true, false, false, [](const Outcome& o, std::vector<double>& v) { push_ints(o.crossing_month_index, v); }},
        {"final_capability", A::bloc, "log10 FLOP", "frontier capability at the horizon", false, false, false,
         [](const Outcome& o, std::vector<double>& v) { push_all(o.final_capability, v); }},
        {"final_lag_months", A::bloc, "months", "lag behind the leader's frontier at the horizon (negative: ahead)", false,
         false, false, [](const Outcome& o, std::vector<double>& v) { push_all(o.final_lag_months, v); }},
        {"final_compute_share", A::bloc, "1", "share of world effective compute at the horizon", false, false, false,
         [](const Outcome& o, std::vector<double>& v) { push_all(o.final_compute_share, v); }},
    };
    return table;
}

std::size_t run_output_index(const std::string& name) {
    const auto& t = run_outputs();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].name == name) return i;
    return t.size();
}

std::size_t output_width(const RunOutput& output, std::size_t blocs, std::size_t year_ends) {
    switch (output.axis) {
        case OutputAxis::none: return 1;
        case OutputAxis::bloc: return blocs;
        case OutputAxis::year_end: return year_ends;
    }
    return 1;
}

std::vector<int> year_end_months(const CalendarMonth& start, int months) {
    std::vector<int> out;
    for (int m = 0; m < months; ++m)
        if (CalendarMonth::from_serial(start.serial() + m).month == 12) out.push_back(m);
    return out;
}

}  // namespace polarity::model
