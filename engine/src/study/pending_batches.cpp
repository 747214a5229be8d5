#include "polarity/study/pending_batches.hpp"

#include <algorithm>
#include <string>

namespace polarity::study {

namespace {

/// Bound to the study, but never mistaken for its journal.
std::uint64_t ahead_fingerprint(std::uint64_t study) { return fingerprint(std::to_string(study) + " ahead"); }

}  // namespace

std::filesystem::path PendingBatches::path_for(const std::filesystem::path& journal_path) {
    return journal_path.string() + ".ahead";
}

PendingBatches::PendingBatches(std::filesystem::path path, std::uint64_t fp, std::size_t record_doubles,
                               std::size_t batch_runs, std::size_t total_runs)
    : path_(std::move(path)), fingerprint_(ahead_fingerprint(fp)), record_(record_doubles) {
    if (!std::filesystem::exists(path_)) return;
    file_ = std::make_unique<Journal>(path_, fingerprint_, record_ + 1, true, false);
    // Records come in whole batches; a batch cut short by a kill is not kept.
    std::vector<double> all;
    file_->read(0, file_->completed(), all);
    const std::size_t stride = record_ + 1;
    for (std::size_t i = 0; i < file_->completed();) {
        const auto first = static_cast<std::size_t>(all[i * stride]);
        const std::size_t runs = first % batch_runs == 0 ? std::min(batch_runs, total_runs - std::min(first, total_runs)) : 0;
        std::size_t n = 0;
        while (n < runs && i + n < file_->completed() && all[(i + n) * stride] == static_cast<double>(first + n)) ++n;
        if (runs > 0 && n == runs) {
            std::vector<double>& records = batches_[first];
            records.resize(runs * record_);
            for (std::size_t r = 0; r < runs; ++r)
                std::copy_n(all.begin() + static_cast<std::ptrdiff_t>((i + r) * stride + 1), record_,
                            records.begin() + static_cast<std::ptrdiff_t>(r * record_));
        }
        i += std::max<std::size_t>(n, 1);
    }
}

PendingBatches::~PendingBatches() = default;

void PendingBatches::put(const Batch& batch, const std::vector<double>& records) {
    if (!file_) file_ = std::make_unique<Journal>(path_, fingerprint_, record_ + 1, true, false);
    std::vector<double> prefixed(batch.runs * (record_ + 1));
    for (std::size_t r = 0; r < batch.runs; ++r) {
        prefixed[r * (record_ + 1)] = static_cast<double>(batch.first + r);
        std::copy_n(records.begin() + static_cast<std::ptrdiff_t>(r * record_), record_,
                    prefixed.begin() + static_cast<std::ptrdiff_t>(r * (record_ + 1) + 1));
    }
    file_->append(prefixed);
    batches_[batch.first] = records;
}

std::optional<std::vector<double>> PendingBatches::take(std::size_t first) {
    const auto it = batches_.find(first);
    if (it == batches_.end()) return std::nullopt;
    std::vector<double> records = std::move(it->second);
    batches_.erase(it);
    return records;
}

void PendingBatches::compact() {
    if (batches_.empty() && file_ && file_->completed() > 0) file_->truncate(0);
}

void PendingBatches::remove() {
    batches_.clear();
    if (file_) file_->remove();
    file_.reset();
    std::filesystem::remove(path_);
}

}  // namespace polarity::study
