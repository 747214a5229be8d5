#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/study/distributions.hpp"

using namespace polarity::study;

namespace {

const std::vector<double> grid{1e-9, 1e-4, 0.01, 0.05, 0.1, 0.25, 0.4, 0.5,
                               0.6,  0.75, 0.9,  0.95, 0.99, 0.9999, 1 - 1e-9};

}  // namespace

TEST_CASE("continuous distributions: cdf(quantile(u)) == u", "[study]") {
    const std::vector<Distribution> dists{
        Distribution{Uniform{-2.0, 6.0}},          Distribution{Normal{10.0, 2.5}},
        Distribution{LogNormal{0.3, 0.8}},         Distribution{Triangular{0.0, 1.0, 4.0}},
        Distribution{Triangular{0.0, 0.0, 1.0}},   Distribution{Triangular{0.0, 1.0, 1.0}},
    };
    for (const auto& d : dists) {
        for (double u : grid) {
            CAPTURE(static_cast<int>(d.kind()), u);
            const double x = quantile(d, u);
            REQUIRE(cdf(d, x) == Approx(u).epsilon(1e-9).margin(1e-15));
        }
    }
}

TEST_CASE("quantile is non-decreasing in u", "[study]") {
    const Distribution d{Triangular{1.0, 2.0, 5.0}};
    double prev = -1e300;
    for (double u : grid) {
        const double x = quantile(d, u);
        REQUIRE(x >= prev);
        prev = x;
    }
}

TEST_CASE("known quantiles and cdf values", "[study]") {
    REQUIRE(quantile(Distribution{Normal{0, 1}}, 0.975) == Approx(1.959964).margin(1e-6));
    REQUIRE(quantile(Distribution{Normal{0, 1}}, 0.975) == Approx(1.959963984540054).epsilon(1e-14));
    REQUIRE(quantile(Distribution{Normal{0, 1}}, 0.05) == Approx(-z95).epsilon(1e-14));
    REQUIRE(quantile(Distribution{Normal{0, 1}}, 0.5) == Approx(0.0).margin(1e-15));
    REQUIRE(quantile(Distribution{Normal{10, 2}}, 0.025) == Approx(10 - 2 * 1.959963984540054));
    REQUIRE(cdf(Distribution{Normal{0, 1}}, 0.0) == 0.5);
    REQUIRE(cdf(Distribution{Normal{0, 1}}, 1.0) == Approx(0.8413447460685429).epsilon(1e-14));
    REQUIRE(cdf(Distribution{Normal{0, 1}}, -3.0) == Approx(0.0013498980316301).epsilon(1e-12));

    REQUIRE(quantile(Distribution{Uniform{2, 6}}, 0.25) == 3.0);
    REQUIRE(cdf(Distribution{Uniform{2, 6}}, 5.0) == 0.75);
    REQUIRE(cdf(Distribution{Uniform{2, 6}}, 1.0) == 0.0);
    REQUIRE(cdf(Distribution{Uniform{2, 6}}, 7.0) == 1.0);

    REQUIRE(quantile(Distribution{LogNormal{0, 1}}, 0.5) == Approx(1.0).epsilon(1e-15));
    REQUIRE(quantile(Distribution{LogNormal{1, 0.5}}, 0.975) ==
            Approx(std::exp(1 + 0.5 * 1.959963984540054)).epsilon(1e-13));
    REQUIRE(cdf(Distribution{LogNormal{0, 1}}, 0.0) == 0.0);
    REQUIRE(cdf(Distribution{LogNormal{0, 1}}, -1.0) == 0.0);

    // Symmetric triangle on [0, 2]: F(0.5) = 0.5² / (2·1) = 0.125, F(1) = 0.5.
    const Distribution tri{Triangular{0, 1, 2}};
    REQUIRE(quantile(tri, 0.5) == Approx(1.0));
    REQUIRE(quantile(tri, 0.125) == Approx(0.5));
    REQUIRE(quantile(tri, 0.875) == Approx(1.5));
    REQUIRE(cdf(tri, 0.5) == Approx(0.125));
    REQUIRE(cdf(tri, 1.5) == Approx(0.875));
}

TEST_CASE("choice: quantile picks values in sorted order by cumulative weight", "[study]") {
    const Distribution d{Choice{{3, 1, 2}, {0.5, 0.25, 0.25}}};
    REQUIRE(quantile(d, 0.2) == 1);
    REQUIRE(quantile(d, 0.25) == 1);
    REQUIRE(quantile(d, 0.3) == 2);
    REQUIRE(quantile(d, 0.5) == 2);
    REQUIRE(quantile(d, 0.51) == 3);
    REQUIRE(quantile(d, 1 - 1e-12) == 3);
    REQUIRE(cdf(d, 0.9) == 0);
    REQUIRE(cdf(d, 1) == 0.25);
    REQUIRE(cdf(d, 2.5) == 0.5);
    REQUIRE(cdf(d, 3) == 1);
    // Generalised-inverse round trip: F(Q(u)) >= u, and F just below Q(u) is < u.
    for (double u : grid) {
        const double x = quantile(d, u);
        REQUIRE(cdf(d, x) >= u);
        REQUIRE(cdf(d, std::nextafter(x, -1e300)) < u);
    }
    // Equal weights when none are given; zero-weight values are never chosen.
    const Distribution eq{Choice{{10, 20, 30, 40}, {}}};
    REQUIRE(quantile(eq, 0.25) == 10);
    REQUIRE(quantile(eq, 0.26) == 20);
    const Distribution zero{Choice{{1, 2, 3}, {1, 0, 1}}};
    for (double u : grid) REQUIRE(quantile(zero, u) != 2);
}

