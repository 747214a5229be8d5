#include "polarity/model/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "polarity/model/phases.hpp"

namespace polarity::model {

const char* to_string(CalibrationMetric m) {
    switch (m) {
        case CalibrationMetric::frontier_compute_growth: return "frontier_compute_growth";
        case CalibrationMetric::lab_stock_units: return "lab_stock_units";
        case CalibrationMetric::lag_months: return "lag_months";
        case CalibrationMetric::share_of_new_compute: return "share_of_new_compute";
        case CalibrationMetric::frontier_compute_h100e: return "frontier_compute_h100e";
        case CalibrationMetric::pretraining_lag_months: return "pretraining_lag_months";
        case CalibrationMetric::gray_units: return "gray_units";
        case CalibrationMetric::production_units: return "production_units";
    }
    return "?";
}

CalibrationProbe::CalibrationProbe(const Scenario& scenario)
    : scenario_(scenario), tracks_(scenario.calibration.size()) {}

void CalibrationProbe::observe(const World& w, const BlocMetrics& m) {
    const int serial = scenario_.run.start.serial() + w.month_index - 1;  // step() has moved on
    const double flop_per_h100e_month = scenario_.world.h100_flop_per_s * scenario_.world.utilization * seconds_per_month;
    for (std::size_t i = 0; i < tracks_.size(); ++i) {
        const CalibrationTarget& t = scenario_.calibration[i];
        Track& k = tracks_[i];
        const int bloc = find_name(scenario_.blocs, t.bloc);
        const bool at = t.at && t.at->serial() == serial;
        const bool in_window = t.from && t.to && serial >= t.from->serial() && serial <= t.to->serial();
        switch (t.metric) {
            case CalibrationMetric::frontier_compute_growth: {
                double best = 0;
                for (const auto& l : w.labs)
                    if (l.bloc == bloc && l.spec->frontier) best = std::max(best, l.training_h100e * flop_per_h100e_month);
                if (t.from && serial == t.from->serial()) k.first = best, k.seen_from = true;
                if (t.to && serial == t.to->serial()) k.last = best, k.seen_to = true;
                if (k.seen_from && k.seen_to && k.first > 0) {
                    const double months = t.to->serial() - t.from->serial();
                    k.value = months > 0 ? std::pow(k.last / k.first, 12.0 / months) : 1.0;
                    k.measured = true;
                }
                break;
            }
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
                        k.world += l.delivered_h100e;
                        if (l.bloc == bloc) k.bloc += l.delivered_h100e;
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
                if (in_window) {
                    for (const auto& l : w.labs)
                        if (l.bloc == bloc) k.bloc += l.delivered_by_route[static_cast<std::size_t>(Route::gray)];
                    if (serial == t.to->serial()) k.value = k.bloc, k.measured = true;
                }
                break;
            case CalibrationMetric::production_units:
                if (in_window) {
                    for (const auto& sku : w.skus) {
                        const auto nation = static_cast<std::size_t>(w.suppliers[static_cast<std::size_t>(sku.supplier)].nation);
                        if (w.nations[nation].bloc == bloc) k.bloc += sku.produced_month;
                    }
                    if (serial == t.to->serial()) k.value = k.bloc, k.measured = true;
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
    std::snprintf(line, sizeof line, "%-38s %10s %21s  %-5s %s\n", "target", "model", "range", "ok", "published");
    out += line;
    for (const auto& r : results) {
        const std::string range = number(r.target->low) + " - " + number(r.target->high);
        const char* verdict = !r.measured ? "n/a" : r.in_range() ? "yes" : "NO";
        std::string name = r.target->name + (r.target->out_of_sample ? " *" : "");
        std::snprintf(line, sizeof line, "%-38s %10s %21s  %-5s %s\n", name.c_str(),
                      r.measured ? number(r.value).c_str() : "-", range.c_str(), verdict, r.target->published.c_str());
        out += line;
    }
    bool any_oos = std::any_of(results.begin(), results.end(), [](const auto& r) { return r.target->out_of_sample; });
    if (any_oos) out += "* out of sample: reported, not fitted\n";
    return out;
}

}  // namespace polarity::model
