#pragma once
/// @file
/// Parameter distributions of a Monte Carlo study, used only through their inverse CDF.
///
/// Every sampler in sampling.hpp produces u-values in (0, 1); a parameter value is
/// quantile(distribution, u). Inverting the CDF (rather than, say, Box–Muller) keeps one u per
/// parameter per run, which is what stratified designs (Latin hypercube, Sobol) and rank
/// correlation (Iman–Conover) need, and never touches std::*_distribution (STYLE.md §3).
///
/// The normal quantile and CDF use Boost.Math (header-only, rational approximations of
/// erf/erf⁻¹ accurate to a few ulp) with double promotion switched off, so no x87/long-double
/// arithmetic makes results differ between platforms.

#include <variant>
#include <vector>

namespace polarity::study {

/// Continuous uniform on [low, high]; requires low < high.
struct Uniform {
    double low = 0.0;
    double high = 1.0;
};

/// Normal with mean and standard deviation sd > 0.
struct Normal {
    double mean = 0.0;
    double sd = 1.0;
};

/// Lognormal: ln X ~ Normal(mu, sigma), sigma > 0. The median is exp(mu).
struct LogNormal {
    double mu = 0.0;
    double sigma = 1.0;
};

/// Triangular on [low, high] with peak at mode; requires low < high, low <= mode <= high.
struct Triangular {
    double low = 0.0;
    double mode = 0.5;
    double high = 1.0;
};

/// Discrete choice among `values` with probabilities proportional to `weights` (all equal when
/// `weights` is empty). Values need not be sorted; quantile() orders them, so the mapping from u
/// is monotone (needed for rank correlation). Weights must be >= 0 with a positive sum.
struct Choice {
    std::vector<double> values;
    std::vector<double> weights;
};

enum class DistributionKind { uniform, normal, lognormal, triangular, choice };

/// A parameter's distribution: plain data, one of the alternatives above.
/// Example: `Distribution d{Triangular{0.1, 0.3, 0.9}};`
struct Distribution {
    std::variant<Uniform, Normal, LogNormal, Triangular, Choice> params;

    [[nodiscard]] DistributionKind kind() const noexcept {
        return static_cast<DistributionKind>(params.index());
    }
};

/// Checks the parameters (finite, ordered, positive scale, ...).
/// @throws polarity::StudyError naming the distribution and the offending parameter.
void validate(const Distribution& d);

/// Inverse CDF: the smallest x with cdf(d, x) >= u.
///   uniform:    low + u (high - low)
///   normal:     mean + sd Φ⁻¹(u)
///   lognormal:  exp(mu + sigma Φ⁻¹(u))
///   triangular: with F_c = (c - a)/(b - a):  a + sqrt(u (b - a)(c - a))          if u < F_c,
///                                            b - sqrt((1 - u)(b - a)(b - c))    otherwise
///   choice:     the smallest value (in sorted order) whose cumulative weight >= u · Σw
/// @param u in the open interval (0, 1).
/// @throws polarity::StudyError if u is outside (0, 1) or d is invalid (see validate()).
[[nodiscard]] double quantile(const Distribution& d, double u);

/// Cumulative distribution function P(X <= x). Normal: Φ((x - mean)/sd) = erfc(-z/√2)/2;
/// lognormal: Φ((ln x - mu)/sigma) for x > 0, else 0; choice: Σ_{v_i <= x} w_i / Σw.
/// @throws polarity::StudyError if x is NaN or d is invalid.
[[nodiscard]] double cdf(const Distribution& d, double x);

/// z-value of the 95th percentile, Φ⁻¹(0.95).
inline constexpr double z95 = 1.6448536269514722;

/// Lognormal matching an elicited 5th/50th/95th percentile:
///   mu = ln p50,   sigma = (ln p95 - ln p5) / (2 z95).
/// A lognormal is symmetric in log space, so the two log half-spreads ln p50 - ln p5 and
/// ln p95 - ln p50 must agree. Their difference, as a fraction of ln p95 - ln p5, is the
/// asymmetry; the fitted p5 and p95 miss the given ones by a factor exp(asymmetry · spread / 2).
/// @param tolerance largest accepted asymmetry, in [0, 1).
/// @throws polarity::StudyError unless 0 < p5 < p50 < p95 (finite) and asymmetry <= tolerance.
[[nodiscard]] Distribution lognormal_from_percentiles(double p5, double p50, double p95,
                                                      double tolerance = 0.1);

/// Normal matching an elicited 5th/50th/95th percentile:
///   mean = p50,   sd = (p95 - p5) / (2 z95),
/// with the same asymmetry check as lognormal_from_percentiles, in linear space:
/// |(p50 - p5) - (p95 - p50)| / (p95 - p5) <= tolerance.
/// @throws polarity::StudyError unless p5 < p50 < p95 (finite) and asymmetry <= tolerance.
[[nodiscard]] Distribution normal_from_percentiles(double p5, double p50, double p95,
                                                   double tolerance = 0.1);

}  // namespace polarity::study