TEST_CASE("lognormal_from_percentiles reproduces its percentiles", "[study]") {
    const Distribution d = lognormal_from_percentiles(2.0, 5.0, 12.5);
    REQUIRE(d.kind() == DistributionKind::lognormal);
    REQUIRE(std::get<LogNormal>(d.params).mu == Approx(std::log(5.0)));
    REQUIRE(quantile(d, 0.05) == Approx(2.0).epsilon(1e-12));
    REQUIRE(quantile(d, 0.50) == Approx(5.0).epsilon(1e-12));
    REQUIRE(quantile(d, 0.95) == Approx(12.5).epsilon(1e-12));
    // Slightly asymmetric inputs within tolerance: the median is exact, the tails close.
    const Distribution e = lognormal_from_percentiles(1.0, 3.0, 9.5);
    REQUIRE(quantile(e, 0.5) == Approx(3.0).epsilon(1e-12));
    REQUIRE(quantile(e, 0.05) == Approx(1.0).epsilon(0.05));
    REQUIRE(quantile(e, 0.95) == Approx(9.5).epsilon(0.05));
}

TEST_CASE("normal_from_percentiles reproduces its percentiles", "[study]") {
    const Distribution d = normal_from_percentiles(4.0, 10.0, 16.0);
    REQUIRE(std::get<Normal>(d.params).mean == 10.0);
    REQUIRE(std::get<Normal>(d.params).sd == Approx(6.0 / 1.6448536269514722));
    REQUIRE(quantile(d, 0.05) == Approx(4.0).epsilon(1e-12));
    REQUIRE(quantile(d, 0.95) == Approx(16.0).epsilon(1e-12));
    // Negative values are fine for a normal.
    REQUIRE_NOTHROW(normal_from_percentiles(-3, -1, 1));
}

TEST_CASE("percentile fits reject inconsistent input", "[study]") {
    using Catch::Contains;
    REQUIRE_THROWS_WITH(lognormal_from_percentiles(1, 3, 20), Contains("not consistent with a lognormal"));
    REQUIRE_THROWS_WITH(lognormal_from_percentiles(0, 3, 20), Contains("0 < p5 < p50 < p95"));
    REQUIRE_THROWS_WITH(lognormal_from_percentiles(-1, 3, 20), Contains("0 < p5 < p50 < p95"));
    REQUIRE_THROWS_WITH(lognormal_from_percentiles(5, 3, 20), Contains("0 < p5 < p50 < p95"));
    REQUIRE_THROWS_WITH(lognormal_from_percentiles(1, 3, 3), Contains("0 < p5 < p50 < p95"));
    REQUIRE_THROWS_AS(lognormal_from_percentiles(1, 3, INFINITY), polarity::StudyError);
    REQUIRE_NOTHROW(lognormal_from_percentiles(1, 3, 20, 0.5));  // looser tolerance accepts
    REQUIRE_THROWS_WITH(lognormal_from_percentiles(1, 3, 9, 1.5), Contains("tolerance"));
    REQUIRE_THROWS_WITH(normal_from_percentiles(0, 1, 10), Contains("not consistent with a normal"));
    REQUIRE_THROWS_WITH(normal_from_percentiles(0, 0, 10), Contains("p5 < p50 < p95"));
    REQUIRE_THROWS_AS(normal_from_percentiles(NAN, 0, 10), polarity::StudyError);
}

TEST_CASE("invalid distributions and u values throw invalid_argument", "[study]") {
    using Catch::Contains;
    REQUIRE_THROWS_WITH(quantile(Distribution{Uniform{1, 1}}, 0.5), Contains("uniform: low"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Normal{0, 0}}, 0.5), Contains("normal: sd must be positive"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Normal{0, -1}}, 0.5), Contains("sd must be positive"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Normal{NAN, 1}}, 0.5), Contains("mean must be finite"));
    REQUIRE_THROWS_WITH(quantile(Distribution{LogNormal{0, 0}}, 0.5), Contains("sigma must be positive"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Triangular{2, 1.5, 1}}, 0.5), Contains("low (2) must be less than high (1)"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Triangular{0, 3, 2}}, 0.5), Contains("mode (3) must lie in"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Choice{{}, {}}}, 0.5), Contains("at least one value"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Choice{{1, 2}, {1}}}, 0.5), Contains("1 weights for 2 values"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Choice{{1, 2}, {-1, 2}}}, 0.5), Contains("non-negative"));
    REQUIRE_THROWS_WITH(quantile(Distribution{Choice{{1, 2}, {0, 0}}}, 0.5), Contains("not all be zero"));
    REQUIRE_THROWS_WITH(cdf(Distribution{Uniform{3, 1}}, 0.5), Contains("uniform: low"));
    const Distribution ok{Normal{0, 1}};
    REQUIRE_THROWS_WITH(quantile(ok, 0.0), Contains("open interval (0, 1)"));
    REQUIRE_THROWS_WITH(quantile(ok, 1.0), Contains("open interval (0, 1)"));
    REQUIRE_THROWS_AS(quantile(ok, NAN), polarity::StudyError);
    REQUIRE_THROWS_AS(cdf(ok, NAN), polarity::StudyError);
    REQUIRE_NOTHROW(validate(ok));
}
