// The batch scheduler: batches finished in any order give the journal of one process, batches
// held ahead of the journal survive a kill, and precision stopping falls where it would.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <deque>
#include <filesystem>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/study/batch_scheduler.hpp"
#include "polarity/study/chunk_dealer.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/shards.hpp"

using namespace polarity;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("polarity_sched_" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

study::ScenarioResolver resolver_for(const study::StudySpec& spec) {
    return [path = spec.scenario_path](const std::vector<std::string>& o) { return config::load_scenario_file(path, o); };
}

/// The journal's records as bytes: bit-identity, and NaN (a delay nobody had) equals itself.
std::vector<unsigned char> journalled(const study::Journal& journal) {
    std::vector<double> all;
    journal.read(0, journal.completed(), all);
    const auto* bytes = reinterpret_cast<const unsigned char*>(all.data());
    return {bytes, bytes + all.size() * sizeof(double)};
}

/// Hands out every batch, then completes them last first (the worst order ranks can report in).
void complete_in_reverse(const study::StudyPlan& plan, study::BatchScheduler& scheduler, std::size_t keep_back = 0) {
    std::vector<study::Batch> batches;
    while (const auto b = scheduler.next()) batches.push_back(*b);
    std::vector<double> records;
    for (std::size_t i = batches.size(); i-- > keep_back;) {
        study::run_batch(plan, batches[i], records);
        scheduler.complete(batches[i], records);
    }
}

/// The small study at 20 runs per arm (40 runs, batches of 8) and its journal as one process
/// writes it. Not movable: the plan points into the spec.
struct SmallStudy {
    TempDir dir;
    const study::StudySpec spec = config::load_study_file(POLARITY_TEST_DATA "/studies/small.yaml");
    const study::StudyPlan plan = study::plan_study(spec, resolver_for(spec), 20);
    study::Journal reference{dir.path / "ref", plan.fingerprint, plan.layout.size(), false, true};
    SmallStudy() { REQUIRE(study::execute_study(plan, reference, {}) == 40); }
    SmallStudy(const SmallStudy&) = delete;
    SmallStudy& operator=(const SmallStudy&) = delete;
};

}  // namespace

TEST_CASE("batches completed out of order journal as one process does", "[study][scheduler]") {
    SmallStudy small;
    const auto& [dir, spec, plan, reference] = small;

    study::Journal journal(dir.path / "j", plan.fingerprint, plan.layout.size(), false, true);
    study::BatchScheduler scheduler(plan, journal);
    complete_in_reverse(plan, scheduler);
    REQUIRE(scheduler.journal_complete());
    REQUIRE(journalled(journal) == journalled(reference));
    scheduler.finish();
    REQUIRE_FALSE(fs::exists(study::PendingBatches::path_for(journal.path())));
}

TEST_CASE("chunks of batches, completed in any order, journal as one process does", "[study][scheduler]") {
    SmallStudy small;
    const auto& [dir, spec, plan, reference] = small;
    const std::size_t batches = (40 + study::batch_runs(plan) - 1) / study::batch_runs(plan);
    std::vector<double> records;

    // Chunks of 3 runs: the batches (8 runs) do not divide into them.
    SECTION("all handed out, then completed last first: each batch waits for its first chunk") {
        study::Journal journal(dir.path / "j1", plan.fingerprint, plan.layout.size(), false, true);
        study::BatchScheduler scheduler(plan, journal);
        study::ChunkDealer dealer(scheduler, plan.layout.size());
        std::vector<study::Batch> chunks;
        while (const auto c = dealer.next(3)) chunks.push_back(*c);
        REQUIRE(chunks.size() > 2 * batches);  // really split
        std::size_t covered = 0, batches_done = 0;
        for (const auto& c : chunks) {
            REQUIRE(c.first == covered);  // contiguous, each run once
            REQUIRE((c.runs >= 1 && c.runs <= 3));
            covered += c.runs;
        }
        REQUIRE(covered == 40);
        for (std::size_t i = chunks.size(); i-- > 0;) {
            study::run_batch(plan, chunks[i], records);
            batches_done += dealer.complete(chunks[i], records) ? 1 : 0;
        }
        REQUIRE(batches_done == batches);
        REQUIRE(scheduler.journal_complete());
        REQUIRE(journalled(journal) == journalled(reference));
        // A chunk that was never handed out, or records that do not fit, are refused.
        REQUIRE_THROWS_AS(dealer.complete({0, 3}, records), ModelError);
    }
    SECTION("completed while later ones are handed out, as ranks holding two chunks do") {
        study::Journal journal(dir.path / "j2", plan.fingerprint, plan.layout.size(), false, true);
        study::BatchScheduler scheduler(plan, journal);
        study::ChunkDealer dealer(scheduler, plan.layout.size());
        std::deque<study::Batch> in_hand;
        std::size_t handed = 0;
        for (;;) {
            const auto c = dealer.next(3);
            if (c) in_hand.push_back(*c), handed += c->runs;
            if (in_hand.empty()) break;
            if (c && in_hand.size() < 2) continue;
            study::run_batch(plan, in_hand.front(), records);
            (void)dealer.complete(in_hand.front(), records);  // a batch may end while the next is split
            in_hand.pop_front();
        }
        REQUIRE(handed == 40);
        REQUIRE(scheduler.journal_complete());
        REQUIRE(journalled(journal) == journalled(reference));
    }
}

