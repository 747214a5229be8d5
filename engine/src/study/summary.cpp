#include "polarity/study/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "polarity/study/sensitivity.hpp"
#include "polarity/study/statistics.hpp"

namespace polarity::study {

namespace {

constexpr std::size_t kChunkRecords = 2048;
constexpr std::size_t kBandBudgetValues = std::size_t{1} << 22;  // 32 MiB of doubles per block

const std::vector<double> kPercentiles(kBandPercentiles.begin(), kBandPercentiles.end());

template <class F>
void for_each_record(const Journal& journal, std::size_t done, F&& f) {
    std::vector<double> chunk;
    const std::size_t R = journal.record_doubles();
    for (std::size_t first = 0; first < done; first += kChunkRecords) {
        const std::size_t n = std::min(kChunkRecords, done - first);
        journal.read(first, n, chunk);
        for (std::size_t i = 0; i < n; ++i) f(chunk.data() + i * R);
    }
}

std::vector<std::size_t> outputs_where(bool model::RunOutput::*flag) {
    std::vector<std::size_t> v;
    const auto& t = model::run_outputs();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].*flag && t[i].axis == model::OutputAxis::none) v.push_back(i);
    return v;
}

std::array<double, 5> five(std::vector<double> v) {
    std::array<double, 5> out{};
    std::erase_if(v, [](double x) { return std::isnan(x); });
    if (v.empty()) {
        out.fill(std::nan(""));
        return out;
    }
    const auto p = percentiles(std::move(v), kPercentiles);
    std::copy(p.begin(), p.end(), out.begin());
    return out;
}

std::size_t per_arm_band_values(const RecordLayout& L) {
    std::size_t n = 0;
    for (std::size_t b = 0; b < L.bands(); ++b) n += kPercentiles.size() * L.months * L.band_width[b];
    return n;
}

const std::size_t kOutcome = model::run_output_index("outcome");
const std::size_t kDelay = model::run_output_index("crossing_delay_months");
const std::size_t kCensoring = model::run_output_index("crossing_delay_censoring");

}  // namespace

const std::vector<std::size_t>& percentile_outputs() {
    static const auto v = outputs_where(&model::RunOutput::percentiles);
    return v;
}

const std::vector<std::size_t>& sensitivity_outputs() {
    static const auto v = outputs_where(&model::RunOutput::sensitivity);
    return v;
}

std::vector<std::string> percentile_output_names(const StudyPlan& plan) {
    std::vector<std::string> names;
    for (std::size_t i : percentile_outputs()) names.push_back(model::run_outputs()[i].name);
    for (const auto& o : plan.spec->outputs) names.push_back(o.name);
    return names;
}

std::vector<std::string> sensitivity_output_names(const StudyPlan& plan) {
    std::vector<std::string> names;
    for (std::size_t i : sensitivity_outputs()) names.push_back(model::run_outputs()[i].name);
    for (const auto& o : plan.spec->outputs) names.push_back(o.name);
    return names;
}

std::size_t StudySummary::band_block(const RecordLayout& L, std::size_t arm, std::size_t band) const {
    std::size_t at = arm * per_arm_band_values(L);
    for (std::size_t b = 0; b < band; ++b) at += kPercentiles.size() * L.months * L.band_width[b];
    return at;
}

