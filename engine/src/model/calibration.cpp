#include "polarity/model/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "polarity/model/phases.hpp"
#include "polarity/model/scenario_keys.hpp"

namespace polarity::model {

TargetKind kind_of(const CalibrationTarget& t) {
    if (t.forecast) return TargetKind::forecast;
    return t.out_of_sample ? TargetKind::out_of_sample : TargetKind::in_sample;
}

const char* to_string(TargetKind k) {
    switch (k) {
        case TargetKind::in_sample: return "in sample";
        case TargetKind::out_of_sample: return "out of sample";
        case TargetKind::forecast: return "forecast";
    }
    return "?";
}

const char* unit_of(CalibrationMetric m) {
    using M = CalibrationMetric;
    switch (m) {
        case M::frontier_compute_growth:
        case M::compute_growth: return "x per year";
        case M::lab_stock_units:
        case M::gray_units:
        case M::production_units: return "chips";
        case M::lag_months:
        case M::pretraining_lag_months: return "months";
        case M::share_of_new_compute:
        case M::compute_share: return "1";
        case M::frontier_compute_h100e:
        case M::compute_h100e:
        case M::gray_h100e: return "H100e";
    }
    return "?";
}

namespace {

// Growth per year of a quantity between the target's `from` and `to`: (v_to / v_from)^(12 / months).
template <class Track>
void track_growth(Track& k, const CalibrationTarget& t, int serial, double v) {
    if (serial == t.from->serial()) k.first = v, k.seen_from = true;
    if (serial == t.to->serial()) k.last = v, k.seen_to = true;
    if (k.seen_from && k.seen_to && k.first > 0) {
        const double months = t.to->serial() - t.from->serial();
        k.value = months > 0 ? std::pow(k.last / k.first, 12.0 / months) : 1.0;
        k.measured = true;
    }
}

// A monthly flow summed over the target's window, reported at `to`.
template <class Track>
void track_sum(Track& k, const CalibrationTarget& t, int serial, double v) {
    k.bloc += v;
    if (serial == t.to->serial()) k.value = k.bloc, k.measured = true;
}

}  // namespace

CalibrationProbe::CalibrationProbe(const Scenario& scenario)
    : scenario_(scenario), tracks_(scenario.calibration.size()) {}

void CalibrationProbe::observe(const World& w, const BlocMetrics& m) {
    const int serial = scenario_.run.start.serial() + w.month_index - 1;  // step() has moved on
    const double flop_per_h100e_month = scenario_.world.h100_flop_per_s * scenario_.world.utilization * seconds_per_month;
    const auto gray = static_cast<std::size_t>(Route::gray);
    for (std::size_t i = 0; i < tracks_.size(); ++i) {
        const CalibrationTarget& t = scenario_.calibration[i];
        Track& k = tracks_[i];
        const int bloc = find_name(scenario_.blocs, t.bloc);  // -1: the world
        const bool at = t.at && t.at->serial() == serial;
        const bool in_window = t.from && t.to && serial >= t.from->serial() && serial <= t.to->serial();
        // The bloc's usable compute (the `bloc_compute_h100e` series), or the world's.
        const auto stock_h100e = [&] {
            if (bloc >= 0) return m.compute_h100e[static_cast<std::size_t>(bloc)];
            double world = 0;
            for (const double b : m.compute_h100e) world += b;
            return world;
        };
        // A sum over the bloc's labs of a per-lab quantity.
        const auto over_labs = [&](auto&& of) {
            double total = 0;
            for (const auto& l : w.labs)
                if (l.bloc == bloc) total += of(l);
            return total;
        };
        switch (t.metric) {
            case CalibrationMetric::frontier_compute_growth: {
                double best = 0;
                for (const auto& l : w.labs)
                    if (l.bloc == bloc && l.spec->frontier) best = std::max(best, l.training_h100e * flop_per_h100e_month);
                track_growth(k, t, serial, best);
                break;
            }
            case CalibrationMetric::compute_growth:
                track_growth(k, t, serial, stock_h100e());
                break;
            case CalibrationMetric::compute_h100e:
                if (at) k.value = stock_h100e(), k.measured = true;
                break;
            case CalibrationMetric::compute_share:
                if (at) k.value = m.compute_share[static_cast<std::size_t>(bloc)], k.measured = true;
                break;
            case CalibrationMetric::lab_stock_units:
                if (at) {
                    const LabState* lead = nullptr;
                    for (const auto& l : w.labs) {
                        if (t.lab.empty() ? (l.bloc == bloc && l.spec->frontier &&
                                             (!lead || l.best_capability > lead->best_capability))
                                          : l.spec->name == t.lab)
                            lead = &l;
                    }
                    double units = 0;
                    for (std::size_t s = 0; lead && s < w.skus.size(); ++s)
                        if (std::find(t.skus.begin(), t.skus.end(), w.skus[s].spec->name) != t.skus.end())
                            units += lead->owned_units[s] + lead->remote_units[s];
                    k.value = units;
                    k.measured = lead != nullptr;
                }
                break;
            case CalibrationMetric::lag_months:
                if (at) k.value = m.lag_months[static_cast<std::size_t>(bloc)], k.measured = true;
                break;
            case CalibrationMetric::share_of_new_compute:
                if (in_window) {
                    for (const auto& l : w.labs) {
                        for (const double h : l.delivered_h100e_by_route) {
                            k.world += h;
                            if (l.bloc == bloc) k.bloc += h;
                        }
                    }
                    if (serial == t.to->serial() && k.world > 0) k.value = k.bloc / k.world, k.measured = true;
                }
                break;
            case CalibrationMetric::pretraining_lag_months: {
                double leader = 0, own = 0;
                for (const auto& l : w.labs) {
                    if (!l.spec->frontier) continue;
                    if (l.side == kLeaderHolds) leader = std::max(leader, l.best_pretraining_capability);
                    if (l.bloc == bloc) own = std::max(own, l.best_pretraining_capability);
                }
                k.leader.push_back(leader);
                k.own.push_back(own);
                if (at) {
                    k.value = lag_months(k.leader, k.own, scenario_.question.prehistory_growth_log10_per_year / 12.0);
                    k.measured = true;
                }
                break;
            }
            case CalibrationMetric::gray_units:
                if (in_window) track_sum(k, t, serial, over_labs([&](const LabState& l) { return l.delivered_by_route[gray]; }));
                break;
            case CalibrationMetric::gray_h100e:
                if (in_window) track_sum(k, t, serial, over_labs([&](const LabState& l) { return l.delivered_h100e_by_route[gray]; }));
                break;
            case CalibrationMetric::production_units:
                if (in_window) {
                    double made = 0;
                    for (const auto& sku : w.skus) {
                        const auto nation = static_cast<std::size_t>(w.suppliers[static_cast<std::size_t>(sku.supplier)].nation);
                        if (w.nations[nation].bloc == bloc) made += sku.produced_month;
                    }
                    track_sum(k, t, serial, made);
                }
                break;
            case CalibrationMetric::frontier_compute_h100e:
                if (at) {
                    double total = 0;
                    for (const auto& l : w.labs)
                        if (l.bloc == bloc && l.spec->frontier) total += l.usable_h100e;
                    k.value = total;
                    k.measured = true;
                }
                break;
        }
    }
}

std::vector<CalibrationResult> CalibrationProbe::results() const {
    std::vector<CalibrationResult> out;
    for (std::size_t i = 0; i < tracks_.size(); ++i)
        out.push_back({&scenario_.calibration[i], tracks_[i].measured, tracks_[i].value});
    return out;
}

namespace {
std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}
}  // namespace

