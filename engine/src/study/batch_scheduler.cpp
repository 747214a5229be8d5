#include "polarity/study/batch_scheduler.hpp"

#include <algorithm>
#include <string>

#include "polarity/core/error.hpp"

namespace polarity::study {

namespace {

std::size_t clipped_run(std::size_t batch_index, std::size_t batch, std::size_t total) {
    return batch_index >= (total + batch - 1) / batch ? total : batch_index * batch;
}

}  // namespace

BatchScheduler::BatchScheduler(const StudyPlan& plan, Journal& journal, const StudySlice& slice)
    : plan_(plan),
      journal_(journal),
      batch_(batch_runs(plan)),
      first_run_(clipped_run(slice.first, batch_, plan.total_runs())),
      end_run_(std::max(first_run_, clipped_run(slice.end, batch_, plan.total_runs()))),
      // The rule counts from run 0, so a slice that starts later cannot apply it.
      stop_on_precision_(slice.stop_on_precision && first_run_ == 0),
      rule_(plan),
      pending_(PendingBatches::path_for(journal.path()), plan.fingerprint, plan.layout.size(), batch_,
               plan.total_runs()) {
    if (journal_.completed() > total())
        throw IoError(journal_.path().string() + ": holds " + std::to_string(journal_.completed()) +
                      " runs, more than the " + std::to_string(total()) + " it was started for");
    // A kill in the middle of a batch's write leaves part of it; drop that part so decisions
    // (the precision rule) fall at the same batch boundaries as in an uninterrupted study.
    if (journal_.completed() < total()) journal_.truncate(journal_.completed() / batch_ * batch_);
    if (stop_on_precision_) {
        std::vector<double> chunk;
        for (std::size_t first = 0; first < journal_.completed(); first += batch_) {
            const std::size_t n = std::min(batch_, journal_.completed() - first);
            journal_.read(first, n, chunk);
            rule_.add(first, n, chunk.data());
        }
    }
    drain();
}

std::optional<Batch> BatchScheduler::next() {
    if (stopped()) return std::nullopt;
    next_ = std::max(next_, frontier());
    while (next_ < end_run_ && pending_.holds(next_)) next_ += runs_from(next_);
    if (next_ >= end_run_) return std::nullopt;
    const Batch batch{next_, runs_from(next_)};
    next_ += batch.runs;
    return batch;
}

void BatchScheduler::complete(const Batch& batch, std::vector<double> records) {
    if (stopped() || batch.first < frontier()) return;
    if (records.size() != batch.runs * plan_.layout.size())
        throw ModelError("batch at run " + std::to_string(batch.first) + ": " + std::to_string(records.size()) +
                         " values for " + std::to_string(batch.runs) + " runs");
    if (batch.first == frontier()) {
        append(batch, records);
        drain();
    } else {
        pending_.put(batch, records);
    }
}

void BatchScheduler::finish() { pending_.remove(); }

void BatchScheduler::append(const Batch& batch, const std::vector<double>& records) {
    journal_.append(records);
    if (stop_on_precision_) rule_.add(batch.first, batch.runs, records.data());
}

void BatchScheduler::drain() {
    while (!stopped() && frontier() < end_run_) {
        const auto records = pending_.take(frontier());
        if (!records) break;
        append({frontier(), runs_from(frontier())}, *records);
    }
    pending_.compact();
}

}  // namespace polarity::study
