// The designs beyond random sampling: full-factorial grids, Morris trajectories and their
// elementary effects. (User-supplied designs are read by the study loader: test_study_designs.)

#include <catch2/catch.hpp>

#include "polarity/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "polarity/study/distributions.hpp"
#include "polarity/study/sampling.hpp"
#include "polarity/study/sensitivity.hpp"

using namespace polarity::study;

TEST_CASE("full_factorial enumerates every combination, last parameter fastest, by repetition", "[study][designs]") {
    const Matrix u = full_factorial({2, 3}, 2);
    REQUIRE(u.rows() == 12);
    REQUIRE(u.cols() == 2);
    const std::vector<std::vector<double>> grid = {{0.25, 1.0 / 6}, {0.25, 0.5}, {0.25, 5.0 / 6},
                                                   {0.75, 1.0 / 6}, {0.75, 0.5}, {0.75, 5.0 / 6}};
    for (std::size_t r = 0; r < 12; ++r) {
        CHECK(u(r, 0) == grid[r % 6][0]);
        CHECK(u(r, 1) == Approx(grid[r % 6][1]).epsilon(1e-15));
    }
    // An equally weighted choice maps level l to its l-th smallest value.
    const Distribution d{Choice{{3.0, 1.0, 2.0}, {1, 1, 1}}};
    CHECK(quantile(d, u(0, 1)) == 1.0);
    CHECK(quantile(d, u(1, 1)) == 2.0);
    CHECK(quantile(d, u(2, 1)) == 3.0);
    // Fewer repetitions are a prefix.
    const Matrix one = full_factorial({2, 3}, 1);
    for (std::size_t r = 0; r < one.rows(); ++r)
        for (std::size_t c = 0; c < 2; ++c) CHECK(one(r, c) == u(r, c));
    CHECK_THROWS_AS(full_factorial({}, 1), polarity::StudyError);
    CHECK_THROWS_AS(full_factorial({2, 0}, 1), polarity::StudyError);
}

TEST_CASE("morris trajectories move one parameter by half the unit interval per step", "[study][designs]") {
    const std::size_t r = 30, k = 4, p = 4;
    const MorrisDesign d = morris(r, k, p, 17);
    REQUIRE(d.matrix.rows() == r * (k + 1));
    const std::set<double> grid = {0.125, 0.375, 0.625, 0.875};
    for (double v : d.matrix.data()) CHECK(grid.count(v) == 1);
    for (std::size_t t = 0; t < r; ++t) {
        std::set<std::size_t> moved;
        for (std::size_t s = 1; s <= k; ++s) {
            std::size_t changes = 0;
            for (std::size_t j = 0; j < k; ++j) {
                const double du = d.matrix(d.row(t, s), j) - d.matrix(d.row(t, s - 1), j);
                if (du != 0) {
                    ++changes;
                    moved.insert(j);
                    CHECK(std::abs(du) == 0.5);
                }
            }
            CHECK(changes == 1);
        }
        CHECK(moved.size() == k);  // every parameter moves exactly once
    }
    // Deterministic, seed-dependent, and fewer trajectories are a prefix.
    CHECK(morris(r, k, p, 17).matrix.data() == d.matrix.data());
    CHECK(morris(r, k, p, 18).matrix.data() != d.matrix.data());
    const MorrisDesign fewer = morris(10, k, p, 17);
    CHECK(std::equal(fewer.matrix.data().begin(), fewer.matrix.data().end(), d.matrix.data().begin()));
    CHECK_THROWS_AS(morris(r, k, 3, 1), polarity::StudyError);
    CHECK_THROWS_AS(morris(1, k, 4, 1), polarity::StudyError);
}

TEST_CASE("morris_indices recover the effects of a known function", "[study][designs]") {
    // y = 4 u0 - 2 u1 + 0 u2 + 3 u0 u3: u0's effect depends on u3 (sigma > 0), u2 has none.
    const MorrisDesign d = morris(40, 4, 4, 5);
    std::vector<double> y;
    for (std::size_t i = 0; i < d.matrix.rows(); ++i) {
        const double* u = d.matrix.data().data() + i * d.k;
        y.push_back(4 * u[0] - 2 * u[1] + 3 * u[0] * u[3]);
    }
    const MorrisIndices m = morris_indices(d, y);
    CHECK(m.mu[1] == Approx(-2.0));
    CHECK(m.mu_star[1] == Approx(2.0));
    CHECK(m.sigma[1] == Approx(0.0).margin(1e-12));
    CHECK(m.mu_star[2] == 0.0);
    CHECK(m.sigma[0] > 0.1);                        // interaction with u3
    CHECK(m.mu_star[0] > m.mu_star[1]);             // 4 + 3 E[u3] on average
    CHECK(m.mu_star[0] == Approx(4 + 3 * 0.5).margin(0.4));
    y.pop_back();
    CHECK_THROWS_AS(morris_indices(d, y), polarity::StudyError);
}
