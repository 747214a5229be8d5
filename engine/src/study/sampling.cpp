#include "polarity/study/sampling.hpp"
#include "polarity/core/error.hpp"

#include <boost/random/sobol.hpp>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "detail.hpp"
#include "polarity/core/random.hpp"

namespace polarity::study {

namespace {

using core::Purpose;
using core::Stream;

// Sub-stream ids (the Stream's second key word); the table in sampling.hpp lists them.
constexpr std::uint64_t sub_random = 0;
constexpr std::uint64_t sub_lhs = 1;
constexpr std::uint64_t sub_sobol_shift = 2;
constexpr std::uint64_t sub_morris = 3;

void require_columns(const char* fn, std::size_t k) {
    if (k == 0) throw polarity::StudyError(std::string(fn) + ": needs at least one parameter");
}

void require_sobol_dimension(const char* fn, std::size_t k) {
    require_columns(fn, k);
    if (k > max_sobol_dimension)
        throw polarity::StudyError(std::string(fn) + ": " + std::to_string(k) +
                                    " dimensions exceed the Sobol table's " +
                                    std::to_string(max_sobol_dimension));
}

}  // namespace

Matrix random_sample(std::size_t n, std::size_t k, std::uint64_t seed) {
    require_columns("random_sample", k);
    Matrix u(n, k);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < k; ++j)
            u(i, j) = detail::clamp_open(
                Stream(seed, sub_random, Purpose::study_sampling, i, j).uniform01());
    return u;
}

Matrix latin_hypercube(std::size_t n, std::size_t k, std::uint64_t seed) {
    require_columns("latin_hypercube", k);
    Matrix u(n, k);
    std::vector<std::uint64_t> perm(n);
    for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t i = 0; i < n; ++i) perm[i] = i;
        Stream shuffle(seed, sub_lhs, Purpose::study_sampling, j, 0);
        for (std::size_t i = n; i-- > 1;) std::swap(perm[i], perm[detail::uniform_below(shuffle, i + 1)]);
        Stream offset(seed, sub_lhs, Purpose::study_sampling, j, 1);
        const double dn = static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i) {
            // v in (0, 1): uniform01 is in (0, 1], so pull 1 back below 1.
            const double v = std::min(offset.uniform01(), detail::below_one);
            u(i, j) = detail::clamp_open((static_cast<double>(perm[i]) + v) / dn);
        }
    }
    return u;
}

Matrix sobol(std::size_t n, std::size_t k, std::uint64_t skip) {
    require_sobol_dimension("sobol", k);
    boost::random::sobol gen(k);
    // seed(s) positions the generator s points further on (O(bits) work, no iteration).
    if (skip != 0) gen.seed(skip);
    Matrix u(n, k);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < k; ++j) {
            const std::uint64_t x = gen();
            // Top 53 bits: exact in a double. Points before 2^53 only use those bits.
            u(i, j) = detail::clamp_open(std::ldexp(static_cast<double>(x >> 11), -53));
        }
    }
    return u;
}

Matrix sobol_shifted(std::size_t n, std::size_t k, std::uint64_t seed, std::uint64_t skip) {
    require_sobol_dimension("sobol_shifted", k);
    Matrix u = sobol(n, k, skip);
    std::vector<double> shift(k);
    for (std::size_t j = 0; j < k; ++j)
        shift[j] = Stream(seed, sub_sobol_shift, Purpose::study_sampling, 0, j).uniform01();
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < k; ++j) {
            double v = u(i, j) + shift[j];  // in (0, 2]
            if (v >= 1.0) v -= 1.0;         // exact (Sterbenz), so the rotation is a bijection
            u(i, j) = detail::clamp_open(v);
        }
    }
    return u;
}

