#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/study/statistics.hpp"

using namespace polarity::study;

TEST_CASE("Wilson interval matches published values", "[study]") {
    // 0/10, 5/10, 10/10: closed form; the others are Newcombe (1998), Stat. Med. 17:857,
    // Table I, method 3 (score interval without continuity correction), to 4 decimals.
    struct Case {
        std::uint64_t s, n;
        double lower, upper, margin;
    };
    const Case cases[] = {
        {0, 10, 0.0, 0.2775328030, 1e-9},   {5, 10, 0.2365930890, 0.7634069110, 1e-9},
        {10, 10, 0.7224671970, 1.0, 1e-9},  {81, 263, 0.2553, 0.3662, 5e-5},
        {15, 148, 0.0624, 0.1605, 5e-5},    {0, 20, 0.0, 0.1611, 5e-5},
        {1, 29, 0.0061, 0.1718, 5e-5},
    };
    for (const auto& c : cases) {
        CAPTURE(c.s, c.n);
        const Interval iv = wilson_interval(c.s, c.n);
        REQUIRE(iv.lower == Approx(c.lower).margin(c.margin));
        REQUIRE(iv.upper == Approx(c.upper).margin(c.margin));
    }
    REQUIRE(wilson_interval(0, 20).lower == 0.0);  // exact, not -1e-17
    REQUIRE(wilson_interval(10, 10).upper == 1.0);
    // A larger z widens the interval.
    REQUIRE(wilson_interval(5, 10, 2.575829).lower < wilson_interval(5, 10).lower);
    REQUIRE_THROWS_AS(wilson_interval(0, 0), polarity::StudyError);
    REQUIRE_THROWS_AS(wilson_interval(11, 10), polarity::StudyError);
    REQUIRE_THROWS_AS(wilson_interval(1, 10, -1.0), polarity::StudyError);
}

TEST_CASE("percentiles follow numpy's linear method", "[study]") {
    // np.percentile([7, 1, 3, 15], [5, 25, 50, 75, 95]) -> [1.3, 2.5, 5., 9., 13.8]
    const auto p = percentiles({7, 1, 3, 15});
    REQUIRE(p.size() == 5);
    REQUIRE(p[0] == Approx(1.3).epsilon(1e-15));
    REQUIRE(p[1] == 2.5);
    REQUIRE(p[2] == 5.0);
    REQUIRE(p[3] == 9.0);
    REQUIRE(p[4] == Approx(13.8).epsilon(1e-15));
    // np.percentile([1, 2, 3, 4, 10], [0, 10, 90, 100]) -> [1., 1.4, 7.6, 10.]
    const auto q = percentiles({10, 4, 3, 2, 1}, {0, 10, 90, 100});
    REQUIRE(q[0] == 1.0);
    REQUIRE(q[1] == Approx(1.4).epsilon(1e-15));
    REQUIRE(q[2] == Approx(7.6).epsilon(1e-15));
    REQUIRE(q[3] == 10.0);
    REQUIRE(percentiles({42.0}, {0, 50, 100}) == std::vector<double>{42, 42, 42});
    REQUIRE_THROWS_AS(percentiles({}), polarity::StudyError);
    REQUIRE_THROWS_AS(percentiles({1, NAN}), polarity::StudyError);
    REQUIRE_THROWS_AS(percentiles({1, 2}, {101}), polarity::StudyError);
}

TEST_CASE("pearson, ranks and spearman", "[study]") {
    const std::vector<double> x{1, 2, 3, 4, 5};
    REQUIRE(pearson(x, std::vector<double>{2, 4, 6, 8, 10}) == Approx(1.0));
    REQUIRE(pearson(x, std::vector<double>{5, 4, 3, 2, 1}) == Approx(-1.0));
    REQUIRE(pearson(x, std::vector<double>{1, 3, 2, 5, 4}) == Approx(0.8));
    REQUIRE(pearson(x, std::vector<double>{3, 3, 3, 3, 3}) == 0.0);  // constant: 0, not NaN
    REQUIRE(pearson(x, std::vector<double>{0.1, 0.1, 0.1, 0.1, 0.1}) == 0.0);  // mean inexact
    // Monotone but nonlinear: Spearman 1, Pearson below 1.
    const std::vector<double> cubes{1, 8, 27, 64, 125};
    REQUIRE(spearman(x, cubes) == Approx(1.0));
    REQUIRE(pearson(x, cubes) < 0.99);
    // Ties get average ranks (scipy.stats.rankdata): [1, 2.5, 2.5, 4].
    REQUIRE(ranks(std::vector<double>{1, 2, 2, 3}) == std::vector<double>{1, 2.5, 2.5, 4});
    // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138
    REQUIRE(spearman(std::vector<double>{1, 2, 2, 3}, std::vector<double>{1, 3, 2, 4}) ==
            Approx(0.9486832980505138).epsilon(1e-12));
    REQUIRE_THROWS_AS(pearson(x, std::vector<double>{1, 2}), polarity::StudyError);
    REQUIRE_THROWS_AS(pearson(std::vector<double>{1}, std::vector<double>{1}), polarity::StudyError);
    REQUIRE_THROWS_AS(ranks(std::vector<double>{1, NAN}), polarity::StudyError);
}

TEST_CASE("ks_statistic on a hand example", "[study]") {
    // Sample {0.1, 0.5, 0.8} vs U(0, 1): jumps give max(1/3 - 0.1, 0.5 - 1/3, 1 - 0.8, ...) = 0.2333.
    REQUIRE(ks_statistic({0.5, 0.1, 0.8}, Distribution{Uniform{0, 1}}) == Approx(0.7 / 3.0));
    REQUIRE_THROWS_AS(ks_statistic({}, Distribution{Uniform{0, 1}}), polarity::StudyError);
}

TEST_CASE("Kaplan-Meier survival with censored observations", "[statistics][survival]") {
    using polarity::study::Observation;
    // Textbook example: events at 1, 3, 3 and 6; censored at 2 and 5.
    const std::vector<Observation> obs = {{1, true}, {2, false}, {3, true}, {3, true}, {5, false}, {6, true}};
    const auto s = polarity::study::kaplan_meier(obs, {0, 1, 2, 3, 4, 6, 10});
    // S(1) = 5/6; at 3, 2 events among 4 at risk: 5/6 * 2/4; at 6, 1 of 1: 0.
    CHECK(s[0] == 1.0);
    CHECK(s[1] == Approx(5.0 / 6));
    CHECK(s[2] == Approx(5.0 / 6));
    CHECK(s[3] == Approx(5.0 / 12));
    CHECK(s[4] == Approx(5.0 / 12));
    CHECK(s[5] == Approx(0.0));
    CHECK(s[6] == Approx(0.0));
    CHECK(polarity::study::kaplan_meier_median(obs) == 3.0);
    // Mostly censored: the median is never reached.
    CHECK(std::isinf(polarity::study::kaplan_meier_median({{1, true}, {5, false}, {5, false}, {5, false}})));
    // Negative times (the rival first) are ordinary event times.
    CHECK(polarity::study::kaplan_meier({{-4, true}, {2, true}}, {-5, -4, 0})[1] == Approx(0.5));
}
