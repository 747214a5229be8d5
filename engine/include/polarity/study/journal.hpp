#pragma once
/// @file
/// The crash-safe record of a study's completed runs: fixed-size records (doubles) appended in
/// run order a batch at a time and made durable after each batch. A study killed at any moment
/// leaves whole records plus at most one torn tail, which reopening discards; so no completed
/// run is lost or run twice, and resuming continues from the first run not recorded.
///
/// The journal is not trusted blindly: each record carries a checksum keyed by the study's
/// fingerprint and the record's index, and the header carries the fingerprint, the record
/// length, the runs planned and its own checksum. Reopening keeps only the records before the
/// first one that fails (an edited value, a NaN written over a record, zeros appended, records
/// past the plan), reports what it dropped, and the runner redoes those runs; reading a record
/// that fails later is an IoError, so a damaged record is never published.
///
/// Layout: a 48-byte header (magic "POLJRNL2", fingerprint, record length in doubles, runs
/// planned, reserved, header checksum), then records of record-length doubles and a 64-bit
/// checksum each. The bytes live in a JournalStorage; the POSIX file behind it is in io/.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace polarity::study {

/// Durable bytes for a journal: what the journal needs from a file. The POSIX implementation is
/// open_journal_file() (engine/src/io/journal_file.cpp). Every member may throw polarity::IoError.
class JournalStorage {
public:
    virtual ~JournalStorage() = default;
    [[nodiscard]] virtual std::uint64_t size() const = 0;
    /// Reads exactly @p bytes at @p offset (an error if the storage is shorter).
    virtual void read(std::uint64_t offset, void* data, std::size_t bytes) const = 0;
    virtual void write(std::uint64_t offset, const void* data, std::size_t bytes) = 0;
    virtual void truncate(std::uint64_t bytes) = 0;
    /// Makes every write so far durable (fdatasync).
    virtual void sync() = 0;
    /// Deletes the storage; nothing may be called afterwards.
    virtual void remove() = 0;
    /// For messages.
    [[nodiscard]] virtual const std::filesystem::path& path() const = 0;
};

/// Opens (creating it if absent) the journal file at @p path.
/// @throws polarity::IoError if it cannot be opened or created.
[[nodiscard]] std::unique_ptr<JournalStorage> open_journal_file(const std::filesystem::path& path);

class Journal {
public:
    /// Opens the journal file at `path`. Without `resume`, an existing journal is an error (an
    /// interrupted study would be lost) unless `restart`, which discards it. With `resume`, an
    /// existing journal must carry the same fingerprint, record length and (when not 0)
    /// `planned_records`; a missing one starts afresh.
    /// @throws polarity::IoError as described, or when the file cannot be read or written.
    Journal(std::filesystem::path path, std::uint64_t fingerprint, std::size_t record_doubles, bool resume,
            bool restart, std::size_t planned_records = 0);
    /// A fresh or resumed journal over @p storage (tests use storage in memory); the checks of
    /// the constructor above apply, as if @p storage held an existing journal when not empty.
    /// @throws polarity::IoError for a journal of a different study.
    Journal(std::unique_ptr<JournalStorage> storage, std::uint64_t fingerprint, std::size_t record_doubles,
            std::size_t planned_records = 0);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    [[nodiscard]] std::size_t completed() const { return completed_; }
    [[nodiscard]] std::size_t record_doubles() const { return record_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    /// What reopening dropped and why ("" if nothing): the runs are redone.
    [[nodiscard]] const std::string& repaired() const { return repaired_; }

    /// Appends whole records (size a multiple of record_doubles) and makes them durable.
    /// @throws polarity::IoError for a partial record or past the runs planned.
    void append(const std::vector<double>& records);
    /// Keeps only the first `records` records (a resumed study realigns to whole batches).
    void truncate(std::size_t records);
    /// Reads `count` records starting at record `first` into `out`.
    /// @throws polarity::IoError if a record fails its checksum (the file changed under us).
    void read(std::size_t first, std::size_t count, std::vector<double>& out) const;
    /// Deletes the file (after the study's output has been published).
    void remove();

private:
    void open(bool existing);
    [[nodiscard]] std::uint64_t record_checksum(std::size_t index, const double* values) const;
    [[nodiscard]] std::uint64_t offset_of(std::size_t record) const;

    std::filesystem::path path_;
    std::unique_ptr<JournalStorage> storage_;
    std::uint64_t fingerprint_;
    std::size_t record_;
    std::size_t planned_;
    std::size_t completed_ = 0;
    std::string repaired_;
};

/// FNV-1a 64-bit hash: stable across platforms and runs (std::hash is not).
[[nodiscard]] std::uint64_t fingerprint(const std::string& text);

}  // namespace polarity::study
