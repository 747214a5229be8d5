#include "polarity/study/summary.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "polarity/model/recorder.hpp"
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

std::array<double, 5> five(std::vector<double> v) {
    std::array<double, 5> out{};
    if (v.empty()) return out;
    const auto p = percentiles(std::move(v), kPercentiles);
    std::copy(p.begin(), p.end(), out.begin());
    return out;
}

}  // namespace

StudySummary summarize(const StudyPlan& plan, const Journal& journal, std::size_t done) {
    const RecordLayout& L = plan.layout;
    const std::size_t arms = plan.arms.size();
    StudySummary s;
    s.runs = done;
    s.method = plan.spec->sampler == Sampler::saltelli ? "sobol" : "prcc";
    s.arms.resize(arms);
    std::vector<std::array<std::vector<double>, 3>> outputs(arms);  // per arm, per output, in sample order
    std::vector<Matrix> params(arms);
    std::vector<std::vector<double>> param_rows(arms);

    for_each_record(journal, done, [&](const double* r) {
        const auto a = static_cast<std::size_t>(r[0]);
        ArmSummary& arm = s.arms[a];
        ++arm.runs;
        const auto state = static_cast<std::size_t>(r[L.outcome()]);
        ++arm.count[std::min<std::size_t>(state, kStates - 1)];
        outputs[a][0].push_back(state == static_cast<std::size_t>(model::PolarityState::unipolar) ? 1.0 : 0.0);
        outputs[a][1].push_back(r[L.final_lag(static_cast<std::size_t>(plan.rival))]);
        outputs[a][2].push_back(r[L.unipolar_window()]);
        for (std::size_t j = 0; j < L.parameters; ++j) param_rows[a].push_back(r[L.param(j)]);
    });

    const std::vector<Arm> arm_specs = plan.spec->arms.empty() ? std::vector<Arm>{{"base", {}, {}}} : plan.spec->arms;
    for (std::size_t a = 0; a < arms; ++a) {
        ArmSummary& arm = s.arms[a];
        arm.name = arm_specs[a].name;
        for (int k = 0; k < kStates; ++k) {
            const Interval ci = wilson_interval(arm.count[static_cast<std::size_t>(k)], arm.runs);
            arm.probability[static_cast<std::size_t>(k)] =
                arm.runs ? static_cast<double>(arm.count[static_cast<std::size_t>(k)]) / static_cast<double>(arm.runs) : 0.0;
            arm.low[static_cast<std::size_t>(k)] = ci.lower;
            arm.high[static_cast<std::size_t>(k)] = ci.upper;
        }
        arm.rival_lag = five(outputs[a][1]);
        arm.unipolar_window = five(outputs[a][2]);

        // Sensitivity of each output to each parameter.
        if (L.parameters == 0 || arm.runs < 3) continue;
        Matrix x(arm.runs, L.parameters);
        for (std::size_t i = 0; i < arm.runs; ++i)
            for (std::size_t j = 0; j < L.parameters; ++j) x(i, j) = param_rows[a][i * L.parameters + j];
        for (const auto& y : outputs[a]) {
            if (s.method == "sobol") {
                const SobolIndices idx = sobol_indices(plan.saltelli, y);
                arm.first_order.push_back(idx.first_order);
                arm.total_order.push_back(idx.total_order);
            } else {
                arm.first_order.push_back(prcc(x, y));
            }
        }
    }

    // Bands: percentiles over an arm's runs of every (band, month, bloc) value, a block of
    // columns at a time so memory stays bounded whatever the number of runs.
    const std::size_t columns = L.bands * L.months * L.blocs;
    const std::size_t block = std::max<std::size_t>(1, kBandBudgetValues / std::max<std::size_t>(1, done));
    const std::size_t P = kPercentiles.size();
    s.bands.assign(arms * columns * P, 0.0);
    const auto band_index = [&](std::size_t a, std::size_t c, std::size_t p) {
        const std::size_t band = c / (L.months * L.blocs), rest = c % (L.months * L.blocs);
        return ((a * L.bands + band) * P + p) * (L.months * L.blocs) + rest;
    };
    for (std::size_t c0 = 0; c0 < columns; c0 += block) {
        const std::size_t width = std::min(block, columns - c0);
        std::vector<std::vector<std::vector<double>>> values(arms, std::vector<std::vector<double>>(width));
        for_each_record(journal, done, [&](const double* r) {
            const auto a = static_cast<std::size_t>(r[0]);
            for (std::size_t c = 0; c < width; ++c) values[a][c].push_back(r[L.band(0, 0, 0) + c0 + c]);
        });
        for (std::size_t a = 0; a < arms; ++a)
            for (std::size_t c = 0; c < width; ++c) {
                if (values[a][c].empty()) continue;
                const auto p = percentiles(std::move(values[a][c]), kPercentiles);
                for (std::size_t q = 0; q < P; ++q) s.bands[band_index(a, c0 + c, q)] = p[q];
            }
    }
    return s;
}

std::string format_summary(const StudyPlan& plan, const StudySummary& s) {
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line, "\nOutcome probabilities (%zu runs; 95%% Wilson intervals)\n", s.runs);
    out += line;
    std::snprintf(line, sizeof line, "%-24s %6s  %-21s %-21s %-21s  %s\n", "arm", "runs", "P(unipolar)", "P(bipolar)",
                  "P(multipolar)", (plan.spec->rival_bloc + " lag p50 [p5, p95]").c_str());
    out += line;
    const auto cell = [](const ArmSummary& a, int k) {
        char buf[64];
        const auto i = static_cast<std::size_t>(k);
        std::snprintf(buf, sizeof buf, "%.3f [%.3f, %.3f]", a.probability[i], a.low[i], a.high[i]);
        return std::string(buf);
    };
    for (const auto& a : s.arms) {
        std::snprintf(line, sizeof line, "%-24s %6zu  %-21s %-21s %-21s  %.1f [%.1f, %.1f]\n", a.name.c_str(), a.runs,
                      cell(a, 1).c_str(), cell(a, 2).c_str(), cell(a, 3).c_str(), a.rival_lag[2], a.rival_lag[0],
                      a.rival_lag[4]);
        out += line;
    }
    const auto& params = plan.spec->parameters;
    if (params.empty()) return out;
    out += "\nSensitivity (" + std::string(s.method == "sobol" ? "Sobol first / total order" : "partial rank correlation") +
           "), ranked by |index|\n";
    for (const auto& a : s.arms) {
        if (a.first_order.empty()) continue;
        for (std::size_t o = 0; o < kSensitivityOutputs.size(); ++o) {
            std::vector<std::size_t> order(params.size());
            std::iota(order.begin(), order.end(), 0);
            const auto& key = s.method == "sobol" ? a.total_order[o] : a.first_order[o];
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t x, std::size_t y) { return std::abs(key[x]) > std::abs(key[y]); });
            out += "  " + a.name + ", " + kSensitivityOutputs[o] + ":";
            for (std::size_t r = 0; r < order.size(); ++r) {
                const std::size_t j = order[r];
                if (s.method == "sobol")
                    std::snprintf(line, sizeof line, " %s %.2f/%.2f%s", params[j].name.c_str(), a.first_order[o][j],
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
