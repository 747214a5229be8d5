#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/core/random.hpp"
#include "polarity/study/distributions.hpp"
#include "polarity/study/sampling.hpp"
#include "polarity/study/statistics.hpp"

using namespace polarity::study;

namespace {

bool all_open_unit(const Matrix& u) {
    return std::all_of(u.data().begin(), u.data().end(), [](double v) { return v > 0 && v < 1; });
}

// Row r of `big` equals row r of `small` for every row of `small`.
bool is_prefix(const Matrix& small, const Matrix& big) {
    if (small.cols() != big.cols() || small.rows() > big.rows()) return false;
    for (std::size_t r = 0; r < small.rows(); ++r)
        for (std::size_t c = 0; c < small.cols(); ++c)
            if (small(r, c) != big(r, c)) return false;
    return true;
}

// Kolmogorov–Smirnov 1% critical value, asymptotic: 1.628 / sqrt(n).
double ks_critical_1pct(std::size_t n) { return 1.628 / std::sqrt(static_cast<double>(n)); }

}  // namespace

TEST_CASE("random_sample: each u is the documented Stream draw and prefixes are stable", "[study]") {
    const Matrix u = random_sample(50, 3, 42);
    REQUIRE(u.rows() == 50);
    REQUIRE(u.cols() == 3);
    REQUIRE(all_open_unit(u));
    using polarity::core::Purpose;
    using polarity::core::Stream;
    REQUIRE(u(17, 2) == Stream(42, 0, Purpose::study_sampling, 17, 2).uniform01());
    REQUIRE(is_prefix(random_sample(10, 3, 42), u));
    REQUIRE(random_sample(0, 3, 42).rows() == 0);
}

