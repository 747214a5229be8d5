#include <catch2/catch.hpp>

#include <set>

#include "polarity/core/random.hpp"

using polarity::core::Purpose;
using polarity::core::Stream;

TEST_CASE("a stream is a pure function of its key and counter", "[random]") {
    Stream a(7, 3, Purpose::algorithm_jump, 12, 5);
    Stream b(7, 3, Purpose::algorithm_jump, 12, 5);
    for (int i = 0; i < 20; ++i) REQUIRE(a.next() == b.next());
}

TEST_CASE("streams for different seeds, runs, purposes, months and entities differ", "[random]") {
    std::set<std::uint64_t> first;
    first.insert(Stream(7, 3, Purpose::algorithm_jump, 12, 5).next());
    first.insert(Stream(8, 3, Purpose::algorithm_jump, 12, 5).next());
    first.insert(Stream(7, 4, Purpose::algorithm_jump, 12, 5).next());
    first.insert(Stream(7, 3, Purpose::gray_seizure, 12, 5).next());
    first.insert(Stream(7, 3, Purpose::algorithm_jump, 13, 5).next());
    first.insert(Stream(7, 3, Purpose::algorithm_jump, 12, 6).next());
    REQUIRE(first.size() == 6);
}

TEST_CASE("uniform01 lies in the half-open unit interval with the right mean", "[random]") {
    Stream s(1, 0, Purpose::licence_approval, 0, 0);
    const int n = 100000;
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        const double u = s.uniform01();
        REQUIRE(u > 0.0);
        REQUIRE(u <= 1.0);
        sum += u;
    }
    // Mean 1/2, sd of the mean sqrt(1/12/n): 5 sigma.
    REQUIRE(sum / n == Approx(0.5).margin(5 * 0.2887 / std::sqrt(double(n))));
}
