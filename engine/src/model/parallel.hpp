#pragma once
// Per-agent loops of the month: parallel with oneTBB when there are enough agents to pay for
// it, serial below that. Each call of `body(i)` must write only agent i's state, so the order of
// execution, and therefore the choice between the two paths, never changes a result.

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstddef>

namespace polarity::model::detail {

/// Below this many agents the loop runs serially: a parallel_for over the baseline's 14 labs
/// (about a microsecond of work) costs more in task set-up than it saves, and inside a study,
/// runs already keep every core busy.
inline constexpr std::size_t kParallelMinAgents = 256;
/// Agents per task on the parallel path.
inline constexpr std::size_t kParallelGrain = 64;

template <class Body>
void for_each_agent(std::size_t n, const Body& body) {
    if (n < kParallelMinAgents) {
        for (std::size_t i = 0; i < n; ++i) body(i);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, kParallelGrain), [&](const auto& range) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) body(i);
    });
}

}  // namespace polarity::model::detail
