// The outcome of a run, on hand-made trajectories: each class, the window's edge, censoring at
// the horizon, spells; and the lag as a measure of time (docs/model.md, "Outcome").
#include <catch2/catch.hpp>

#include <cmath>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/metrics.hpp"
#include "polarity/model/outcome.hpp"
#include "polarity/model/world.hpp"

using namespace polarity::model;

TEST_CASE("each outcome class from the pair's crossing months", "[outcome]") {
    const int W = 12, T = 96;
    CHECK(classify(-1, -1, T, W) == OutcomeClass::none);
    CHECK(classify(40, -1, T, W) == OutcomeClass::unipolar);       // the rival never followed
    CHECK(classify(40, 60, T, W) == OutcomeClass::unipolar);       // followed 20 months later
    CHECK(classify(40, 44, T, W) == OutcomeClass::bipolar);        // followed 4 months later
    CHECK(classify(44, 40, T, W) == OutcomeClass::bipolar);        // the rival a little first
    CHECK(classify(40, 40, T, W) == OutcomeClass::bipolar);
    CHECK(classify(60, 40, T, W) == OutcomeClass::rival_first);    // 20 months first
    CHECK(classify(-1, 40, T, W) == OutcomeClass::rival_first);    // the leader never crossed
}

TEST_CASE("the durable-lead window's edge", "[outcome]") {
    const int W = 12, T = 96;
    CHECK(classify(40, 52, T, W) == OutcomeClass::bipolar);        // exactly W: within the window
    CHECK(classify(40, 53, T, W) == OutcomeClass::unipolar);       // W + 1: a durable lead
    CHECK(classify(53, 40, T, W) == OutcomeClass::rival_first);
    CHECK(classify(52, 40, T, W) == OutcomeClass::bipolar);
}

TEST_CASE("censoring at the horizon: a run that ends inside the window is open", "[outcome]") {
    const int W = 12;
    // The leader crossed in month 40 of a 53-month run (months 0..52): month 52 = 40 + W was
    // seen without the rival, so the lead is durable.
    CHECK(classify(40, -1, 53, W) == OutcomeClass::unipolar);
    CHECK(classify(40, -1, 52, W) == OutcomeClass::open);          // month 52 not seen
    CHECK(classify(-1, 40, 52, W) == OutcomeClass::open);
    CHECK(classify(-1, 40, 53, W) == OutcomeClass::rival_first);

    const CrossingDelay exact = crossing_delay(40, 46, 96);
    CHECK(exact.months == 6);
    CHECK(exact.censoring == Censoring::none);
    const CrossingDelay at_least = crossing_delay(40, -1, 60);
    CHECK(at_least.months == 20);                                 // the rival crosses in month 60 at the earliest
    CHECK(at_least.censoring == Censoring::at_least);
    const CrossingDelay at_most = crossing_delay(-1, 50, 60);
    CHECK(at_most.months == -10);
    CHECK(at_most.censoring == Censoring::at_most);
    const CrossingDelay unknown = crossing_delay(-1, -1, 60);
    CHECK(std::isnan(unknown.months));
    CHECK(unknown.censoring == Censoring::unknown);
}

TEST_CASE("unipolar spells name the holder and their length", "[outcome]") {
    const std::vector<int> holders = {0, 0, kLeaderHolds, kLeaderHolds, kLeaderHolds, 3, 3, kRivalHolds};
    const auto spells = unipolar_spells(holders);
    REQUIRE(spells.size() == 2);
    CHECK(spells[0].holder == kLeaderHolds);
    CHECK(spells[0].start_month_index == 2);
    CHECK(spells[0].months == 3);
    CHECK_FALSE(spells[0].ongoing);
    CHECK(spells[1].holder == kRivalHolds);
    CHECK(spells[1].months == 1);
    CHECK(spells[1].ongoing);
    CHECK(unipolar_spells({0, 3, 3}).empty());
}

