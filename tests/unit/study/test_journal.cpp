// The journal does not trust its file: records that fail their checksum, lie past the plan or
// belong to another study are dropped (and rerun) on reopening, or refused when read.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "polarity/core/error.hpp"
#include "polarity/study/journal.hpp"

namespace fs = std::filesystem;
using polarity::IoError;
using polarity::study::Journal;

namespace {

constexpr std::size_t kRecord = 5;
constexpr std::size_t kPlanned = 10;
constexpr std::uint64_t kFingerprint = 0x1234;
constexpr std::size_t kHeaderBytes = 48;
constexpr std::size_t kRecordBytes = (kRecord + 1) * sizeof(double);

struct TempJournal {
    fs::path path = fs::temp_directory_path() / ("polarity_journal_" + std::to_string(::getpid()));
    TempJournal() {
        Journal j(path, kFingerprint, kRecord, false, true, kPlanned);
        std::vector<double> records;
        for (std::size_t i = 0; i < 6 * kRecord; ++i) records.push_back(static_cast<double>(i) + 0.5);
        j.append(records);
    }
    ~TempJournal() { fs::remove(path); }
    /// Overwrites bytes at @p offset of the file.
    void poke(std::size_t offset, const void* data, std::size_t bytes) const {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(offset));
        f.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
    }
    [[nodiscard]] Journal reopen(std::size_t planned = kPlanned) const {
        return Journal(path, kFingerprint, kRecord, true, false, planned);
    }
};

}  // namespace

TEST_CASE("an intact journal reopens with every record", "[study][journal]") {
    TempJournal t;
    const Journal j = t.reopen();
    CHECK(j.completed() == 6);
    CHECK(j.repaired().empty());
    std::vector<double> out;
    j.read(2, 2, out);
    REQUIRE(out.size() == 2 * kRecord);
    CHECK(out[0] == 10.5);
    CHECK(out[9] == 19.5);
}

TEST_CASE("a changed value drops its record and every later one", "[study][journal]") {
    TempJournal t;
    const double edited = 999;
    t.poke(kHeaderBytes + 3 * kRecordBytes + 2 * sizeof(double), &edited, sizeof edited);
    const Journal j = t.reopen();
    CHECK(j.completed() == 3);
    CHECK_THAT(j.repaired(), Catch::Contains("record 3 failed its checksum"));
    CHECK(fs::file_size(t.path) == kHeaderBytes + 3 * kRecordBytes);  // the runs are redone
}

TEST_CASE("a NaN written over a record is dropped", "[study][journal]") {
    TempJournal t;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    t.poke(kHeaderBytes + 0 * kRecordBytes, &nan, sizeof nan);
    CHECK(t.reopen().completed() == 0);
}

TEST_CASE("zeros appended are not records", "[study][journal]") {
    TempJournal t;
    {
        std::ofstream f(t.path, std::ios::app | std::ios::binary);
        const std::vector<char> zeros(3 * kRecordBytes, 0);
        f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    const Journal j = t.reopen();
    CHECK(j.completed() == 6);
    CHECK_THAT(j.repaired(), Catch::Contains("record 6 failed its checksum"));
}

TEST_CASE("records past the plan are dropped; appending past it is refused", "[study][journal]") {
    TempJournal t;
    {
        // The same study planned with fewer runs is a different study.
        REQUIRE_THROWS_WITH(t.reopen(4), Catch::Contains("belongs to a different study"));
    }
    Journal j = t.reopen();
    const std::vector<double> five(5 * kRecord, 1.0);
    REQUIRE_THROWS_WITH(j.append(five), Catch::Contains("past the 10 runs planned"));
    CHECK(j.completed() == 6);
}

TEST_CASE("a damaged header or another study's journal is refused", "[study][journal]") {
    TempJournal t;
    REQUIRE_THROWS_AS(Journal(t.path, kFingerprint + 1, kRecord, true, false, kPlanned), IoError);
    const std::uint64_t planned = 1000;
    t.poke(24, &planned, sizeof planned);  // the runs planned, without fixing the header checksum
    REQUIRE_THROWS_WITH(t.reopen(), Catch::Contains("header is damaged"));
}

TEST_CASE("a record changed after opening is refused when read, never returned", "[study][journal]") {
    TempJournal t;
    const Journal j = t.reopen();
    const double edited = -1;
    t.poke(kHeaderBytes + 1 * kRecordBytes, &edited, sizeof edited);
    std::vector<double> out;
    REQUIRE_THROWS_WITH(j.read(0, 6, out), Catch::Contains("record 1 failed its checksum"));
}
