#include <catch2/catch.hpp>

#include <tbb/global_control.h>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/simulation.hpp"
#include "model/parallel.hpp"  // the engine's record of its parallel path

using namespace polarity::model;

namespace {

Scenario load(const std::string& rel) { return polarity::config::load_scenario_file(std::string(POLARITY_SOURCE_DIR) + "/" + rel); }

/// minimal.yaml with its labs cloned until there are `n`, so per-lab phases run in parallel.
Scenario many_labs(int n) {
    Scenario sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    const auto base = sc.labs;
    for (int i = static_cast<int>(base.size()); i < n; ++i) {
        Lab l = base[static_cast<std::size_t>(i) % base.size()];
        l.name += "_" + std::to_string(i);
        l.funding_usd_per_month *= 0.5 + 0.01 * i;
        sc.labs.push_back(l);
    }
    return sc;
}

MemoryRecorder run(const Scenario& sc) {
    MemoryRecorder rec;
    run_scenario(sc, rec);
    return rec;
}

void require_identical(const MemoryRecorder& a, const MemoryRecorder& b) {
    REQUIRE(a.months.size() == b.months.size());
    for (std::size_t m = 0; m < a.months.size(); ++m)
        for (std::size_t s = 0; s < a.months[m].values.size(); ++s)
            REQUIRE(a.months[m].values[s] == b.months[m].values[s]);  // bitwise, not Approx
    REQUIRE(a.outcome.crossing_month_index == b.outcome.crossing_month_index);
}

}  // namespace

TEST_CASE("chips and money are conserved every month and no stock goes negative", "[simulation]") {
    const std::string file = GENERATE(as<std::string>{}, "tests/data/minimal.yaml", "scenarios/baseline.yaml");
    const auto clearing = GENERATE(ClearingMechanism::priority, ClearingMechanism::min_cost_flow);
    Scenario sc = load(file);
    sc.market.clearing = clearing;
    Simulation sim(sc);
    while (!sim.finished()) {
        (void)sim.step();
        const Conservation& c = sim.conservation();
        REQUIRE(c.chips < 1e-9);
        REQUIRE(c.chip_routes == 0.0);
        REQUIRE(c.money < 1e-9);
        REQUIRE(c.money_routes < 1e-9);
        REQUIRE_FALSE(c.negative_stock);
    }
    // Something actually moved, so the identities were exercised.
    double delivered = 0;
    for (const auto& k : sim.world().skus) delivered += k.delivered_total;
    REQUIRE(delivered > 0);
}

TEST_CASE("a run records every month and every series with the right shape", "[simulation]") {
    const Scenario sc = load("tests/data/minimal.yaml");
    const MemoryRecorder rec = run(sc);
    REQUIRE(rec.months.size() == static_cast<std::size_t>(sc.run.horizon_months));
    for (const auto& m : rec.months)
        for (std::size_t s = 0; s < rec.header.series.size(); ++s) {
            const auto& spec = rec.header.series[s];
            std::size_t len = 1;
            for (const auto& ax : rec.header.axes)
                if (ax.name == spec.axis) len = ax.labels.size();
            REQUIRE(m.values[s].size() == len);
            for (double v : m.values[s]) REQUIRE(std::isfinite(v));
        }
    REQUIRE(rec.months.back().date == CalendarMonth{2025, 12});
}

TEST_CASE("the same seed gives bit-identical results and another seed does not", "[simulation][determinism]") {
    const Scenario sc = load("scenarios/baseline.yaml");
    require_identical(run(sc), run(sc));
    Scenario other = sc;
    other.run.seed += 1;
    const auto a = run(sc), b = run(other);
    bool differs = false;
    const auto s = a.series_index("lab_algorithmic_efficiency_log10");
    for (std::size_t m = 0; m < a.months.size(); ++m) differs |= a.months[m].values[s] != b.months[m].values[s];
    REQUIRE(differs);
}

TEST_CASE("results do not depend on the thread count", "[simulation][determinism]") {
    // Enough labs for the per-lab phases to take the parallel path, in several chunks.
    const Scenario sc = many_labs(static_cast<int>(polarity::model::detail::kParallelMinAgents + 44));
    auto& record = polarity::model::detail::parallel_record();
    MemoryRecorder reference;
    {
        tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
        const std::size_t shared = record.loops_on_several_threads;
        reference = run(sc);
        REQUIRE(record.loops_on_several_threads == shared);  // one thread runs every chunk
    }
    const int threads = GENERATE(2, 3, 8);
    tbb::global_control many(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    const std::size_t loops = record.loops, chunks = record.chunks, shared = record.loops_on_several_threads;
    require_identical(reference, run(sc));
    INFO(threads << " threads: " << record.loops - loops << " parallel loops in " << record.chunks - chunks
                 << " chunks, " << record.loops_on_several_threads - shared << " loops on several threads");
    REQUIRE(record.loops > loops);
    REQUIRE(record.chunks - chunks >= 2 * (record.loops - loops));  // every loop split
}

TEST_CASE("holders and the outcome follow the threshold and the declared pair", "[simulation][metrics]") {
    const Scenario sc = load("tests/data/minimal.yaml");
    const MemoryRecorder rec = run(sc);
    const auto cap = rec.series_index("bloc_frontier_capability");
    const auto leader_cap = rec.series_index("leader_frontier_capability");
    const auto holders = rec.series_index("powerful_ai_holders");
    const double threshold = sc.world.powerful_ai_capability;
    int leader_alone = 0;
    for (std::size_t m = 0; m < rec.months.size(); ++m) {
        const auto& v = rec.months[m].values;
        // minimal.yaml's pair is us_aligned (bloc 0) and china (bloc 1), with no aligned nations.
        REQUIRE(v[leader_cap][0] == v[cap][0]);
        const int expect = (v[cap][0] >= threshold ? kLeaderHolds : 0) | (v[cap][1] >= threshold ? kRivalHolds : 0);
        REQUIRE(v[holders][0] == expect);
        leader_alone += expect == kLeaderHolds;
        // Frontier capability never falls: it is the best model trained so far.
        if (m > 0)
            for (std::size_t b = 0; b < 3; ++b) REQUIRE(v[cap][b] >= rec.months[m - 1].values[cap][b]);
    }
    REQUIRE(rec.outcome.spell_months(kLeaderHolds) == leader_alone);
    for (std::size_t b = 0; b < 3; ++b) {
        const int c = rec.outcome.crossing_month_index[b];
        if (c >= 0) {
            REQUIRE(rec.months[static_cast<std::size_t>(c)].values[cap][b] >= threshold);
            if (c > 0) REQUIRE(rec.months[static_cast<std::size_t>(c - 1)].values[cap][b] < threshold);
        }
    }
    REQUIRE(rec.outcome.leader_crossing_month == rec.outcome.crossing_month_index[0]);
    REQUIRE(rec.outcome.rival_crossing_month == rec.outcome.crossing_month_index[1]);
    REQUIRE(rec.outcome.label == classify(rec.outcome.leader_crossing_month, rec.outcome.rival_crossing_month,
                                          sc.run.horizon_months, sc.question.durable_lead_months));
    // Raising the threshold out of reach leaves the world with no powerful AI.
    Scenario high = sc;
    high.world.powerful_ai_capability = 99;
    const MemoryRecorder none = run(high);
    REQUIRE(none.outcome.label == OutcomeClass::none);
    REQUIRE(none.outcome.spells.empty());
    REQUIRE(none.outcome.delay.censoring == Censoring::unknown);
}