SaltelliDesign saltelli(std::size_t n_base, std::size_t k, std::uint64_t seed, SaltelliBase base) {
    require_columns("saltelli", k);
    if (n_base < 2) throw polarity::StudyError("saltelli: needs at least 2 base samples");
    if (base != SaltelliBase::latin_hypercube && 2 * k > max_sobol_dimension)
        throw polarity::StudyError("saltelli: 2k = " + std::to_string(2 * k) +
                                    " Sobol dimensions exceed the table's " +
                                    std::to_string(max_sobol_dimension));
    Matrix ab;
    switch (base) {
        case SaltelliBase::sobol: ab = sobol(n_base, 2 * k); break;
        case SaltelliBase::sobol_shifted: ab = sobol_shifted(n_base, 2 * k, seed); break;
        case SaltelliBase::latin_hypercube: ab = latin_hypercube(n_base, 2 * k, seed); break;
    }
    SaltelliDesign d;
    d.n_base = n_base;
    d.k = k;
    d.matrix = Matrix(n_base * (k + 2), k);
    for (std::size_t j = 0; j < n_base; ++j) {
        for (std::size_t c = 0; c < k; ++c) {
            const double a = ab(j, c);
            const double b = ab(j, k + c);
            d.matrix(d.a_row(j), c) = a;
            d.matrix(d.b_row(j), c) = b;
            for (std::size_t i = 0; i < k; ++i) d.matrix(d.ab_row(i, j), c) = (i == c) ? b : a;
        }
    }
    return d;
}

Matrix full_factorial(const std::vector<std::size_t>& levels, std::size_t repetitions) {
    require_columns("full_factorial", levels.size());
    std::size_t points = 1;
    for (const std::size_t m : levels) {
        if (m == 0) throw StudyError("full_factorial: a parameter has no levels");
        points *= m;
        if (points > (std::size_t{1} << 32))
            throw StudyError("full_factorial: the grid has more than 2^32 points");
    }
    const std::size_t k = levels.size();
    Matrix u(points * repetitions, k);
    for (std::size_t row = 0; row < u.rows(); ++row) {
        std::size_t g = row % points;
        for (std::size_t j = k; j-- > 0;) {  // last parameter fastest
            const std::size_t m = levels[j];
            u(row, j) = (static_cast<double>(g % m) + 0.5) / static_cast<double>(m);
            g /= m;
        }
    }
    return u;
}

MorrisDesign morris(std::size_t trajectories, std::size_t k, std::size_t levels, std::uint64_t seed) {
    require_columns("morris", k);
    if (trajectories < 2) throw StudyError("morris: needs at least 2 trajectories");
    if (levels < 2 || levels % 2 != 0)
        throw StudyError("morris: the number of levels must be even and at least 2, got " +
                                    std::to_string(levels));
    MorrisDesign d;
    d.trajectories = trajectories, d.k = k, d.levels = levels;
    d.matrix = Matrix(trajectories * (k + 1), k);
    const std::size_t half = levels / 2;
    const auto u_of = [&](std::size_t g) { return (static_cast<double>(g) + 0.5) / static_cast<double>(levels); };
    std::vector<std::size_t> order(k), level(k);
    std::vector<bool> up(k);
    for (std::size_t t = 0; t < trajectories; ++t) {
        Stream s(seed, sub_morris, Purpose::study_sampling, t, 0);
        for (std::size_t j = 0; j < k; ++j) order[j] = j;
        for (std::size_t j = k; j-- > 1;) std::swap(order[j], order[detail::uniform_below(s, j + 1)]);
        for (std::size_t j = 0; j < k; ++j) {
            up[j] = detail::uniform_below(s, 2) == 1;
            const std::size_t base = detail::uniform_below(s, half);
            level[j] = up[j] ? base : base + half;
        }
        for (std::size_t j = 0; j < k; ++j) d.matrix(d.row(t, 0), j) = u_of(level[j]);
        for (std::size_t step = 1; step <= k; ++step) {
            const std::size_t moved = order[step - 1];
            level[moved] = up[moved] ? level[moved] + half : level[moved] - half;
            for (std::size_t j = 0; j < k; ++j) d.matrix(d.row(t, step), j) = u_of(level[j]);
        }
    }
    return d;
}

