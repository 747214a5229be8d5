#pragma once
/// @file
/// What a finished study says: per-arm outcome probabilities with 95 % Wilson intervals,
/// percentile bands of the banded series, and the sensitivity of the headline outputs to each
/// uncertain parameter (Sobol first and total order for a Saltelli design, otherwise partial
/// rank correlation). Computed from the journal in run order, in blocks, so memory stays flat
/// in the number of runs apart from one value per run per output.

#include <array>
#include <string>
#include <vector>

#include "polarity/study/runner.hpp"

namespace polarity::study {

inline constexpr std::array<double, 5> kBandPercentiles = {5, 25, 50, 75, 95};
inline constexpr int kStates = 5;  ///< none, unipolar, bipolar, multipolar, unsettled

/// The outputs sensitivity is computed for.
inline const std::vector<std::string> kSensitivityOutputs = {"p_unipolar", "rival_lag_months", "unipolar_window_months"};

struct ArmSummary {
    std::string name;
    std::size_t runs = 0;
    std::array<std::size_t, kStates> count{};
    std::array<double, kStates> probability{}, low{}, high{};
    std::array<double, 5> rival_lag{};          ///< percentiles of the rival's final lag
    std::array<double, 5> unipolar_window{};    ///< percentiles of the unipolar window
    /// [output][parameter]: first order, total order (Sobol) or PRCC (first only)
    std::vector<std::vector<double>> first_order, total_order;
};

struct StudySummary {
    std::string method;                      ///< "sobol" or "prcc"
    std::size_t runs = 0;
    std::vector<ArmSummary> arms;
    /// [arm][band][percentile][month][bloc], flattened in that order.
    std::vector<double> bands;
};

[[nodiscard]] StudySummary summarize(const StudyPlan& plan, const Journal& journal, std::size_t done);

/// The printed table: probabilities with intervals per arm, then the sensitivity ranking.
[[nodiscard]] std::string format_summary(const StudyPlan& plan, const StudySummary& summary);

}  // namespace polarity::study
