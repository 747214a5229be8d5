#pragma once
/// @file
/// Summary statistics of study outputs. All sums run in index order, so results are bitwise
/// reproducible; none of these functions draw random numbers.

#include <cstdint>
#include <span>
#include <vector>

#include "polarity/study/distributions.hpp"

namespace polarity::study {

/// A closed interval [lower, upper].
struct Interval {
    double lower = 0.0;
    double upper = 0.0;
};

/// Wilson score interval for a binomial proportion (Wilson 1927; Newcombe 1998 method 3):
///   p̂ = s/n,  centre = (p̂ + z²/2n) / (1 + z²/n),
///   half-width = z / (1 + z²/n) · sqrt(p̂(1 - p̂)/n + z²/4n²),
/// clamped to [0, 1] (and exactly 0 / 1 at s = 0 / s = n). Unlike the Wald interval it stays
/// inside [0, 1] and has sensible width at s = 0 or s = n, which rare study outcomes hit.
/// @param z the normal quantile; 1.959964 for 95%.
/// @throws polarity::StudyError if n == 0, successes > n, or z is not positive and finite.
[[nodiscard]] Interval wilson_interval(std::uint64_t successes, std::uint64_t n,
                                       double z = 1.959964);

/// Percentiles by linear interpolation between order statistics — numpy's default
/// (`np.percentile(x, p, method="linear")`, Hyndman & Fan type 7): with the sorted values
/// x_0 <= ... <= x_{n-1}, h = (n - 1) p / 100, i = ⌊h⌋, g = h - i, the result is
/// x_i + g (x_{i+1} - x_i), evaluated as numpy's _lerp does (from x_{i+1} when g >= 0.5) so the
/// values agree with numpy to the last bit.
/// @param ps percentiles in [0, 100].
/// @throws polarity::StudyError if values is empty or holds NaN, or a p is outside [0, 100].
[[nodiscard]] std::vector<double> percentiles(std::vector<double> values,
                                              const std::vector<double>& ps = {5, 25, 50, 75, 95});

/// Arithmetic mean. @throws polarity::StudyError if x is empty.
[[nodiscard]] double mean(std::span<const double> x);

/// Pearson correlation Σ(x - x̄)(y - ȳ) / sqrt(Σ(x - x̄)² Σ(y - ȳ)²), two-pass.
/// Returns 0 when either input is constant (the correlation is undefined; 0 reads as
/// "no association" in a report, where NaN would poison every downstream aggregate).
/// @throws polarity::StudyError if the lengths differ or are < 2.
[[nodiscard]] double pearson(std::span<const double> x, std::span<const double> y);

/// 1-based ranks, ties given their average rank (scipy.stats.rankdata "average").
/// @throws polarity::StudyError if x holds NaN.
[[nodiscard]] std::vector<double> ranks(std::span<const double> x);

/// Spearman rank correlation: pearson(ranks(x), ranks(y)), ties averaged (as scipy).
/// Returns 0 when either input is constant. @throws as pearson() and ranks().
[[nodiscard]] double spearman(std::span<const double> x, std::span<const double> y);

/// One observation of a time to event: the event happened at `time`, or (censored) had not
/// happened by `time`.
struct Observation {
    double time = 0;
    bool event = true;
};

/// The Kaplan–Meier survival curve S(t) = P(T > t) = prod over event times t_i <= t of
/// (1 - d_i / n_i), d_i events at t_i, n_i observations with time >= t_i (censored ones leave
/// the risk set after their time; at a tie, events come first, the usual convention).
/// Returns S at each of `at`; 1 before the first event, and the last value past the last one.
[[nodiscard]] std::vector<double> kaplan_meier(std::vector<Observation> observations, const std::vector<double>& at);

/// The Kaplan–Meier median: the smallest event time with S(t) <= 0.5, or +inf when the curve
/// never falls that low (more than half are still censored).
[[nodiscard]] double kaplan_meier_median(std::vector<Observation> observations);

/// One-sample Kolmogorov–Smirnov statistic D = sup_x |F_n(x) - F(x)|, evaluated at the jumps:
/// max_i max(i/n - F(x_(i)), F(x_(i)) - (i-1)/n). The 1% critical value is ≈ 1.628/√n for
/// large n (Smirnov's asymptotic distribution).
/// @throws polarity::StudyError if sample is empty or d is invalid.
[[nodiscard]] double ks_statistic(std::vector<double> sample, const Distribution& d);

}  // namespace polarity::study