TEST_CASE("latin_hypercube fills every stratum exactly once in every column", "[study]") {
    for (std::size_t n : {1u, 2u, 7u, 100u, 1000u}) {
        const Matrix u = latin_hypercube(n, 4, 2024);
        REQUIRE(u.rows() == n);
        REQUIRE(all_open_unit(u));
        for (std::size_t c = 0; c < 4; ++c) {
            std::vector<int> hits(n, 0);
            for (std::size_t r = 0; r < n; ++r) {
                const auto s = static_cast<std::size_t>(std::floor(u(r, c) * static_cast<double>(n)));
                REQUIRE(s < n);
                ++hits[s];
            }
            CAPTURE(n, c);
            REQUIRE(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
        }
    }
}

TEST_CASE("latin_hypercube columns are differently permuted", "[study]") {
    const Matrix u = latin_hypercube(200, 3, 5);
    // Independent columns have rank correlation ~ N(0, 1/199): 5 sigma is 0.35.
    REQUIRE(std::abs(spearman(u.column(0), u.column(1))) < 0.35);
    REQUIRE(std::abs(spearman(u.column(1), u.column(2))) < 0.35);
    REQUIRE(u.column(0) != u.column(1));
}

TEST_CASE("sobol: the first points match the known two-dimensional sequence", "[study]") {
    const Matrix u = sobol(8, 2);
    const double expected[8][2] = {{0.5, 0.5},     {0.75, 0.25},   {0.25, 0.75},   {0.375, 0.375},
                                   {0.875, 0.875}, {0.625, 0.125}, {0.125, 0.625}, {0.1875, 0.3125}};
    for (std::size_t r = 0; r < 8; ++r) {
        CAPTURE(r);
        REQUIRE(u(r, 0) == expected[r][0]);
        REQUIRE(u(r, 1) == expected[r][1]);
    }
    // The first point is the centre in every dimension.
    const Matrix w = sobol(1, 10);
    for (std::size_t c = 0; c < 10; ++c) REQUIRE(w(0, c) == 0.5);
}

TEST_CASE("sobol: skip and prefixes; 2^m points stratify every dimension", "[study]") {
    const Matrix u = sobol(64, 5);
    REQUIRE(is_prefix(sobol(16, 5), u));
    const Matrix skipped = sobol(10, 5, 7);
    for (std::size_t r = 0; r < 10; ++r)
        for (std::size_t c = 0; c < 5; ++c) REQUIRE(skipped(r, c) == u(r + 7, c));
    // Points 0..2^m - 2 plus the omitted origin form a (t, m, s)-net, so in one dimension the
    // first 2^m - 1 points hit every interval [i/2^m, (i+1)/2^m) except [0, 2^-m) once.
    const std::size_t n = 1024;
    const Matrix v = sobol(n - 1, 6);
    REQUIRE(all_open_unit(v));
    for (std::size_t c = 0; c < 6; ++c) {
        std::vector<int> hits(n, 0);
        for (std::size_t r = 0; r < n - 1; ++r) ++hits[static_cast<std::size_t>(v(r, c) * n)];
        REQUIRE(hits[0] == 0);
        REQUIRE(std::all_of(hits.begin() + 1, hits.end(), [](int h) { return h == 1; }));
    }
    REQUIRE_THROWS_AS(sobol(4, 0), polarity::StudyError);
    REQUIRE_THROWS_AS(sobol(4, max_sobol_dimension + 1), polarity::StudyError);
}

TEST_CASE("sobol_shifted is a per-dimension rotation mod 1 keyed by the seed", "[study]") {
    const Matrix base = sobol(128, 3);
    const Matrix s1 = sobol_shifted(128, 3, 11);
    REQUIRE(all_open_unit(s1));
    for (std::size_t c = 0; c < 3; ++c) {
        double shift = s1(0, c) - base(0, c);
        if (shift < 0) shift += 1;
        for (std::size_t r = 0; r < 128; ++r) {
            double d = s1(r, c) - base(r, c);
            if (d < 0) d += 1;
            REQUIRE(d == Approx(shift).margin(1e-12));
        }
    }
    REQUIRE(sobol_shifted(128, 3, 11) == s1);
    REQUIRE(sobol_shifted(128, 3, 12) != s1);
    REQUIRE(is_prefix(sobol_shifted(20, 3, 11), s1));
}

TEST_CASE("marginals of random and LHS samples match their distributions (KS, n = 2000)", "[study]") {
    const std::size_t n = 2000;
    const std::vector<Distribution> dists{Distribution{Normal{10, 2}},
                                          Distribution{Triangular{0, 1, 4}},
                                          Distribution{LogNormal{0.5, 0.7}},
                                          Distribution{Uniform{-1, 3}}};
    const Matrix ur = random_sample(n, dists.size(), 20240601);
    const Matrix ul = latin_hypercube(n, dists.size(), 20240601);
    const Matrix xr = to_values(ur, dists);
    const Matrix xl = to_values(ul, dists);
    for (std::size_t c = 0; c < dists.size(); ++c) {
        CAPTURE(c);
        REQUIRE(ks_statistic(xr.column(c), dists[c]) < ks_critical_1pct(n));
        // An LHS column has one point per 1/n stratum, so its empirical CDF is within 1/n.
        REQUIRE(ks_statistic(xl.column(c), dists[c]) <= 1.0 / n + 1e-9);
    }
    // The uniforms themselves, against U(0, 1).
    REQUIRE(ks_statistic(ur.column(0), Distribution{Uniform{0, 1}}) < ks_critical_1pct(n));
    REQUIRE_THROWS_AS(to_values(ur, {Distribution{Normal{0, 1}}}), polarity::StudyError);
}

TEST_CASE("KS statistic detects a wrong distribution", "[study]") {
    // Guards the KS test above against being vacuous.
    const Matrix u = random_sample(2000, 1, 3);
    const Matrix x = to_values(u, {Distribution{Normal{0, 1.2}}});
    REQUIRE(ks_statistic(x.column(0), Distribution{Normal{0, 1}}) > ks_critical_1pct(2000));
}

TEST_CASE("saltelli design: A, B and AB_i rows in the documented order", "[study]") {
    const std::size_t n = 16, k = 3;
    for (auto base : {SaltelliBase::sobol, SaltelliBase::sobol_shifted, SaltelliBase::latin_hypercube}) {
        const SaltelliDesign d = saltelli(n, k, 9, base);
        REQUIRE(d.n_base == n);
        REQUIRE(d.k == k);
        REQUIRE(d.matrix.rows() == n * (k + 2));
        REQUIRE(d.matrix.cols() == k);
        REQUIRE(all_open_unit(d.matrix));
        for (std::size_t j = 0; j < n; ++j) {
            REQUIRE(d.a_row(j) == j * (k + 2));
            REQUIRE(d.b_row(j) == j * (k + 2) + k + 1);
            for (std::size_t i = 0; i < k; ++i) {
                for (std::size_t c = 0; c < k; ++c) {
                    const std::size_t from = (c == i) ? d.b_row(j) : d.a_row(j);
                    REQUIRE(d.matrix(d.ab_row(i, j), c) == d.matrix(from, c));
                }
            }
            // The unshifted Sobol base starts at the centre (0.5, ..., 0.5) in all 2k
            // dimensions, so A_0 = B_0 there; every other pair of rows differs.
            if (base != SaltelliBase::sobol || j > 0) {
                bool differ = false;
                for (std::size_t c = 0; c < k; ++c) differ |= d.matrix(d.a_row(j), c) != d.matrix(d.b_row(j), c);
                REQUIRE(differ);
            }
        }
    }
    // A and B are dims 0..k-1 and k..2k-1 of the 2k-dimensional Sobol sequence.
    const SaltelliDesign plain = saltelli(n, k, 0, SaltelliBase::sobol);
    const Matrix s = sobol(n, 2 * k);
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t c = 0; c < k; ++c) {
            REQUIRE(plain.matrix(plain.a_row(j), c) == s(j, c));
            REQUIRE(plain.matrix(plain.b_row(j), c) == s(j, k + c));
        }
    // Interleaved rows: a smaller Sobol-based design is a prefix of a larger one.
    REQUIRE(is_prefix(saltelli(8, k, 9).matrix, saltelli(n, k, 9).matrix));
    REQUIRE_THROWS_AS(saltelli(1, 3, 0), polarity::StudyError);
    REQUIRE_THROWS_AS(saltelli(8, 0, 0), polarity::StudyError);
}