StudySummary summarize(const StudyPlan& plan, const Journal& journal, std::size_t done) {
    const RecordLayout& L = plan.layout;
    const std::size_t arms = plan.arms.size();
    const auto& pct_out = percentile_outputs();
    const auto& sens_out = sensitivity_outputs();
    const std::size_t own = L.study_outputs.size();
    StudySummary s;
    s.runs = done;
    s.method = plan.spec->sampler == Sampler::saltelli ? "sobol" : plan.spec->sampler == Sampler::morris ? "morris" : "prcc";
    s.arms.resize(arms);
    std::vector<std::vector<std::vector<double>>> pct_values(arms, std::vector<std::vector<double>>(pct_out.size() + own));
    std::vector<std::vector<std::vector<double>>> sens_values(arms, std::vector<std::vector<double>>(sens_out.size() + own));
    std::vector<std::vector<Observation>> delays(arms);
    std::vector<std::vector<double>> param_rows(arms);

    for_each_record(journal, done, [&](const double* r) {
        const auto a = static_cast<std::size_t>(r[0]);
        ArmSummary& arm = s.arms[a];
        ++arm.runs;
        const auto label = static_cast<std::size_t>(r[L.output(kOutcome)]);
        ++arm.count[std::min<std::size_t>(label, model::kOutcomeClasses - 1)];
        for (std::size_t i = 0; i < pct_out.size(); ++i) pct_values[a][i].push_back(r[L.output(pct_out[i])]);
        for (std::size_t i = 0; i < sens_out.size(); ++i) sens_values[a][i].push_back(r[L.output(sens_out[i])]);
        for (std::size_t i = 0; i < own; ++i) {
            pct_values[a][pct_out.size() + i].push_back(r[L.study_output(i)]);
            sens_values[a][sens_out.size() + i].push_back(r[L.study_output(i)]);
        }
        // The delay is measured from the leader's crossing: runs in which the leader never
        // crossed have no origin and are left out (their count is reported).
        const auto censoring = static_cast<model::Censoring>(r[L.output(kCensoring)]);
        if (censoring == model::Censoring::none || censoring == model::Censoring::at_least)
            delays[a].push_back({r[L.output(kDelay)], censoring == model::Censoring::none});
        for (std::size_t j = 0; j < L.parameters; ++j) param_rows[a].push_back(r[L.param(j)]);
    });

    const std::vector<Arm> arm_specs = plan.spec->arms.empty() ? std::vector<Arm>{{"base", {}, {}}} : plan.spec->arms;
    const std::vector<double> delay_at(kDelayMonths.begin(), kDelayMonths.end());
    for (std::size_t a = 0; a < arms; ++a) {
        ArmSummary& arm = s.arms[a];
        arm.name = arm_specs[a].name;
        for (std::size_t k = 0; k < model::kOutcomeClasses; ++k) {
            const Interval ci = wilson_interval(arm.count[k], arm.runs);
            arm.probability[k] = arm.runs ? static_cast<double>(arm.count[k]) / static_cast<double>(arm.runs) : 0.0;
            arm.low[k] = ci.lower;
            arm.high[k] = ci.upper;
        }
        for (auto& v : pct_values[a]) arm.percentiles.push_back(five(std::move(v)));
        arm.leader_crossed = delays[a].size();
        const auto survival = kaplan_meier(delays[a], delay_at);
        std::copy(survival.begin(), survival.end(), arm.delay_survival.begin());
        arm.delay_median = delays[a].empty() ? std::nan("") : kaplan_meier_median(delays[a]);

        // Sensitivity of each marked output to each parameter. Censored delays enter at their
        // censoring value (a lower bound), and a run with no delay (NaN) at the horizon's length.
        // A study's own output with a NaN value (a series undefined that month) gets NaN indices.
        if (L.parameters == 0 || arm.runs < 3) continue;
        Matrix x(arm.runs, L.parameters);
        for (std::size_t i = 0; i < arm.runs; ++i)
            for (std::size_t j = 0; j < L.parameters; ++j) x(i, j) = param_rows[a][i * L.parameters + j];
        for (std::size_t o = 0; o < sens_values[a].size(); ++o) {
            auto& y = sens_values[a][o];
            if (o >= sens_out.size() && std::any_of(y.begin(), y.end(), [](double v) { return std::isnan(v); })) {
                const std::vector<double> none(L.parameters, std::nan(""));
                arm.first_order.push_back(none);
                if (s.method != "prcc") arm.total_order.push_back(none);
                if (s.method == "morris") arm.morris_mu.push_back(none);
                continue;
            }
            for (double& v : y)
                if (std::isnan(v)) v = static_cast<double>(L.months);
            if (s.method == "morris") {
                const MorrisIndices idx = morris_indices(plan.morris, y);
                arm.first_order.push_back(idx.mu_star);
                arm.total_order.push_back(idx.sigma);
                arm.morris_mu.push_back(idx.mu);
            } else if (s.method == "sobol") {
                const SobolIndices idx = sobol_indices(plan.saltelli, y);
                arm.first_order.push_back(idx.first_order);
                arm.total_order.push_back(idx.total_order);
            } else {
                arm.first_order.push_back(prcc(x, y));
            }
        }
    }

    // Bands: percentiles over an arm's runs of every (band, month, entity) value, a block of
    // columns at a time so memory stays bounded whatever the number of runs.
    std::vector<std::size_t> column_band, column_offset;  // band and offset within the band, per column
    for (std::size_t b = 0; b < L.bands(); ++b)
        for (std::size_t c = 0; c < L.months * L.band_width[b]; ++c) column_band.push_back(b), column_offset.push_back(c);
    const std::size_t columns = column_band.size();
    const std::size_t block = std::max<std::size_t>(1, kBandBudgetValues / std::max<std::size_t>(1, done));
    const std::size_t P = kPercentiles.size();
    s.bands.assign(arms * per_arm_band_values(L), 0.0);
    for (std::size_t c0 = 0; c0 < columns; c0 += block) {
        const std::size_t width = std::min(block, columns - c0);
        std::vector<std::vector<std::vector<double>>> values(arms, std::vector<std::vector<double>>(width));
        for_each_record(journal, done, [&](const double* r) {
            const auto a = static_cast<std::size_t>(r[0]);
            for (std::size_t c = 0; c < width; ++c) {
                const std::size_t b = column_band[c0 + c];
                values[a][c].push_back(r[L.band_offset[b] + column_offset[c0 + c]]);
            }
        });
        for (std::size_t a = 0; a < arms; ++a)
            for (std::size_t c = 0; c < width; ++c) {
                if (values[a][c].empty()) continue;
                const std::size_t b = column_band[c0 + c];
                const std::size_t per_pct = L.months * L.band_width[b];
                const auto p = percentiles(std::move(values[a][c]), kPercentiles);
                for (std::size_t q = 0; q < P; ++q) s.bands[s.band_block(L, a, b) + q * per_pct + column_offset[c0 + c]] = p[q];
            }
    }
    return s;
}

