#include "polarity/io/summary.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace polarity::io {

namespace {

std::string month_label(const model::CalendarMonth& start, int index) {
    const auto m = model::CalendarMonth::from_serial(start.serial() + index);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", m.year, m.month);
    return buf;
}

std::string plural(int n, const char* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); }

/// One sentence: what the outcome class says about this run.
std::string explain(const model::RunHeader& h, const model::Outcome& o) {
    const int L = o.leader_crossing_month, R = o.rival_crossing_month, W = o.durable_lead_months;
    const std::string end = month_label(h.start, o.months_run - 1);
    const std::string& lead = o.leader;
    const std::string& rival = o.rival;
    switch (o.label) {
        case model::OutcomeClass::none:
            return "neither " + lead + " nor " + rival + " reached powerful AI by " + end + ".";
        case model::OutcomeClass::unipolar:
            return lead + " reached powerful AI in " + month_label(h.start, L) + " and " + rival +
                   (R >= 0 ? " followed only " + plural(R - L, "month") + " later (" + month_label(h.start, R) + ")"
                           : " had not by " + end + ", " + plural(o.months_run - 1 - L, "month") + " later") +
                   ": a lead longer than the " + std::to_string(W) + "-month durable-lead window.";
        case model::OutcomeClass::bipolar:
            if (R == L)
                return lead + " and " + rival + " both reached powerful AI in " + month_label(h.start, L) + ".";
            return (R > L ? rival : lead) + " reached powerful AI " + plural(std::abs(R - L), "month") + " after " +
                   (R > L ? lead : rival) + " (" + month_label(h.start, std::min(L, R)) + ", " +
                   month_label(h.start, std::max(L, R)) + "), within the " + std::to_string(W) +
                   "-month durable-lead window.";
        case model::OutcomeClass::rival_first:
            return rival + " reached powerful AI first, in " + month_label(h.start, R) + ", and " + lead +
                   (L >= 0 ? " followed " + plural(L - R, "month") + " later" : " had not by " + end) + ".";
        case model::OutcomeClass::open:
            return (L >= 0 ? lead : rival) + " reached powerful AI in " + month_label(h.start, L >= 0 ? L : R) +
                   ", but the run ended before the " + std::to_string(W) + "-month durable-lead window had passed.";
    }
    return "";
}

std::string ratio_text(double r) {
    if (std::isinf(r)) return "all";
    char buf[32];
    std::snprintf(buf, sizeof buf, r >= 10 ? "%.0fx" : "%.1fx", r);
    return buf;
}

}  // namespace

std::string format_summary(const model::RunHeader& h, const model::Outcome& o) {
    std::ostringstream out;
    char line[256];
    std::snprintf(line, sizeof line, "Scenario '%s', seed %llu, %s to %s (%d months)\n", h.scenario_name.c_str(),
                  static_cast<unsigned long long>(h.seed), month_label(h.start, 0).c_str(),
                  month_label(h.start, h.horizon_months - 1).c_str(), h.horizon_months);
    out << line;
    out << "Question: does " << o.leader << " reach powerful AI with a lead of more than " << o.durable_lead_months
        << " months over " << o.rival << "?\n\n";
    std::snprintf(line, sizeof line, "%-14s %-13s %11s %13s %14s\n", "bloc", "powerful AI", "capability",
                  "lag (months)", "compute share");
    out << line;
    for (std::size_t b = 0; b < o.blocs.size(); ++b) {
        const int c = o.crossing_month_index[b];
        const bool pair = o.blocs[b] == o.leader || o.blocs[b] == o.rival;
        std::snprintf(line, sizeof line, "%-14s %-13s %11.2f %13.1f %13.1f%%\n",
                      (o.blocs[b] + (pair ? " *" : "")).c_str(), c >= 0 ? month_label(h.start, c).c_str() : "not reached",
                      o.final_capability[b], o.final_lag_months[b], 100.0 * o.final_compute_share[b]);
        out << line;
    }
    out << "(* the declared pair; lag = months since " << o.leader
        << "'s frontier stood where the bloc stands, negative when ahead; share of world effective compute)\n";

    out << "\nOutcome: " << model::to_string(o.label) << ". " << explain(h, o) << "\n";
    if (o.spells.empty()) {
        out << "Unipolar spells: none\n";
    } else {
        out << "Unipolar spells:";
        for (std::size_t i = 0; i < o.spells.size(); ++i) {
            const auto& s = o.spells[i];
            out << (i ? ";" : "") << " " << o.holder_name(s.holder) << " alone " << month_label(h.start, s.start_month_index)
                << " to " << month_label(h.start, s.start_month_index + s.months - 1) << " ("
                << plural(s.months, "month") << (s.ongoing ? ", held at the horizon" : "") << ")";
        }
        out << "\n";
    }
    out << "Crossing delay (" << o.rival << " minus " << o.leader << "): ";
    switch (o.delay.censoring) {
        case model::Censoring::none: out << o.delay.months << " months\n"; break;
        case model::Censoring::at_least: out << "at least " << o.delay.months << " months (" << o.rival << " had not crossed)\n"; break;
        case model::Censoring::at_most: out << "at most " << o.delay.months << " months (" << o.leader << " had not crossed)\n"; break;
        case model::Censoring::unknown: out << "none (neither crossed)\n"; break;
    }
    if (!o.year_end_month_index.empty()) {
        out << o.rival << "'s lag behind " << o.leader << " each December (months):";
        for (std::size_t i = 0; i < o.year_end_month_index.size(); ++i) {
            std::snprintf(line, sizeof line, " %s %.1f", month_label(h.start, o.year_end_month_index[i]).substr(0, 4).c_str(),
                          o.rival_lag_at_year_end[i]);
            out << line << (i + 1 < o.year_end_month_index.size() ? "," : "");
        }
        out << "\n";
    }
    std::snprintf(line, sizeof line, "%s / %s at the horizon: %s the compute (H100e), %s the chips, %s the effective compute; %s holds %.1f%% of world compute\n",
                  o.leader.c_str(), o.rival.c_str(), ratio_text(o.compute_ratio_h100e).c_str(), ratio_text(o.chip_ratio).c_str(),
                  ratio_text(o.effective_compute_ratio).c_str(), o.rival.c_str(), 100.0 * o.rival_compute_share);
    out << line;
    out << "Best model at the horizon: " << o.frontier_bloc << "\n";
    return out.str();
}

}  // namespace polarity::io
