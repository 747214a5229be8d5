#pragma once
/// @file
/// A study split for schedulers without MPI (SLURM array jobs, cloud batch services). Shard K of
/// N runs a deterministic, contiguous slice of the study's batches into its own journal, then
/// publishes a shard file; `polarity merge` checks that the shards are exactly the N shards of
/// one study and journals their records in run order, applying the precision rule as one
/// process would, so the merged study file equals the single-process one.
///
/// Shard file: a 64-byte header (magic "POLSHRD1", the study's fingerprint, K, N, first run,
/// runs, record length in doubles, reserved; little-endian uint64) followed by the records.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "polarity/study/journal.hpp"
#include "polarity/study/runner.hpp"

namespace polarity::study {

/// Shard K (1-based) of N.
struct ShardId {
    std::size_t index = 1;
    std::size_t count = 1;
};

/// Parses "K/N" with 1 <= K <= N. @throws std::invalid_argument
[[nodiscard]] ShardId parse_shard(const std::string& text);

/// The batches shard K of N covers: contiguous, counts differing by at most one batch. The
/// slice runs in full (shards ignore the precision rule; merging applies it).
[[nodiscard]] StudySlice shard_slice(const StudyPlan& plan, ShardId id);

/// The fingerprint of a shard's journal: the study's, bound to K/N, so that a journal is resumed
/// only as the shard that wrote it.
[[nodiscard]] std::uint64_t shard_fingerprint(const StudyPlan& plan, ShardId id);

/// Publishes the shard file from the shard's finished journal: written to "<path>.tmp-<pid>",
/// fsynced and renamed. @throws polarity::IoError
void write_shard(const std::filesystem::path& path, const StudyPlan& plan, ShardId id, const Journal& journal);

/// Checks that `shards` are the N shards of `plan`'s study, each once, then appends their
/// records to `journal` (new, of the study's fingerprint) in run order until the study is
/// complete or its precision rule stops it. Returns the number of runs journalled.
/// @throws polarity::IoError naming the shard that is missing, duplicated, of another study or
///         damaged; nothing is journalled then.
std::size_t merge_shards(const StudyPlan& plan, const std::vector<std::filesystem::path>& shards, Journal& journal);

}  // namespace polarity::study