std::string format_calibration(const std::vector<CalibrationResult>& results) {
    std::string out = "Calibration (model vs published range)\n";
    char line[512];
    std::snprintf(line, sizeof line, "%-34s %-13s %10s %21s  %-5s %s\n", "target", "kind", "model", "range", "ok", "published");
    out += line;
    for (const auto& r : results) {
        const std::string range = number(r.target->low) + " - " + number(r.target->high);
        const char* verdict = !r.measured ? "n/a" : r.in_range() ? "yes" : "NO";
        std::snprintf(line, sizeof line, "%-34s %-13s %10s %21s  %-5s %s\n", r.target->name.c_str(),
                      to_string(kind_of(*r.target)), r.measured ? number(r.value).c_str() : "-", range.c_str(), verdict,
                      r.target->published.c_str());
        out += line;
    }
    out += "in sample: fitted to; out of sample: reported, not fitted; forecast: no data yet, a published forecast's range\n";
    return out;
}

CalibrationTable calibration_table(const std::vector<CalibrationResult>& results) {
    CalibrationTable table;
    const auto text = [&](const char* name, const char* description, auto&& of) {
        CalibrationColumn c;
        c.name = name;
        c.description = description;
        c.is_text = true;
        for (const auto& r : results) c.text.emplace_back(of(r));
        table.columns.push_back(std::move(c));
    };
    const auto numbers = [&](const char* name, const char* units, const char* description, bool integer, auto&& of) {
        CalibrationColumn c;
        c.name = name;
        c.units = units;
        c.description = description;
        c.integer = integer;
        for (const auto& r : results) c.numbers.push_back(of(r));
        table.columns.push_back(std::move(c));
    };
    for (const auto& r : results) table.targets.push_back(r.target->name);
    text("metric", "what the target measures (docs/calibration.md)",
         [](const CalibrationResult& r) { return std::string(keys::spelling(r.target->metric)); });
    text("bloc", "the bloc measured; empty: the world", [](const CalibrationResult& r) { return r.target->bloc; });
    text("kind", "in sample, out of sample or forecast", [](const CalibrationResult& r) { return to_string(kind_of(*r.target)); });
    text("units", "unit of value, low and high", [](const CalibrationResult& r) { return unit_of(r.target->metric); });
    numbers("value", "", "the model's value, in the target's units; NaN when the run does not cover the target's dates", false,
            [](const CalibrationResult& r) { return r.measured ? r.value : std::numeric_limits<double>::quiet_NaN(); });
    numbers("low", "", "low end of the published range, in the target's units", false, [](const CalibrationResult& r) { return r.target->low; });
    numbers("high", "", "high end of the published range, in the target's units", false, [](const CalibrationResult& r) { return r.target->high; });
    numbers("in_range", "1", "1 when the value lies inside the published range", true,
            [](const CalibrationResult& r) { return r.in_range() ? 1.0 : 0.0; });
    text("published", "the published figure and its source, in words", [](const CalibrationResult& r) { return r.target->published; });
    return table;
}

}  // namespace polarity::model
