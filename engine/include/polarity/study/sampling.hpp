#pragma once
/// @file
/// Study designs: matrices of u-values in (0, 1), one row per run and one column per parameter,
/// turned into parameter values by quantile() (distributions.hpp).
///
/// Every design is a pure function of its arguments. Random draws come only from
/// core::Stream with Purpose::study_sampling; the key's second word (the "run" slot of the
/// Stream) names the sampler so the samplers never share a stream:
///
/// | sampler              | Stream(seed, sub, study_sampling, a, b)     | draws                  |
/// |----------------------|---------------------------------------------|------------------------|
/// | random_sample        | sub = 0, a = run i, b = parameter j         | 1st: u_ij              |
/// | latin_hypercube      | sub = 1, a = parameter j, b = 0             | Fisher–Yates, column j |
/// | latin_hypercube      | sub = 1, a = parameter j, b = 1             | offsets, rows 0..n-1   |
/// | sobol_shifted        | sub = 2, a = 0, b = dimension j             | 1st: shift s_j         |
/// | morris               | sub = 3, a = trajectory t, b = 0            | order, directions, base|
///
/// full_factorial draws nothing.
///
/// Prefix stability ("run i is the same whatever the number of runs"): holds for
/// random_sample, sobol, sobol_shifted, saltelli on a Sobol base, full_factorial (whole
/// repetitions of the grid) and morris (whole trajectories): rows are per-run functions;
/// it cannot hold for latin_hypercube or impose_rank_correlation, whose strata and ranks depend
/// on n by construction.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "polarity/study/distributions.hpp"
#include "polarity/study/matrix.hpp"

namespace polarity::study {

/// Largest Sobol dimension Boost 1.74's default table (Joe & Kuo 2008) supports.
inline constexpr std::size_t max_sobol_dimension = 3667;

/// Independent uniforms: u_ij = Stream(seed, 0, study_sampling, i, j).uniform01(), clamped to
/// at most 1 - 2^-53 (uniform01 is in (0, 1]; quantile() needs u < 1).
/// @throws polarity::StudyError if k == 0.
[[nodiscard]] Matrix random_sample(std::size_t n, std::size_t k, std::uint64_t seed);

/// Latin hypercube (McKay, Beckman & Conover 1979): column j is
///   u_ij = (π_j(i) + v_ij) / n,
/// with π_j a uniformly random permutation of the strata 0..n-1 (Fisher–Yates, unbiased integer
/// draws from the Stream) and v_ij uniform in (0, 1). So every column has exactly one point in
/// each stratum [m/n, (m+1)/n).
/// @throws polarity::StudyError if k == 0.
[[nodiscard]] Matrix latin_hypercube(std::size_t n, std::size_t k, std::uint64_t seed);

/// Sobol low-discrepancy sequence (boost::random::sobol, Joe–Kuo direction numbers, Gray-code
/// order, 64-bit). Boost omits the all-zero first point, so row 0 is (0.5, 0.5, ...), then
/// (0.75, 0.25, ...), (0.25, 0.75, ...), (0.375, 0.375, ...). Row i is point skip + i of that
/// sequence. An integer x maps to u = ⌊x / 2^11⌋ · 2^-53, exact for the first 2^53 points and
/// strictly inside (0, 1) for every point but the omitted zero. Prefixes of length 2^m are
/// (t, m, s)-nets, so choose n (and skip) as powers of two when balance matters.
/// @throws polarity::StudyError if k == 0 or k > max_sobol_dimension.
[[nodiscard]] Matrix sobol(std::size_t n, std::size_t k, std::uint64_t skip = 0);

/// Sobol points with a Cranley–Patterson rotation: u_ij = frac(sobol_ij + s_j) with one shift
/// s_j ~ U(0, 1) per dimension from the Stream. The rotation keeps the point set's low
/// discrepancy (though not the exact elementary-interval balance of the net), makes each point
/// uniformly distributed, so estimates are unbiased, and different seeds give independent
/// replicates whose spread estimates the integration error (Cranley & Patterson 1976; Owen,
/// "Monte Carlo theory, methods and examples", ch. 17). Results are clamped into (0, 1).
/// @throws polarity::StudyError as sobol().
[[nodiscard]] Matrix sobol_shifted(std::size_t n, std::size_t k, std::uint64_t seed,
                                   std::uint64_t skip = 0);

/// How saltelli() builds its base matrices A and B.
enum class SaltelliBase {
    sobol,            ///< a 2k-dimensional Sobol sequence: A = dims 0..k-1, B = dims k..2k-1
    sobol_shifted,    ///< the same, Cranley–Patterson rotated by the seed (the default)
    latin_hypercube,  ///< a 2k-column Latin hypercube, split the same way
};

/// Saltelli design for Sobol sensitivity indices (Saltelli et al. 2010, Comput. Phys. Commun.
/// 181:259): base matrices A, B (n_base x k) and, for each parameter i, AB_i = A with column i
/// taken from B. Total runs n_base · (k + 2).
///
/// Row order is interleaved by base sample j, so a prefix of the design is the design for fewer
/// base samples (with a Sobol base):
///   row j(k+2)          = A_j
///   row j(k+2) + 1 + i  = AB_i,j      (i = 0..k-1)
///   row j(k+2) + k + 1  = B_j
struct SaltelliDesign {
    std::size_t n_base = 0;  ///< N, the number of base samples
    std::size_t k = 0;       ///< number of parameters
    Matrix matrix;           ///< n_base (k + 2) x k u-values

