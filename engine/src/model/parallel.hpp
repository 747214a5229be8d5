#pragma once
// Per-agent loops of the month: parallel with oneTBB when there are enough agents to pay for
// it, serial below that. Each call of `body(i)` must write only agent i's state, so the order of
// execution, and therefore the choice between the two paths, never changes a result.

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace polarity::model::detail {

/// Below this many agents the loop runs serially: a parallel_for over the baseline's 14 labs
/// (about a microsecond of work) costs more in task set-up than it saves, and inside a study,
/// runs already keep every core busy.
inline constexpr std::size_t kParallelMinAgents = 256;
/// Agents per task on the parallel path.
inline constexpr std::size_t kParallelGrain = 64;

/// What the parallel path has done since the program started, so that tests of determinism
/// across thread counts can check that they exercised it (a loop below kParallelMinAgents runs
/// serially and proves nothing). Whether a second thread takes a chunk is up to the scheduler
/// (the baseline's loops are microseconds long), so only `chunks` is certain. Costs one atomic
/// operation per chunk, on the parallel path only.
struct ParallelRecord {
    std::atomic<std::size_t> loops{0};                     ///< parallel_for calls
    std::atomic<std::size_t> chunks{0};                    ///< chunks they ran (tasks)
    std::atomic<std::size_t> loops_on_several_threads{0};  ///< loops whose chunks ran on 2+ threads
};

[[nodiscard]] inline ParallelRecord& parallel_record() {
    static ParallelRecord record;
    return record;
}

template <class Body>
void for_each_agent(std::size_t n, const Body& body) {
    if (n < kParallelMinAgents) {
        for (std::size_t i = 0; i < n; ++i) body(i);
        return;
    }
    std::atomic<std::uint64_t> threads{0};  // bit (thread index mod 64) per thread that ran a chunk
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, kParallelGrain), [&](const auto& range) {
        const auto thread = static_cast<unsigned>(tbb::this_task_arena::current_thread_index());
        threads.fetch_or(std::uint64_t{1} << (thread % 64), std::memory_order_relaxed);
        parallel_record().chunks.fetch_add(1, std::memory_order_relaxed);
        for (std::size_t i = range.begin(); i != range.end(); ++i) body(i);
    });
    ParallelRecord& record = parallel_record();
    ++record.loops;
    if (std::popcount(threads.load(std::memory_order_relaxed)) > 1) ++record.loops_on_several_threads;
}

}  // namespace polarity::model::detail
