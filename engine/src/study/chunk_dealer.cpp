#include "polarity/study/chunk_dealer.hpp"

#include <algorithm>
#include <string>

#include "polarity/core/error.hpp"

namespace polarity::study {

ChunkDealer::ChunkDealer(BatchScheduler& scheduler, std::size_t record_size)
    : scheduler_(scheduler), record_size_(record_size) {}

std::optional<Batch> ChunkDealer::next(std::size_t max_runs) {
    if (open_.empty() || handed_ == open_.back().batch.runs) {
        const auto batch = scheduler_.next();
        if (!batch) return std::nullopt;
        open_.push_back({*batch, std::vector<double>(batch->runs * record_size_), batch->runs});
        handed_ = 0;
    }
    const Batch& batch = open_.back().batch;
    const Batch chunk{batch.first + handed_, std::min(std::max<std::size_t>(1, max_runs), batch.runs - handed_)};
    handed_ += chunk.runs;
    return chunk;
}

bool ChunkDealer::complete(const Batch& chunk, const std::vector<double>& records) {
    const auto open = std::find_if(open_.begin(), open_.end(), [&](const OpenBatch& o) {
        return chunk.first >= o.batch.first && chunk.first + chunk.runs <= o.batch.first + o.batch.runs;
    });
    if (open == open_.end() || records.size() != chunk.runs * record_size_ || chunk.runs > open->runs_missing)
        throw ModelError("chunk at run " + std::to_string(chunk.first) + " (" + std::to_string(chunk.runs) +
                         " runs, " + std::to_string(records.size()) + " values) does not belong to a batch handed out");
    std::copy(records.begin(), records.end(),
              open->records.begin() + static_cast<std::ptrdiff_t>((chunk.first - open->batch.first) * record_size_));
    open->runs_missing -= chunk.runs;
    if (open->runs_missing > 0) return false;
    const bool was_being_split = open == open_.end() - 1;
    OpenBatch done = std::move(*open);
    open_.erase(open);
    // Every batch still open is older than the one that was being split, so handed out in full.
    if (was_being_split) handed_ = open_.empty() ? 0 : open_.back().batch.runs;
    scheduler_.complete(done.batch, std::move(done.records));
    return true;
}

}  // namespace polarity::study