Matrix impose_rank_correlation(const Matrix& sample, const Matrix& target) {
    const std::size_t n = sample.rows();
    const std::size_t k = sample.cols();
    if (target.rows() != target.cols())
        throw polarity::StudyError("impose_rank_correlation: target correlation is not square");
    if (target.rows() != k)
        throw polarity::StudyError("impose_rank_correlation: target is " +
                                    std::to_string(target.rows()) + " x " +
                                    std::to_string(target.cols()) + " but the sample has " +
                                    std::to_string(k) + " columns");
    for (std::size_t i = 0; i < k; ++i) {
        if (std::abs(target(i, i) - 1.0) > 1e-12)
            throw polarity::StudyError("impose_rank_correlation: target diagonal entry " +
                                        std::to_string(i) + " is " + detail::num(target(i, i)) +
                                        ", not 1");
        for (std::size_t j = 0; j < i; ++j) {
            const double c = target(i, j);
            if (!std::isfinite(c) || c < -1.0 || c > 1.0)
                throw polarity::StudyError("impose_rank_correlation: target(" +
                                            std::to_string(i) + ", " + std::to_string(j) +
                                            ") = " + detail::num(c) + " is not in [-1, 1]");
            if (std::abs(c - target(j, i)) > 1e-12)
                throw polarity::StudyError("impose_rank_correlation: target is not symmetric at (" +
                                            std::to_string(i) + ", " + std::to_string(j) + ")");
        }
    }
    if (!cholesky(target))
        throw polarity::StudyError("impose_rank_correlation: target correlation is not positive "
                                    "definite");
    for (double v : sample.data())
        if (std::isnan(v)) throw polarity::StudyError("impose_rank_correlation: sample has NaN");
    if (n < 2 || k < 2) return sample;

    // Pearson target for the normal scores.
    Matrix r(k, k);
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j)
            r(i, j) = (i == j) ? 1.0 : 2.0 * std::sin(std::numbers::pi * target(i, j) / 6.0);
    const auto p = cholesky(r);
    if (!p)
        throw polarity::StudyError("impose_rank_correlation: the normal-score correlation "
                                    "2 sin(pi rho / 6) of the target is not positive definite");

    std::vector<double> scores(n);
    for (std::size_t m = 0; m < n; ++m)
        scores[m] = detail::phi_inv(static_cast<double>(m + 1) / static_cast<double>(n + 1));

    Matrix s(n, k);
    for (std::size_t j = 0; j < k; ++j) {
        const auto order = detail::order_of(sample.column(j));
        for (std::size_t m = 0; m < n; ++m) s(order[m], j) = scores[m];
    }

    // Sample correlation of the scores. Every column is a permutation of the same scores,
    // so all share one mean and one variance.
    double mean = 0.0;
    for (double a : scores) mean += a;
    mean /= static_cast<double>(n);
    double var = 0.0;
    for (double a : scores) var += (a - mean) * (a - mean);
    Matrix e(k, k);
    for (std::size_t a = 0; a < k; ++a) {
        for (std::size_t b = 0; b <= a; ++b) {
            double c = 0.0;
            for (std::size_t m = 0; m < n; ++m) c += (s(m, a) - mean) * (s(m, b) - mean);
            e(a, b) = e(b, a) = (a == b) ? 1.0 : c / var;
        }
    }
    const Matrix q = cholesky(e).value_or(Matrix::identity(k));

    // T row = P Q⁻¹ (s row - mean): forward substitution, then multiply by lower-triangular P.
    Matrix t(n, k);
    std::vector<double> z(k);
    for (std::size_t m = 0; m < n; ++m) {
        for (std::size_t a = 0; a < k; ++a) {
            double v = s(m, a) - mean;
            for (std::size_t b = 0; b < a; ++b) v -= q(a, b) * z[b];
            z[a] = v / q(a, a);
        }
        for (std::size_t a = 0; a < k; ++a) {
            double v = 0.0;
            for (std::size_t b = 0; b <= a; ++b) v += (*p)(a, b) * z[b];
            t(m, a) = v;
        }
    }

    Matrix out(n, k);
    for (std::size_t j = 0; j < k; ++j) {
        std::vector<double> sorted = sample.column(j);
        std::sort(sorted.begin(), sorted.end());
        const auto order = detail::order_of(t.column(j));
        for (std::size_t m = 0; m < n; ++m) out(order[m], j) = sorted[m];
    }
    return out;
}

Matrix to_values(const Matrix& u, const std::vector<Distribution>& dists) {
    if (dists.size() != u.cols())
        throw polarity::StudyError("to_values: " + std::to_string(dists.size()) +
                                    " distributions for " + std::to_string(u.cols()) +
                                    " columns");
    for (const auto& d : dists) validate(d);
    Matrix x(u.rows(), u.cols());
    for (std::size_t i = 0; i < u.rows(); ++i)
        for (std::size_t j = 0; j < u.cols(); ++j) x(i, j) = quantile(dists[j], u(i, j));
    return x;
}

}  // namespace polarity::study
