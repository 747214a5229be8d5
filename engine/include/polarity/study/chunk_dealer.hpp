#pragma once
/// @file
/// Splits a study's batches into chunks for workers that ask for work one chunk at a time (MPI
/// ranks), and gives each batch to the BatchScheduler once every chunk of it is back. A journal
/// batch (hundreds of runs, the unit of journal syncs and of the precision rule) is too coarse a
/// unit of balance: handed out whole, the last one keeps one worker busy while the others idle.
/// Chunks change only who computes a run, never its record, so the journal is the same.

#include <cstddef>
#include <optional>
#include <vector>

#include "polarity/study/batch_scheduler.hpp"
#include "polarity/study/runner.hpp"

namespace polarity::study {

class ChunkDealer {
public:
    /// @p record_size: doubles per run record (StudyPlan::layout.size()).
    ChunkDealer(BatchScheduler& scheduler, std::size_t record_size);

    /// The next chunk of at most @p max_runs runs (at least one), from the batch being split or
    /// the scheduler's next batch; nothing when the scheduler has no batch left to hand out.
    [[nodiscard]] std::optional<Batch> next(std::size_t max_runs);
    /// Takes a chunk's records (chunk.runs x record_size doubles, in run order). Returns true
    /// when that completed its batch, which then went to the scheduler.
    /// @throws polarity::ModelError when the chunk was not handed out or the records do not fit;
    ///         polarity::IoError from the scheduler.
    bool complete(const Batch& chunk, const std::vector<double>& records);

private:
    struct OpenBatch {
        Batch batch;
        std::vector<double> records;
        std::size_t runs_missing = 0;
    };

    BatchScheduler& scheduler_;
    std::size_t record_size_;
    std::vector<OpenBatch> open_;  ///< batches with chunks out, oldest first
    std::size_t handed_ = 0;       ///< runs of open_.back() handed out so far
};

}  // namespace polarity::study
