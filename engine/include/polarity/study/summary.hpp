#pragma once
/// @file
/// What a finished study says, per arm: the probability of every outcome class with 95 %
/// Wilson intervals, the crossing delay's distribution with censoring handled (Kaplan–Meier
/// over the runs in which the leader crossed), percentiles of the per-run outputs the output
/// table marks, percentile bands of the banded series, and the sensitivity of the marked
/// outputs to each uncertain parameter (Sobol first and total order for a Saltelli design,
/// Morris mu*, mu and sigma for a Morris design, otherwise partial rank correlation). The
/// study's own outputs (StudySpec::outputs) get percentiles and sensitivity like the table's. Computed from the journal in run order, in blocks, so
/// memory stays flat in the number of runs apart from one value per run per output.

#include <array>
#include <string>
#include <vector>

#include "polarity/model/outcome.hpp"
#include "polarity/study/runner.hpp"

namespace polarity::study {

inline constexpr std::array<double, 5> kBandPercentiles = {5, 25, 50, 75, 95};
/// The delays k (months) at which P(crossing delay > k) is reported.
inline constexpr std::array<double, 6> kDelayMonths = {0, 6, 12, 24, 36, 48};

/// Indices into model::run_outputs() of the outputs with percentiles / with sensitivity.
[[nodiscard]] const std::vector<std::size_t>& percentile_outputs();
[[nodiscard]] const std::vector<std::size_t>& sensitivity_outputs();
/// Names of a study's outputs with percentiles / with sensitivity: the table's marked outputs,
/// then the study's own (StudySpec::outputs, which have both). ArmSummary's vectors follow them.
[[nodiscard]] std::vector<std::string> percentile_output_names(const StudyPlan& plan);
[[nodiscard]] std::vector<std::string> sensitivity_output_names(const StudyPlan& plan);

struct ArmSummary {
    std::string name;
    std::size_t runs = 0;
    std::array<std::size_t, model::kOutcomeClasses> count{};
    std::array<double, model::kOutcomeClasses> probability{}, low{}, high{};
    /// [percentile_output_names()[i]][kBandPercentiles] over runs; NaN values are left out.
    std::vector<std::array<double, 5>> percentiles;
    std::size_t leader_crossed = 0;                       ///< runs in which the leader crossed
    std::array<double, kDelayMonths.size()> delay_survival{};  ///< P(delay > k | leader crossed), Kaplan–Meier
    double delay_median = 0;                              ///< Kaplan–Meier median; +inf when not reached
    /// [sensitivity_output_names()[i]][parameter]: Sobol first and total order; PRCC (first
    /// only); Morris mu* (first) and sigma (total), with the signed mean mu in morris_mu.
    std::vector<std::vector<double>> first_order, total_order, morris_mu;
};

struct StudySummary {
    std::string method;                      ///< "sobol", "morris" or "prcc"
    std::size_t runs = 0;
    std::vector<ArmSummary> arms;
    /// [arm][band][percentile][month][width], flattened in that order; band b's block has
    /// layout.band_width[b] values per month.
    std::vector<double> bands;
    /// Offset of arm a, band b's block in `bands`.
    [[nodiscard]] std::size_t band_block(const RecordLayout& layout, std::size_t arm, std::size_t band) const;
};

[[nodiscard]] StudySummary summarize(const StudyPlan& plan, const Journal& journal, std::size_t done);

/// The printed tables: every outcome class with intervals per arm, the crossing delay, the
/// rival's lag, then the sensitivity ranking.
[[nodiscard]] std::string format_summary(const StudyPlan& plan, const StudySummary& summary);

}  // namespace polarity::study
