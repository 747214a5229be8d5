#pragma once
/// @file
/// Global sensitivity measures of a study output with respect to its parameters.
/// Point estimates only (no bootstrap); for an error bar, repeat with other seeds
/// (SaltelliBase::sobol_shifted) and look at the spread.

#include <span>
#include <vector>

#include "polarity/study/matrix.hpp"
#include "polarity/study/sampling.hpp"

namespace polarity::study {

/// Variance-based (Sobol) sensitivity indices, one entry per parameter.
struct SobolIndices {
    std::vector<double> first_order;  ///< S_i = V[E(Y | X_i)] / V(Y)
    std::vector<double> total_order;  ///< ST_i = E[V(Y | X_~i)] / V(Y)
    double mean = 0.0;                ///< mean of Y over the A and B rows
    double variance = 0.0;            ///< V(Y) over the A and B rows (divisor 2N)
};

/// Sobol indices from a Saltelli design and the output of every one of its rows (in design
/// order). With f_A, f_B, f_ABi the outputs on rows A_j, B_j, AB_i,j, N = n_base, and
/// V = variance of the 2N values f_A ∪ f_B:
///   first order (Saltelli et al. 2010, Table 2 (b)):  S_i  = (1/N) Σ_j f_B (f_ABi - f_A) / V
///   total order (Jansen 1999; Saltelli 2010 (f)):     ST_i = (1/2N) Σ_j (f_A - f_ABi)² / V
/// Outputs are centred on the A∪B mean first (SALib standardises similarly): that leaves the
/// expectation of S_i unchanged but removes the term mean · Σ (f_ABi - f_A) that otherwise
/// inflates its variance for outputs far from zero. (The mean is taken of y - y_A0, so a
/// constant output centres to exact zeros.) Estimates can fall slightly outside [0, 1]; they are
/// not clipped. A constant output (V == 0) gives all indices 0, not NaN.
/// @throws polarity::StudyError if outputs.size() != design.matrix.rows() or an output is not
///         finite.
[[nodiscard]] SobolIndices sobol_indices(const SaltelliDesign& design,
                                         std::span<const double> outputs);

/// Morris elementary-effects statistics, one entry per parameter.
struct MorrisIndices {
    std::vector<double> mu;       ///< mean elementary effect (signed: effects of both signs cancel)
    std::vector<double> mu_star;  ///< mean |elementary effect| (Campolongo et al. 2007): the ranking
    std::vector<double> sigma;    ///< standard deviation (divisor r - 1): interactions and non-linearity
};

/// Morris statistics from a Morris design and the output of every one of its rows (in design
/// order). The elementary effect of the parameter moved at step s of trajectory t is
///   EE = (y(t, s) - y(t, s - 1)) / (u(t, s) - u(t, s - 1)),
/// per unit of the parameter's u (its quantile scale, so effects compare across parameters
/// whatever their units); each step moves u by ±0.5.
/// @throws std::invalid_argument if outputs.size() != design.matrix.rows() or an output is not
///         finite.
[[nodiscard]] MorrisIndices morris_indices(const MorrisDesign& design, std::span<const double> outputs);

/// Partial rank correlation coefficients (Marino et al. 2008, J. Theor. Biol. 254:178): the
/// parameters (columns of `params`) and the output are rank-transformed (average ranks for
/// ties) and centred; for each parameter j, both rank(x_j) and rank(y) are regressed by least
/// squares on the other parameters' ranks (normal equations solved by Gaussian elimination
/// with partial pivoting), and PRCC_j is the Pearson correlation of the two residuals.
/// A constant output, a constant parameter, or a parameter that is a linear function of the
/// others (in rank) gives 0 for the affected coefficients rather than NaN.
/// @throws polarity::StudyError if outputs.size() != params.rows(), params.rows() <
///         params.cols() + 2 (no residual degrees of freedom), or any entry is NaN.
[[nodiscard]] std::vector<double> prcc(const Matrix& params, std::span<const double> outputs);

}  // namespace polarity::study
