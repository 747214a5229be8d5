#include "polarity/io/summary.hpp"

#include <algorithm>
#include <cctype>
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

/// Word-wraps `text` at `width` columns, indenting continuation lines by `indent`.
std::string wrap(const std::string& text, std::size_t width, std::size_t indent) {
    std::string out, line;
    std::istringstream words(text);
    std::string w;
    std::size_t used = indent;  // the first line follows a label of that width
    while (words >> w) {
        if (used + (line.empty() ? 0 : 1) + w.size() > width && !line.empty()) {
            out += line + "\n" + std::string(indent, ' ');
            line.clear();
            used = indent;
        }
        if (!line.empty()) line += ' ', ++used;
        line += w;
        used += w.size();
    }
    return out + line;
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
                   (R >= 0 ? " followed " + plural(R - L, "month") + " later (" + month_label(h.start, R) + ")"
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

std::string month_words(const model::CalendarMonth& start, int index) {
    static const char* names[] = {"January", "February", "March", "April", "May", "June", "July",
                                  "August", "September", "October", "November", "December"};
    const auto m = model::CalendarMonth::from_serial(start.serial() + index);
    return std::string(names[m.month - 1]) + " " + std::to_string(m.year);
}

std::string ratio_text(double r) {
    if (std::isinf(r)) return "all";
    char buf[32];
    std::snprintf(buf, sizeof buf, r >= 10 ? "%.0fx" : "%.1fx", r);
    return buf;
}

}  // namespace

std::string readable_name(const std::string& name) {
    std::string out;
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t end = std::min(name.find('_', start), name.size());
        std::string word = name.substr(start, end - start);
        if (word.size() <= 2)
            for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (out.empty() && !word.empty()) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
        out += (out.empty() ? "" : "-") + word;
        start = end + 1;
    }
    return out;
}

std::string format_answer(const model::RunHeader& h, const model::Outcome& o) {
    const std::string lead = readable_name(o.leader), rival = readable_name(o.rival);
    const int L = o.leader_crossing_month, R = o.rival_crossing_month;
    const std::string end = month_words(h.start, o.months_run - 1);
    std::ostringstream a;
    if (L < 0 && R < 0) {
        a << "Neither " << lead << " nor " << rival << " built powerful AI by " << end << ".";
    } else if (L >= 0 && (R < 0 || L <= R)) {
        a << lead << " built powerful AI first, in " << month_words(h.start, L) << ". ";
        if (R < 0)
            a << rival << " had not caught up by " << end << ", " << plural(o.months_run - 1 - L, "month") << " later";
        else if (R == L)
            a << rival << " got there the same month";
        else
            a << rival << " followed " << plural(R - L, "month") << " later, in " << month_words(h.start, R);
        a << ", so " << lead << " held powerful AI alone for " << plural(o.spell_months(model::kLeaderHolds), "month") << ".";
    } else {
        a << rival << " built powerful AI first, in " << month_words(h.start, R) << ". ";
        if (L < 0) a << lead << " had not by " << end << ".";
        else a << lead << " followed " << plural(L - R, "month") << " later.";
    }
    a << " A lead counts as lasting here if it holds for more than " << plural(o.durable_lead_months, "month")
      << ", so this world ended up " << model::to_string(o.label) << ": " << model::describe(o.label) << ".";
    char line[256];
    std::snprintf(line, sizeof line,
                  " At the end, %s's best AI was %.0f months behind %s's, and %s had %s as much computing power.",
                  rival.c_str(), std::max(0.0, o.rival_lag_months), lead.c_str(), lead.c_str(),
                  std::isinf(o.compute_ratio_h100e) ? "all the" : (ratio_text(o.compute_ratio_h100e).substr(0, ratio_text(o.compute_ratio_h100e).size() - 1) + " times").c_str());
    a << line;
    if (o.rival_lag_months < 0) {
        std::snprintf(line, sizeof line, " (%s was ahead by %.0f months.)", rival.c_str(), -o.rival_lag_months);
        a << line;
    }
    return a.str();
}

std::string format_summary(const model::RunHeader& h, const model::Outcome& o) {
    std::ostringstream out;
    char line[256];
    std::snprintf(line, sizeof line, "Scenario '%s', seed %llu, %s to %s (%d months)\n", h.scenario_name.c_str(),
                  static_cast<unsigned long long>(h.seed), month_label(h.start, 0).c_str(),
                  month_label(h.start, h.horizon_months - 1).c_str(), h.horizon_months);
    out << line;
    if (!h.question_text.empty())
        out << "Question: " << h.question_text << "\n\n";
    else
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
    out << "\nAnswer: " << wrap(format_answer(h, o), 100, 8) << "\n";
    return out.str();
}

}  // namespace polarity::io