TEST_CASE("batches held ahead of the journal are taken over after a kill, not rerun", "[study][scheduler]") {
    TempDir dir;
    const auto spec = config::load_study_file(POLARITY_TEST_DATA "/studies/small.yaml");
    const auto plan = study::plan_study(spec, resolver_for(spec), 20);
    study::Journal reference(dir.path / "ref", plan.fingerprint, plan.layout.size(), false, true);
    (void)study::execute_study(plan, reference, {});

    const fs::path jp = dir.path / "j";
    {
        // Every batch but the first reported, then the coordinator dies: nothing journalled.
        study::Journal journal(jp, plan.fingerprint, plan.layout.size(), false, true);
        study::BatchScheduler scheduler(plan, journal);
        complete_in_reverse(plan, scheduler, 1);
        REQUIRE(journal.completed() == 0);
    }
    const fs::path ahead = study::PendingBatches::path_for(jp);
    REQUIRE(fs::exists(ahead));
    // Tear the last batch held ahead, as a kill in the middle of its write would.
    fs::resize_file(ahead, fs::file_size(ahead) - 5 * sizeof(double));

    study::Journal journal(jp, plan.fingerprint, plan.layout.size(), true, false);
    study::BatchScheduler scheduler(plan, journal);
    // Only the first batch (never reported) and the torn one are left to compute.
    std::vector<study::Batch> left;
    while (const auto b = scheduler.next()) left.push_back(*b);
    REQUIRE(left.size() == 2);
    REQUIRE(left[0].first == 0);
    std::vector<double> records;
    for (const auto& b : left) {
        study::run_batch(plan, b, records);
        scheduler.complete(b, records);
    }
    REQUIRE(journalled(journal) == journalled(reference));
    scheduler.finish();
}

TEST_CASE("precision stopping falls on the same batch whatever order batches finish in", "[study][scheduler]") {
    TempDir dir;
    auto spec = config::load_study_file(POLARITY_TEST_DATA "/studies/small.yaml");
    spec.precision = study::Precision{0.2, 16, 200};
    const auto plan = study::plan_study(spec, resolver_for(spec), 0);
    study::Journal reference(dir.path / "ref", plan.fingerprint, plan.layout.size(), false, true);
    const std::size_t stop = study::execute_study(plan, reference, {});
    REQUIRE(stop < plan.total_runs());

    study::Journal journal(dir.path / "j", plan.fingerprint, plan.layout.size(), false, true);
    study::BatchScheduler scheduler(plan, journal);
    complete_in_reverse(plan, scheduler);
    REQUIRE(journal.completed() == stop);
    REQUIRE(journalled(journal) == journalled(reference));
}

TEST_CASE("shards tile the study's batches", "[study][shards]") {
    const auto spec = config::load_study_file(POLARITY_TEST_DATA "/studies/small.yaml");
    const auto plan = study::plan_study(spec, resolver_for(spec), 50);  // 100 runs: 13 batches of 8
    for (std::size_t n : {1, 2, 3, 13, 20}) {
        std::size_t next = 0;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto s = study::shard_slice(plan, {k, n});
            REQUIRE(s.first == next);
            REQUIRE_FALSE(s.stop_on_precision);
            next = s.end;
        }
        REQUIRE(next == 13);
    }
    REQUIRE(study::shard_fingerprint(plan, {1, 3}) != study::shard_fingerprint(plan, {1, 2}));
    REQUIRE(study::parse_shard("2/8").index == 2);
    for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/3x", "/3"}) REQUIRE_THROWS_AS(study::parse_shard(bad), std::invalid_argument);
}