TEST_CASE("the lag is time: a step in the leader's growth leaves it unchanged", "[outcome][lag]") {
    // The rival stands at 25.3. The leader passed 25.3 at month 3 (25 + 0.1 t), then its growth
    // steps up tenfold from month 6. By the old slope measure the lag would shrink tenfold; as
    // time since the leader stood there it is months_now - 3 whatever the later growth.
    std::vector<double> steady, stepped;
    for (int t = 0; t <= 12; ++t) {
        steady.push_back(25 + 0.1 * t);
        stepped.push_back(t <= 6 ? 25 + 0.1 * t : 25.6 + 1.0 * (t - 6));
    }
    const double pre = 0.1;
    CHECK(months_since_reached(steady, 25.3, pre) == Approx(9.0));
    CHECK(months_since_reached(stepped, 25.3, pre) == Approx(9.0));
    // Interpolated within the month: 25.35 lies halfway between months 3 and 4.
    CHECK(months_since_reached(steady, 25.35, pre) == Approx(8.5));
    // At or above the frontier: no lag.
    CHECK(months_since_reached(steady, 26.2, pre) == 0.0);
    CHECK(months_since_reached(steady, 27.0, pre) == 0.0);
    // Behind the first month: extrapolated back at the prehistory rate.
    CHECK(months_since_reached(steady, 24.5, pre) == Approx(12 + 5.0));
}

TEST_CASE("a jump at one lab moves the lag by the jump's size, not more", "[outcome][lag]") {
    std::vector<double> leader;
    for (int t = 0; t <= 24; ++t) leader.push_back(25 + 0.05 * t);  // 0.05 a month
    std::vector<double> rival(leader.size(), 25.2);                   // stood still since month 4
    const double before = lag_months(leader, rival, 0.05);
    rival.back() += 0.3;                                              // a one-off jump of 0.3
    const double after = lag_months(leader, rival, 0.05);
    CHECK(before == Approx(20.0));
    CHECK(before - after == Approx(0.3 / 0.05));                      // the leader's time to cover 0.3
}

TEST_CASE("a rival ahead of the leader has a negative lag", "[outcome][lag]") {
    std::vector<double> leader, rival;
    for (int t = 0; t <= 10; ++t) {
        leader.push_back(25 + 0.1 * t);
        rival.push_back(25.5 + 0.1 * t);
    }
    CHECK(lag_months(leader, rival, 0.1) == Approx(-5.0));
}

TEST_CASE("a third bloc crossing does not change the label; an aligned nation counts with its side", "[outcome]") {
    auto sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    REQUIRE(sc.question.leader == "us_aligned");
    REQUIRE(sc.question.rival == "china");
    World w = build_world(sc);
    const auto lab_in = [&](const std::string& bloc) {
        for (std::size_t i = 0; i < w.labs.size(); ++i)
            if (sc.blocs[static_cast<std::size_t>(w.labs[i].bloc)] == bloc) return i;
        FAIL("no lab in " << bloc);
        return std::size_t{0};
    };
    const std::size_t us = lab_in("us_aligned"), cn = lab_in("china"), other = lab_in("nonaligned");
    const double threshold = sc.world.powerful_ai_capability;
    BlocMetrics last;
    for (int m = 0; m < 30; ++m) {
        w.month_index = m;
        w.labs[us].best_capability = m >= 5 ? threshold + 1 : threshold - 1;
        w.labs[other].best_capability = m >= 8 ? threshold + 1 : threshold - 1;  // a third bloc crosses
        w.labs[cn].best_capability = threshold - 2;
        last = measure_polarity(w);
    }
    Outcome o = settle_outcome(w, last);
    CHECK(o.label == OutcomeClass::unipolar);
    CHECK(o.crossing_month_index[2] == 8);
    REQUIRE(o.spells.size() == 1);
    CHECK(o.holder_name(o.spells[0].holder) == "us_aligned");

    // Declared aligned with the rival, the third bloc's nation makes the rival's sphere cross
    // three months after the leader: bipolar.
    const std::string nation = sc.nations[static_cast<std::size_t>(w.labs[other].nation)].name;
    sc.question.rival_aligned = {nation};
    World aligned = build_world(sc);
    CHECK(aligned.labs[other].side == kRivalHolds);
    for (int m = 0; m < 30; ++m) {
        aligned.month_index = m;
        aligned.labs[us].best_capability = m >= 5 ? threshold + 1 : threshold - 1;
        aligned.labs[other].best_capability = m >= 8 ? threshold + 1 : threshold - 1;
        aligned.labs[cn].best_capability = threshold - 2;
        last = measure_polarity(aligned);
    }
    o = settle_outcome(aligned, last);
    CHECK(o.label == OutcomeClass::bipolar);
    CHECK(o.delay.months == 3);
}