TEST_CASE("the same seed gives identical designs, another seed different ones", "[study]") {
    REQUIRE(random_sample(300, 4, 77) == random_sample(300, 4, 77));
    REQUIRE(latin_hypercube(300, 4, 77) == latin_hypercube(300, 4, 77));
    REQUIRE(sobol_shifted(300, 4, 77) == sobol_shifted(300, 4, 77));
    REQUIRE(saltelli(64, 4, 77).matrix == saltelli(64, 4, 77).matrix);
    REQUIRE(saltelli(64, 4, 77, SaltelliBase::latin_hypercube).matrix ==
            saltelli(64, 4, 77, SaltelliBase::latin_hypercube).matrix);
    REQUIRE(random_sample(300, 4, 77) != random_sample(300, 4, 78));
    REQUIRE(latin_hypercube(300, 4, 77) != latin_hypercube(300, 4, 78));
    REQUIRE(saltelli(64, 4, 77).matrix != saltelli(64, 4, 78).matrix);
    const Matrix target{{1, 0.5, 0, 0}, {0.5, 1, 0, 0}, {0, 0, 1, -0.3}, {0, 0, -0.3, 1}};
    const Matrix lhs = latin_hypercube(300, 4, 77);
    REQUIRE(impose_rank_correlation(lhs, target) == impose_rank_correlation(lhs, target));
}

TEST_CASE("Iman-Conover reaches a target Spearman 0.7 and keeps the marginals", "[study]") {
    const std::size_t n = 2000;
    const Matrix u = latin_hypercube(n, 2, 1234);
    const Matrix target{{1.0, 0.7}, {0.7, 1.0}};
    const Matrix c = impose_rank_correlation(u, target);
    REQUIRE(spearman(c.column(0), c.column(1)) == Approx(0.7).margin(0.05));
    // With the normal-score correction the match is much closer than the required 0.05.
    REQUIRE(spearman(c.column(0), c.column(1)) == Approx(0.7).margin(0.01));
    for (std::size_t j = 0; j < 2; ++j) {
        auto a = u.column(j), b = c.column(j);
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        REQUIRE(a == b);
    }
}

TEST_CASE("Iman-Conover with three parameters and a negative correlation", "[study]") {
    const std::size_t n = 2000;
    const Matrix u = random_sample(n, 3, 99);
    const Matrix target{{1.0, 0.6, -0.4}, {0.6, 1.0, 0.0}, {-0.4, 0.0, 1.0}};
    const Matrix c = impose_rank_correlation(u, target);
    for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t b = 0; b < a; ++b) {
            CAPTURE(a, b);
            REQUIRE(spearman(c.column(a), c.column(b)) == Approx(target(a, b)).margin(0.05));
        }
    // Through a quantile map the ranks, hence the rank correlation, survive.
    const Matrix x = to_values(c, {Distribution{Normal{0, 1}}, Distribution{LogNormal{0, 1}},
                                   Distribution{Choice{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {}}}});
    REQUIRE(spearman(x.column(0), x.column(1)) == Approx(spearman(c.column(0), c.column(1))).margin(1e-12));
}

TEST_CASE("Iman-Conover validates the target correlation", "[study]") {
    using Catch::Contains;
    const Matrix u = random_sample(100, 3, 1);
    REQUIRE_THROWS_WITH(impose_rank_correlation(u, Matrix{{1, 0.5}, {0.5, 1}}), Contains("3 columns"));
    REQUIRE_THROWS_WITH(impose_rank_correlation(u, Matrix{{1, 0.5, 0}, {0.4, 1, 0}, {0, 0, 1}}),
                        Contains("not symmetric"));
    REQUIRE_THROWS_WITH(impose_rank_correlation(u, Matrix{{1, 0.5, 0}, {0.5, 0.9, 0}, {0, 0, 1}}),
                        Contains("diagonal"));
    REQUIRE_THROWS_WITH(impose_rank_correlation(u, Matrix{{1, 1.5, 0}, {1.5, 1, 0}, {0, 0, 1}}),
                        Contains("not in [-1, 1]"));
    REQUIRE_THROWS_WITH(
        impose_rank_correlation(u, Matrix{{1, 0.9, 0.9}, {0.9, 1, -0.9}, {0.9, -0.9, 1}}),
        Contains("not positive definite"));
    REQUIRE_THROWS_AS(impose_rank_correlation(u, Matrix{{1, 0, 0}, {0, 1, 0}}), polarity::StudyError);
    // Identity target with one column: nothing to do.
    const Matrix one = random_sample(10, 1, 1);
    REQUIRE(impose_rank_correlation(one, Matrix{{1}}) == one);
}