    [[nodiscard]] std::size_t a_row(std::size_t j) const noexcept { return j * (k + 2); }
    [[nodiscard]] std::size_t ab_row(std::size_t i, std::size_t j) const noexcept {
        return j * (k + 2) + 1 + i;
    }
    [[nodiscard]] std::size_t b_row(std::size_t j) const noexcept { return j * (k + 2) + k + 1; }
};

/// Builds a Saltelli design from a base of 2k columns (see SaltelliBase). The seed drives the
/// rotation or the Latin hypercube; it is unused for SaltelliBase::sobol. Use n_base a power of
/// two with a Sobol base. With SaltelliBase::sobol the first base sample is the centre point in
/// all 2k dimensions, so A_0 = B_0 and that sample adds nothing to the index sums; it is kept
/// because dropping it would break the net's balance (Owen 2020, "On dropping the first Sobol'
/// point"). The default rotated base has no such coincidence.
/// @throws polarity::StudyError if k == 0, n_base < 2, or 2k > max_sobol_dimension for a
///         Sobol base.
[[nodiscard]] SaltelliDesign saltelli(std::size_t n_base, std::size_t k, std::uint64_t seed,
                                      SaltelliBase base = SaltelliBase::sobol_shifted);

/// Full-factorial grid (NetLogo BehaviorSpace's design): every combination of the parameters'
/// levels, `repetitions` times. Parameter j has levels[j] levels; level l of m is the u-value
/// (l + 0.5) / m, the middle of the l-th of m equal strata, which quantile() of an equally
/// weighted `choice` maps to its l-th smallest value. Rows enumerate the grid with the last
/// parameter varying fastest, repetition by repetition: row r * G + g (G = Π levels) is point g
/// of repetition r, so a prefix of whole repetitions is the design for fewer repetitions.
/// @throws std::invalid_argument if levels is empty, a level count is 0, or the grid has more
///         than 2^32 points.
[[nodiscard]] Matrix full_factorial(const std::vector<std::size_t>& levels, std::size_t repetitions);

/// Morris elementary-effects design (Morris 1991, Technometrics 33:161), one-at-a-time
/// trajectories on a grid of p levels (p even). Level g is the u-value (g + 0.5) / p, and each
/// step moves one parameter by Δ = p / 2 levels, i.e. by exactly 0.5 in u (Morris's
/// Δ = p / (2 (p - 1)) on the [0, 1] grid, placed at strata middles so every u is inside (0, 1)).
/// Trajectory t draws from its own Stream: a random order of the parameters (Fisher–Yates),
/// then per parameter a direction (up or down) and a base level in 0..p/2 - 1. Its k + 1 rows
/// start at the base (the upper level for parameters that move down) and step one parameter at
/// a time in that order.
struct MorrisDesign {
    std::size_t trajectories = 0;  ///< r
    std::size_t k = 0;             ///< number of parameters
    std::size_t levels = 0;        ///< p
    Matrix matrix;                 ///< r (k + 1) x k u-values
    /// Row of step s (0..k) of trajectory t; step s > 0 moves exactly one parameter.
    [[nodiscard]] std::size_t row(std::size_t t, std::size_t s) const noexcept { return t * (k + 1) + s; }
};

/// Builds a Morris design of `trajectories` trajectories over k parameters and p = `levels`.
/// @throws std::invalid_argument if k == 0, trajectories < 2 or levels is odd or below 2.
[[nodiscard]] MorrisDesign morris(std::size_t trajectories, std::size_t k, std::size_t levels, std::uint64_t seed);

/// Iman–Conover (1982) rank correlation: reorders the entries within each column of `sample`
/// so that its Spearman rank correlation matrix approximates `target`, leaving every column's
/// multiset of values (its marginal) unchanged. Deterministic; no random draws:
///  1. Scores: van der Waerden a_r = Φ⁻¹(r / (n + 1)), r = 1..n. S_ij = a_(rank of x_ij in
///     column j), so S inherits the input's (random, near-zero) rank structure — the input
///     columns play the role of the random score permutations of the original method.
///  2. Target for the scores: for normal variables Spearman ρ_s = (6/π) asin(r/2), so the
///     Pearson target is R_ij = 2 sin(π ρ_ij / 6) (Pearson 1907). This removes the bias of
///     using ρ directly (e.g. 0.7 would give ρ_s ≈ 0.683).
///  3. Cholesky R = P Pᵀ and E = Q Qᵀ of the scores' own sample correlation; T = S Q⁻ᵀ Pᵀ has
///     sample correlation exactly R (the refinement in Iman & Conover §3; when E is not
///     positive definite, e.g. n <= k, Q = I is used).
///  4. Column j of the result holds the sorted values of column j of `sample`, placed in the
///     rank order of column j of T (ties broken by row index).
/// Apply it to the u-matrix before quantile(): monotone maps keep ranks, and u has no ties.
/// @param target k x k, symmetric (to 1e-12), unit diagonal, off-diagonals in [-1, 1] and
///        positive definite (Cholesky).
/// @throws polarity::StudyError if target is not a valid correlation matrix, does not match
///         sample.cols(), or its normal-score equivalent R is not positive definite.
[[nodiscard]] Matrix impose_rank_correlation(const Matrix& sample, const Matrix& target);

/// Parameter values: x_ij = quantile(dists[j], u_ij).
/// @throws polarity::StudyError if dists.size() != u.cols() or a distribution is invalid.
[[nodiscard]] Matrix to_values(const Matrix& u, const std::vector<Distribution>& dists);

}  // namespace polarity::study
