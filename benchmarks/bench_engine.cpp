// Benchmarks of the engine's hot paths (Google Benchmark). Build with the release preset and run
//   build/release/benchmarks/polarity_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Figures and the machine they came from are in benchmarks/README.md.
//
// One case takes minutes and is registered only when asked for (environment variable):
//   POLARITY_BENCH_STUDY_MEMORY=1   BM_StudyMemory/N: peak memory of an N-run study (summary
//                                   output); run each N in its own process, see the README.

#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/io/hdf5_recorder.hpp"
#include "polarity/model/market.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/summary.hpp"

namespace {

using namespace polarity;

const model::Scenario& baseline() {
    static const model::Scenario s = config::load_scenario_file(POLARITY_SOURCE_DIR "/scenarios/baseline.yaml");
    return s;
}

/// The baseline with its labs cloned (funding scaled down) until there are `n`.
model::Scenario with_labs(std::size_t n) {
    model::Scenario sc = baseline();
    const auto base = sc.labs;
    sc.labs.clear();
    for (std::size_t i = 0; i < n; ++i) {
        model::Lab l = base[i % base.size()];
        l.name += "_" + std::to_string(i);
        const double share = static_cast<double>(base.size()) / static_cast<double>(n);
        l.funding_usd_per_month *= share;
        l.cash_usd *= share;
        for (auto& h : l.stock) h.units *= share;
        sc.labs.push_back(l);
    }
    return sc;
}

class NullRecorder final : public model::Recorder {
public:
    void begin(const model::RunHeader&) override {}
    void record(const model::MonthRecord& m) override { benchmark::DoNotOptimize(m.values.data()); }
    void finish(const model::Outcome&) override {}
};

void BM_BaselineRun(benchmark::State& state) {
    for (auto _ : state) {
        model::Simulation sim(baseline());
        while (!sim.finished()) sim.advance();
        benchmark::DoNotOptimize(sim.outcome());
    }
    state.SetLabel("96 months, no recording");
}
BENCHMARK(BM_BaselineRun)->Unit(benchmark::kMillisecond);

void BM_BaselineRunRecorded(benchmark::State& state) {
    for (auto _ : state) {
        NullRecorder rec;
        benchmark::DoNotOptimize(model::run_scenario(baseline(), rec));
    }
    state.SetLabel("96 months, every series recorded in memory");
}
BENCHMARK(BM_BaselineRunRecorded)->Unit(benchmark::kMillisecond);

void BM_BaselineMonth(benchmark::State& state) {
    model::Simulation sim(baseline());
    for (int m = 0; m < 36; ++m) sim.advance();  // a month in 2026, mid-run
    for (auto _ : state) {
        state.PauseTiming();
        model::Simulation copy = sim;
        state.ResumeTiming();
        copy.advance();
    }
    state.SetLabel("one month step in 2026");
}
BENCHMARK(BM_BaselineMonth)->Unit(benchmark::kMicrosecond);

/// One clearing in month 24 of the baseline with its labs cloned to range(0), by the mechanism
/// range(1) (0 the priority fill, 1 min-cost flow).
void BM_MarketClearing(benchmark::State& state) {
    model::Scenario sc = with_labs(static_cast<std::size_t>(state.range(0)));
    sc.market.clearing = state.range(1) == 0 ? model::ClearingMechanism::priority : model::ClearingMechanism::min_cost_flow;
    model::Simulation sim(sc);
    for (int m = 0; m < 24; ++m) sim.advance();
    model::World w = sim.world();
    const auto idx = model::build_policy_index(w);
    const auto regime = model::regime_in_force(w, idx, sc.run.start.serial() + 24);
    std::vector<double> budgets;
    for (const auto& l : w.labs) budgets.push_back(l.spec->capex_share * l.cash_usd);
    for (auto _ : state) benchmark::DoNotOptimize(model::clear_market(w, regime, budgets));
    state.counters["labs"] = static_cast<double>(state.range(0));
    // Seconds per lab (printed with an SI prefix: 600n = 600 ns).
    state.counters["per_lab"] = benchmark::Counter(static_cast<double>(state.range(0)),
                                                   benchmark::Counter::kIsIterationInvariantRate |
                                                       benchmark::Counter::kInvert);
    state.SetLabel(state.range(1) == 0 ? "priority" : "min_cost_flow");
}
BENCHMARK(BM_MarketClearing)
    ->Args({10, 0})->Args({100, 0})->Args({1000, 0})->Args({10000, 0})
    ->Args({10, 1})->Args({100, 1})->Args({1000, 1})
    ->Unit(benchmark::kMicrosecond);

/// A whole month loop at scale: the first 24 months of the baseline with its labs cloned to
/// range(0). The cost per lab-month should not grow with the number of labs.
void BM_LabScaling(benchmark::State& state) {
    const model::Scenario sc = with_labs(static_cast<std::size_t>(state.range(0)));
    constexpr int kMonths = 24;
    for (auto _ : state) {
        model::Simulation sim(sc);
        for (int m = 0; m < kMonths; ++m) sim.advance();
        benchmark::DoNotOptimize(sim.world().month_index);
    }
    state.counters["labs"] = static_cast<double>(state.range(0));
    // Seconds per lab-month (printed with an SI prefix: 1.3u = 1.3 µs).
    state.counters["per_lab_month"] = benchmark::Counter(static_cast<double>(state.range(0)) * kMonths,
                                                         benchmark::Counter::kIsIterationInvariantRate |
                                                             benchmark::Counter::kInvert);
}
BENCHMARK(BM_LabScaling)->Arg(14)->Arg(140)->Arg(1400)->Arg(14000)->Unit(benchmark::kMillisecond);

/// The world-scale scenario (about 190 nations, 2,000 labs, 30 suppliers, the baseline's policy),
/// generated once per process by scenarios/generate_world.py into the temporary folder.
const model::Scenario* world() {
    static const std::unique_ptr<const model::Scenario> w = []() -> std::unique_ptr<const model::Scenario> {
        const auto path = std::filesystem::temp_directory_path() /
                          ("polarity_bench_world_" + std::to_string(::getpid()) + ".yaml");
        const std::string cmd = "/usr/bin/python3 '" POLARITY_SOURCE_DIR "/scenarios/generate_world.py' '" +
                                path.string() + "'";
        if (std::system(cmd.c_str()) != 0) return nullptr;
        auto sc = std::make_unique<const model::Scenario>(config::load_scenario_file(path.string()));
        std::filesystem::remove(path);
        return sc;
    }();
    return w.get();
}

void BM_WorldRun(benchmark::State& state) {
    const model::Scenario* w = world();
    if (w == nullptr) {
        state.SkipWithError("could not generate the world scenario (scenarios/generate_world.py)");
        return;
    }
    const auto months = static_cast<int>(state.range(0));
    for (auto _ : state) {
        model::Simulation sim(*w);
        for (int m = 0; m < months && !sim.finished(); ++m) sim.advance();
        benchmark::DoNotOptimize(sim.world().month_index);
    }
    state.counters["labs"] = static_cast<double>(w->labs.size());
    state.counters["nations"] = static_cast<double>(w->nations.size());
    state.counters["months"] = static_cast<double>(months);
    state.SetLabel("world scenario, first " + std::to_string(months) + " months");
}
BENCHMARK(BM_WorldRun)->Arg(96)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_WorldMonth(benchmark::State& state) {
    const model::Scenario* w = world();
    if (w == nullptr) {
        state.SkipWithError("could not generate the world scenario (scenarios/generate_world.py)");
        return;
    }
    model::Simulation sim(*w);
    for (int m = 0; m < state.range(0); ++m) sim.advance();
    for (auto _ : state) {
        state.PauseTiming();
        model::Simulation copy = sim;
        state.ResumeTiming();
        copy.advance();
    }
    state.counters["labs"] = static_cast<double>(w->labs.size());
    state.SetLabel("world scenario, one month step at month " + std::to_string(state.range(0)));
}
// Fixed iterations: the set-up (a year of the world) is not repeated to size the run.
BENCHMARK(BM_WorldMonth)->Arg(12)->Unit(benchmark::kMillisecond)->Iterations(3);

/// The enforcement study's file with 60-month runs (the figures in benchmarks/README.md), loaded
/// once (a plan keeps a pointer to it).
const study::StudySpec& enforcement_study() {
    static const study::StudySpec spec =
        config::load_study_file(POLARITY_SOURCE_DIR "/scenarios/studies/enforcement.yaml", {"run.horizon_months=60"});
    return spec;
}

/// The enforcement study planned at `per_arm` runs per arm.
study::StudyPlan plan_enforcement(int per_arm) {
    const study::StudySpec& spec = enforcement_study();
    const auto resolve = [&](const std::vector<std::string>& o) { return config::load_scenario_file(spec.scenario_path, o); };
    return study::plan_study(spec, resolve, per_arm);
}

void BM_StudyThroughput(benchmark::State& state) {
    const auto plan = plan_enforcement(64);
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(state.range(0)));
    const auto dir = std::filesystem::temp_directory_path();
    std::size_t runs = 0;
    for (auto _ : state) {
        const auto path = dir / ("polarity_bench_" + std::to_string(::getpid()) + ".journal");
        study::Journal journal(path, plan.fingerprint, plan.layout.size(), false, true);
        runs += study::execute_study(plan, journal, {});
        journal.remove();
    }
    state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(runs), benchmark::Counter::kIsRate);
    state.counters["threads"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_StudyThroughput)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Peak resident memory of an N-run enforcement study with summary output, in its own process:
/// the journal holds the runs on disk and the summary reads them back in bounded blocks, so
/// memory should not grow with N. One iteration; registered on request (see the top).
void BM_StudyMemory(benchmark::State& state) {
    const std::size_t arms = enforcement_study().arms.size();
    const auto per_arm = static_cast<int>((static_cast<std::size_t>(state.range(0)) + arms - 1) / arms);
    const auto dir = std::filesystem::temp_directory_path();
    std::size_t runs = 0;
    for (auto _ : state) {
        const auto plan = plan_enforcement(per_arm);
        const auto path = dir / ("polarity_bench_mem_" + std::to_string(::getpid()) + ".journal");
        study::Journal journal(path, plan.fingerprint, plan.layout.size(), false, true);
        runs = study::execute_study(plan, journal, {});
        benchmark::DoNotOptimize(study::summarize(plan, journal, runs));
        journal.remove();
    }
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    state.counters["runs"] = static_cast<double>(runs);
    state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
}
[[maybe_unused]] const bool study_memory_registered = [] {
    const char* e = std::getenv("POLARITY_BENCH_STUDY_MEMORY");
    if (e != nullptr && std::string(e) == "1")
        benchmark::RegisterBenchmark("BM_StudyMemory", BM_StudyMemory)
            ->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kSecond)->Iterations(1);
    return true;
}();

void BM_Hdf5Write(benchmark::State& state) {
    model::MemoryRecorder mem;
    (void)model::run_scenario(baseline(), mem);
    const auto path = std::filesystem::temp_directory_path() / ("polarity_bench_" + std::to_string(::getpid()) + ".h5");
    for (auto _ : state) {
        io::Hdf5Recorder rec(path, true);
        rec.begin(mem.header);
        for (const auto& m : mem.months) rec.record(m);
        rec.finish(mem.outcome);
    }
    std::filesystem::remove(path);
    state.SetLabel("writing one baseline run (compare with BM_BaselineRunRecorded)");
}
BENCHMARK(BM_Hdf5Write)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
