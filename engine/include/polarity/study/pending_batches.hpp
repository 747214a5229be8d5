#pragma once
/// @file
/// Batches finished ahead of the journal. When ranks finish batches out of order, the journal
/// can take only the next one in run order; the others wait here, in a journal of their own
/// beside it (`<journal>.ahead`, each record prefixed with its global run index), so a study
/// stopped at any moment keeps every run a rank reported, and resuming takes them over instead
/// of rerunning them. A batch torn by a kill is dropped whole.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "polarity/study/journal.hpp"
#include "polarity/study/runner.hpp"

namespace polarity::study {

class PendingBatches {
public:
    /// Loads what an interrupted study left at `path` (bound to the study by `fingerprint`); the
    /// file itself is created only when a batch first arrives out of order. `batch_runs` and
    /// `total_runs` say which runs make a whole batch. Throws polarity::IoError.
    PendingBatches(std::filesystem::path path, std::uint64_t fingerprint, std::size_t record_doubles,
                   std::size_t batch_runs, std::size_t total_runs);
    ~PendingBatches();
    PendingBatches(const PendingBatches&) = delete;
    PendingBatches& operator=(const PendingBatches&) = delete;

    /// Keeps `records` of `batch` durably (fsynced before it returns). Throws polarity::IoError.
    void put(const Batch& batch, const std::vector<double>& records);
    /// Whether the batch that starts at run `first` is held.
    [[nodiscard]] bool holds(std::size_t first) const { return batches_.count(first) != 0; }
    /// Hands over the records of the batch that starts at run `first`, if held.
    [[nodiscard]] std::optional<std::vector<double>> take(std::size_t first);
    /// Empties the file once no batch waits (call after the batches taken are journalled), so
    /// that it holds only the batches still ahead of the journal.
    void compact();
    /// Deletes the file (the study no longer needs it).
    void remove();

    /// The file beside `journal_path`.
    [[nodiscard]] static std::filesystem::path path_for(const std::filesystem::path& journal_path);

private:
    std::filesystem::path path_;
    std::uint64_t fingerprint_;
    std::size_t record_;
    std::map<std::size_t, std::vector<double>> batches_;  ///< first run -> records
    std::unique_ptr<Journal> file_;
};

}  // namespace polarity::study