namespace {

std::string cell(const ArmSummary& a, std::size_t k) {
    char buf[64];
    // Leading zeros dropped from the bounds keep five classes within a terminal's width.
    const auto trim = [](double x) {
        char b[16];
        std::snprintf(b, sizeof b, "%.3f", x);
        return std::string(b[0] == '0' ? b + 1 : b);
    };
    std::snprintf(buf, sizeof buf, "%.3f [%s,%s]", a.probability[k], trim(a.low[k]).c_str(), trim(a.high[k]).c_str());
    return buf;
}

std::string months_text(double m) {
    if (std::isnan(m)) return "-";
    if (std::isinf(m)) return "not reached";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", m);
    return buf;
}

}  // namespace

std::string format_summary(const StudyPlan& plan, const StudySummary& s) {
    const model::Scenario& base = plan.arms.front();
    // The arm column fits the longest arm name.
    int arm_width = 22;
    for (const auto& a : s.arms) arm_width = std::max(arm_width, static_cast<int>(a.name.size()));
    const std::string& leader = base.question.leader;
    const std::string& rival = base.question.rival;
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line,
                  "\nOutcomes (%zu runs; leader %s, rival %s, durable lead %d months; 95%% Wilson intervals)\n", s.runs,
                  leader.c_str(), rival.c_str(), base.question.durable_lead_months);
    out += line;
    std::snprintf(line, sizeof line, "%-*s %6s", arm_width, "arm", "runs");
    out += line;
    for (int k = 0; k < model::kOutcomeClasses; ++k) {
        std::snprintf(line, sizeof line, "  %-18s", model::to_string(static_cast<model::OutcomeClass>(k)));
        out += line;
    }
    out += "\n";
    for (const auto& a : s.arms) {
        std::snprintf(line, sizeof line, "%-*s %6zu", arm_width, a.name.c_str(), a.runs);
        out += line;
        for (std::size_t k = 0; k < model::kOutcomeClasses; ++k) {
            std::snprintf(line, sizeof line, "  %-18s", cell(a, k).c_str());
            out += line;
        }
        out += "\n";
    }

    std::snprintf(line, sizeof line,
                  "\nCrossing delay (%s's crossing minus %s's, months; Kaplan-Meier over runs in which %s crossed)\n",
                  rival.c_str(), leader.c_str(), leader.c_str());
    out += line;
    std::snprintf(line, sizeof line, "%-*s %14s %12s", arm_width, "arm", "leader crossed", "median");
    out += line;
    for (double k : kDelayMonths) {
        std::snprintf(line, sizeof line, " %8s", ("P(>" + months_text(k) + ")").c_str());
        out += line;
    }
    out += "\n";
    for (const auto& a : s.arms) {
        std::snprintf(line, sizeof line, "%-*s %14zu %12s", arm_width, a.name.c_str(), a.leader_crossed,
                      months_text(a.delay_median).c_str());
        out += line;
        for (double p : a.delay_survival) {
            std::snprintf(line, sizeof line, " %8.3f", p);
            out += line;
        }
        out += "\n";
    }

    out += "\nPer-run measures at the horizon, p50 [p5, p95]\n";
    std::snprintf(line, sizeof line, "%-*s", arm_width, "arm");
    out += line;
    for (const auto& name : percentile_output_names(plan)) {
        std::snprintf(line, sizeof line, "  %-24s", name.c_str());
        out += line;
    }
    out += "\n";
    for (const auto& a : s.arms) {
        std::snprintf(line, sizeof line, "%-*s", arm_width, a.name.c_str());
        out += line;
        for (const auto& p : a.percentiles) {
            char c[64];
            std::snprintf(c, sizeof c, "%.3g [%.3g, %.3g]", p[2], p[0], p[4]);
            std::snprintf(line, sizeof line, "  %-24s", c);
            out += line;
        }
        out += "\n";
    }

    const auto& params = plan.spec->parameters;
    if (params.empty()) return out;
    out += "\nSensitivity (" +
           std::string(s.method == "sobol"    ? "Sobol first / total order"
                       : s.method == "morris" ? "Morris mu* / sigma, per unit of each parameter's quantile"
                                              : "partial rank correlation") +
           "), ranked by |index|\n";
    const auto sens = sensitivity_output_names(plan);
    for (const auto& a : s.arms) {
        if (a.first_order.empty()) continue;
        for (std::size_t o = 0; o < sens.size(); ++o) {
            std::vector<std::size_t> order(params.size());
            std::iota(order.begin(), order.end(), 0);
            const auto& key = s.method == "sobol" ? a.total_order[o] : a.first_order[o];  // Morris: mu*
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t x, std::size_t y) { return std::abs(key[x]) > std::abs(key[y]); });
            out += "  " + a.name + ", " + sens[o] + ":";
            for (std::size_t r = 0; r < order.size(); ++r) {
                const std::size_t j = order[r];
                if (s.method != "prcc")
                    std::snprintf(line, sizeof line, s.method == "sobol" ? " %s %.2f/%.2f%s" : " %s %.3g/%.3g%s", params[j].name.c_str(), a.first_order[o][j],
                                  a.total_order[o][j], r + 1 < order.size() ? "," : "");
                else
                    std::snprintf(line, sizeof line, " %s %+.2f%s", params[j].name.c_str(), a.first_order[o][j],
                                  r + 1 < order.size() ? "," : "");
                out += line;
            }
            out += "\n";
        }
    }
    return out;
}

}  // namespace polarity::study
