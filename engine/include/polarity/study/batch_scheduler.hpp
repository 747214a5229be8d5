#pragma once
/// @file
/// Hands out a study's batches and journals their results in run order, whoever computes them
/// and in whatever order they finish: this process's threads (`execute_study`) or MPI ranks
/// (`mpi_executor.hpp`). A batch that finishes ahead of its predecessors waits, durably, in
/// PendingBatches; the precision rule is applied only to the journal's run-ordered prefix. So the
/// journal, and every statistic read from it, is the same for any number of workers.

#include <optional>
#include <vector>

#include "polarity/study/journal.hpp"
#include "polarity/study/pending_batches.hpp"
#include "polarity/study/runner.hpp"

namespace polarity::study {

class BatchScheduler {
public:
    /// Realigns `journal` to whole batches (a kill may have torn one), takes over the batches an
    /// interrupted study finished ahead of it (`<journal>.ahead`) and replays the precision rule
    /// over what it holds. Throws polarity::IoError.
    BatchScheduler(const StudyPlan& plan, Journal& journal, const StudySlice& slice = {});

    /// The next batch to compute, or nothing when every batch has been handed out, the journal
    /// is complete or the precision target is met.
    [[nodiscard]] std::optional<Batch> next();
    /// Takes the records of a batch that next() handed out: appended to the journal when it is
    /// next in run order (then every batch waiting behind it), otherwise kept ahead of it;
    /// ignored beyond the point where the precision rule stopped the study. Throws polarity::IoError.
    void complete(const Batch& batch, std::vector<double> records);
    /// Drops the batches kept ahead of the journal (call when the study's work is done).
    void finish();

    /// Runs the journal holds, and runs the slice covers.
    [[nodiscard]] std::size_t done() const { return journal_.completed(); }
    [[nodiscard]] std::size_t total() const { return end_run_ - first_run_; }
    /// Whether the journal holds every run it will hold.
    [[nodiscard]] bool journal_complete() const { return stopped() || done() == total(); }

private:
    [[nodiscard]] bool stopped() const { return stop_on_precision_ && rule_.reached(); }
    [[nodiscard]] std::size_t frontier() const { return first_run_ + journal_.completed(); }
    [[nodiscard]] std::size_t runs_from(std::size_t first) const { return std::min(batch_, end_run_ - first); }
    void append(const Batch& batch, const std::vector<double>& records);
    void drain();

    const StudyPlan& plan_;
    Journal& journal_;
    std::size_t batch_, first_run_, end_run_;
    bool stop_on_precision_;
    StoppingRule rule_;
    PendingBatches pending_;
    std::size_t next_ = 0;
};

}  // namespace polarity::study
