#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/study/matrix.hpp"

using namespace polarity::study;

TEST_CASE("cholesky factors a positive definite matrix and rejects others", "[study]") {
    const Matrix a{{4, 12, -16}, {12, 37, -43}, {-16, -43, 98}};
    const auto l = cholesky(a);
    REQUIRE(l);
    const Matrix expected{{2, 0, 0}, {6, 1, 0}, {-8, 5, 3}};
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) REQUIRE((*l)(i, j) == Approx(expected(i, j)).margin(1e-12));
    REQUIRE_FALSE(cholesky(Matrix{{1, 2}, {2, 1}}));
    REQUIRE_FALSE(cholesky(Matrix{{1, 1}, {1, 1}}));
    REQUIRE_THROWS_AS(cholesky(Matrix(2, 3)), polarity::StudyError);
}

TEST_CASE("solve_linear_system with pivoting, and singular systems", "[study]") {
    // Needs a row swap: the (0, 0) entry is zero.
    const Matrix a{{0, 2, 1}, {1, 1, 1}, {2, 1, 3}};
    const std::vector<double> x = solve_linear_system(a, {7, 6, 13});
    REQUIRE(x[0] == Approx(1.0));
    REQUIRE(x[1] == Approx(2.0));
    REQUIRE(x[2] == Approx(3.0));
    const Matrix sing{{1, 2}, {2, 4}};
    REQUIRE_THROWS_AS(solve_linear_system(sing, {1, 2}), polarity::StudyError);
    // Consistent singular system: a solution with the free variable at 0.
    const auto y = solve_linear_system(sing, {3, 6}, true);
    REQUIRE(y[0] + 2 * y[1] == Approx(3.0));
    REQUIRE_THROWS_AS(solve_linear_system(a, {1, 2}), polarity::StudyError);
}
