#include "polarity/study/sensitivity.hpp"
#include "polarity/core/error.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "polarity/study/statistics.hpp"

namespace polarity::study {

SobolIndices sobol_indices(const SaltelliDesign& design, std::span<const double> outputs) {
    const std::size_t n = design.n_base;
    const std::size_t k = design.k;
    if (outputs.size() != design.matrix.rows() || outputs.size() != n * (k + 2))
        throw polarity::StudyError("sobol_indices: " + std::to_string(outputs.size()) +
                                    " outputs for a design of " +
                                    std::to_string(design.matrix.rows()) + " rows");
    if (n < 2) throw polarity::StudyError("sobol_indices: needs at least 2 base samples");
    for (std::size_t r = 0; r < outputs.size(); ++r)
        if (!std::isfinite(outputs[r]))
            throw polarity::StudyError("sobol_indices: output of row " + std::to_string(r) +
                                        " is not finite");

    SobolIndices out;
    out.first_order.assign(k, 0.0);
    out.total_order.assign(k, 0.0);

    // Shift by a reference output before averaging: a constant output then centres to exact
    // zeros (V == 0 exactly), and the sums lose no precision to a large common offset.
    const double ref = outputs[design.a_row(0)];
    const double dn = static_cast<double>(n);
    double sum = 0.0;
    for (std::size_t j = 0; j < n; ++j)
        sum += (outputs[design.a_row(j)] - ref) + (outputs[design.b_row(j)] - ref);
    const double shift = sum / (2.0 * dn);
    const auto centred = [&](std::size_t row) { return (outputs[row] - ref) - shift; };
    double ss = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
        const double a = centred(design.a_row(j)), b = centred(design.b_row(j));
        ss += a * a + b * b;
    }
    out.mean = ref + shift;
    out.variance = ss / (2.0 * dn);
    if (out.variance == 0.0) return out;

    for (std::size_t i = 0; i < k; ++i) {
        double s1 = 0.0, st = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            const double fa = centred(design.a_row(j));
            const double fb = centred(design.b_row(j));
            const double fab = centred(design.ab_row(i, j));
            s1 += fb * (fab - fa);
            st += (fa - fab) * (fa - fab);
        }
        out.first_order[i] = s1 / dn / out.variance;
        out.total_order[i] = st / (2.0 * dn) / out.variance;
    }
    return out;
}

MorrisIndices morris_indices(const MorrisDesign& design, std::span<const double> outputs) {
    const std::size_t k = design.k, r = design.trajectories;
    if (outputs.size() != design.matrix.rows())
        throw StudyError("morris_indices: " + std::to_string(outputs.size()) + " outputs for a design of " +
                                    std::to_string(design.matrix.rows()) + " rows");
    for (std::size_t i = 0; i < outputs.size(); ++i)
        if (!std::isfinite(outputs[i]))
            throw StudyError("morris_indices: output of row " + std::to_string(i) + " is not finite");
    // effects[j][t]: the elementary effect of parameter j in trajectory t (each moves once).
    std::vector<std::vector<double>> effects(k, std::vector<double>(r, 0.0));
    for (std::size_t t = 0; t < r; ++t) {
        for (std::size_t s = 1; s <= k; ++s) {
            const std::size_t now = design.row(t, s), before = design.row(t, s - 1);
            for (std::size_t j = 0; j < k; ++j) {
                const double du = design.matrix(now, j) - design.matrix(before, j);
                if (du != 0.0) effects[j][t] = (outputs[now] - outputs[before]) / du;
            }
        }
    }
    MorrisIndices out;
    const double dr = static_cast<double>(r);
    for (const auto& e : effects) {
        double sum = 0.0, abs_sum = 0.0;
        for (const double v : e) sum += v, abs_sum += std::abs(v);
        const double mean = sum / dr;
        double ss = 0.0;
        for (const double v : e) ss += (v - mean) * (v - mean);
        out.mu.push_back(mean);
        out.mu_star.push_back(abs_sum / dr);
        out.sigma.push_back(std::sqrt(ss / (dr - 1.0)));
    }
    return out;
}

std::vector<double> prcc(const Matrix& params, std::span<const double> outputs) {
    const std::size_t n = params.rows();
    const std::size_t k = params.cols();
    if (outputs.size() != n)
        throw polarity::StudyError("prcc: " + std::to_string(outputs.size()) + " outputs for " +
                                    std::to_string(n) + " runs");
    if (n < k + 2)
        throw polarity::StudyError("prcc: " + std::to_string(n) + " runs are too few for " +
                                    std::to_string(k) + " parameters (need at least k + 2)");

    // Centred ranks: the mean rank is exactly (n + 1)/2 (average ranks preserve the sum), so
    // regressions need no intercept column.
    const double centre = static_cast<double>(n + 1) / 2.0;
    std::vector<std::vector<double>> r(k + 1);
    for (std::size_t j = 0; j < k; ++j) r[j] = ranks(params.column(j));
    r[k] = ranks(outputs);
    for (auto& col : r)
        for (double& v : col) v -= centre;

    std::vector<double> result(k, 0.0);
    // Gram matrix of all rank columns (parameters, then output), filled once.
    Matrix g(k + 1, k + 1);
    for (std::size_t a = 0; a <= k; ++a)
        for (std::size_t b = 0; b <= a; ++b) {
            double s = 0.0;
            for (std::size_t m = 0; m < n; ++m) s += r[a][m] * r[b][m];
            g(a, b) = g(b, a) = s;
        }
    if (g(k, k) == 0.0) return result;  // constant output

    for (std::size_t j = 0; j < k; ++j) {
        if (g(j, j) == 0.0) continue;  // constant parameter
        // Regress rank(x_j) and rank(y) on the other parameters' ranks.
        std::vector<std::size_t> others;
        for (std::size_t c = 0; c < k; ++c)
            if (c != j) others.push_back(c);
        const std::size_t p = others.size();
        std::vector<double> beta, gamma;
        if (p > 0) {
            Matrix goo(p, p);
            std::vector<double> gx(p), gy(p);
            for (std::size_t a = 0; a < p; ++a) {
                for (std::size_t b = 0; b < p; ++b) goo(a, b) = g(others[a], others[b]);
                gx[a] = g(others[a], j);
                gy[a] = g(others[a], k);
            }
            beta = solve_linear_system(goo, gx, /*allow_singular=*/true);
            gamma = solve_linear_system(goo, gy, /*allow_singular=*/true);
        }
        std::vector<double> ex(r[j]), ey(r[k]);
        for (std::size_t a = 0; a < p; ++a) {
            const auto& z = r[others[a]];
            for (std::size_t m = 0; m < n; ++m) {
                ex[m] -= beta[a] * z[m];
                ey[m] -= gamma[a] * z[m];
            }
        }
        // A residual that is rounding noise (x_j or y explained by the others) has no
        // meaningful correlation; report 0 rather than correlating noise.
        double sxx = 0.0, syy = 0.0;
        for (std::size_t m = 0; m < n; ++m) {
            sxx += ex[m] * ex[m];
            syy += ey[m] * ey[m];
        }
        if (sxx <= 1e-10 * g(j, j) || syy <= 1e-10 * g(k, k)) continue;
        result[j] = pearson(ex, ey);
    }
    return result;
}

}  // namespace polarity::study
