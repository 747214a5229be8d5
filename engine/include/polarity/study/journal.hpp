#pragma once
/// @file
/// The crash-safe record of a study's completed runs: a binary file of fixed-size records
/// (doubles), appended in run order a batch at a time and fsynced after each batch. A study
/// killed at any moment leaves whole records plus at most one torn tail, which reopening
/// discards; so no completed run is lost or run twice, and resuming continues from the first
/// run not recorded.
///
/// Layout: 32-byte header (magic "POLJRNL1", fingerprint of the study, record length in
/// doubles, reserved), then records.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace polarity::study {

class Journal {
public:
    /// Opens `path`. Without `resume`, an existing journal is an error (an interrupted study
    /// would be lost) unless `restart`, which discards it. With `resume`, an existing journal
    /// must carry the same fingerprint and record length; a missing one starts afresh.
    /// Throws polarity::IoError.
    Journal(std::filesystem::path path, std::uint64_t fingerprint, std::size_t record_doubles, bool resume,
            bool restart);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    [[nodiscard]] std::size_t completed() const { return completed_; }
    [[nodiscard]] std::size_t record_doubles() const { return record_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

    /// Appends whole records (size a multiple of record_doubles) and makes them durable.
    void append(const std::vector<double>& records);
    /// Keeps only the first `records` records (a resumed study realigns to whole batches).
    void truncate(std::size_t records);
    /// Reads `count` records starting at record `first` into `out`.
    void read(std::size_t first, std::size_t count, std::vector<double>& out) const;
    /// Deletes the file (after the study's output has been published).
    void remove();

private:
    std::filesystem::path path_;
    std::size_t record_;
    std::size_t completed_ = 0;
    int fd_ = -1;
};

/// FNV-1a 64-bit hash: stable across platforms and runs (std::hash is not).
[[nodiscard]] std::uint64_t fingerprint(const std::string& text);

}  // namespace polarity::study
