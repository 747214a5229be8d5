#include "polarity/io/summary.hpp"

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

}  // namespace

std::string format_summary(const model::RunHeader& h, const model::Outcome& o) {
    std::ostringstream out;
    char line[256];
    std::snprintf(line, sizeof line, "Scenario '%s', seed %llu, %s to %s (%d months)\n\n", h.scenario_name.c_str(),
                  static_cast<unsigned long long>(h.seed), month_label(h.start, 0).c_str(),
                  month_label(h.start, h.horizon_months - 1).c_str(), h.horizon_months);
    out << line;
    std::snprintf(line, sizeof line, "%-14s %-13s %11s %13s %14s\n", "bloc", "powerful AI", "capability",
                  "lag (months)", "compute share");
    out << line;
    for (std::size_t b = 0; b < o.blocs.size(); ++b) {
        const int c = o.crossing_month_index[b];
        std::snprintf(line, sizeof line, "%-14s %-13s %11.2f %13.1f %13.1f%%\n", o.blocs[b].c_str(),
                      c >= 0 ? month_label(h.start, c).c_str() : "not reached", o.final_capability[b],
                      o.final_lag_months[b], 100.0 * o.final_compute_share[b]);
        out << line;
    }
    out << "\nOutcome: " << model::to_string(o.state);
    if (o.state == model::PolarityState::unsettled)
        out << " (last month: " << model::to_string(o.final_state) << ", not held through the settling window)";
    else
        out << " (held through the settling window)";
    out << "\nLeader at the horizon: " << o.leader;
    out << "\nUnipolar window: " << o.unipolar_window_months << " months\n";
    return out.str();
}

}  // namespace polarity::io
