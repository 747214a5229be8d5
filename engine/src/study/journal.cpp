#include "polarity/study/journal.hpp"

#include <array>
#include <cstring>

#include "polarity/core/error.hpp"

namespace polarity::study {

namespace {

constexpr std::array<char, 8> kMagic = {'P', 'O', 'L', 'J', 'R', 'N', 'L', '2'};

struct Header {
    std::array<char, 8> magic;
    std::uint64_t fingerprint;
    std::uint64_t record_doubles;
    std::uint64_t planned_records;
    std::uint64_t reserved;
    std::uint64_t checksum;  ///< of the fields above
};
static_assert(sizeof(Header) == 48);

constexpr std::uint64_t kPrime = 1099511628211ull;

/// Word-wise FNV-1a with a final avalanche (splitmix64's), seeded: cheap on ~10 KB records and
/// changed by any edit of any byte.
std::uint64_t hash_words(std::uint64_t h, const void* data, std::size_t words) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < words; ++i) {
        std::uint64_t w = 0;
        std::memcpy(&w, bytes + i * 8, 8);
        h = (h ^ w) * kPrime;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

std::uint64_t header_checksum(const Header& h) {
    return hash_words(14695981039346656037ull, &h, offsetof(Header, checksum) / 8);
}

[[noreturn]] void fail(const std::filesystem::path& p, const std::string& what) {
    throw IoError(p.string() + ": " + what);
}

}  // namespace

std::uint64_t fingerprint(const std::string& text) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= kPrime;
    }
    return h;
}

Journal::Journal(std::filesystem::path path, std::uint64_t fp, std::size_t record_doubles, bool resume, bool restart,
                 std::size_t planned_records)
    : path_(std::move(path)), fingerprint_(fp), record_(record_doubles), planned_(planned_records) {
    const bool exists = std::filesystem::exists(path_);
    if (exists && !resume && !restart)
        fail(path_, "an interrupted study left this journal; continue it with --resume or start over with --force");
    if (exists && restart && !resume) std::filesystem::remove(path_);
    storage_ = open_journal_file(path_);
    open(exists && resume);
}

Journal::Journal(std::unique_ptr<JournalStorage> storage, std::uint64_t fp, std::size_t record_doubles,
                 std::size_t planned_records)
    : path_(storage->path()), storage_(std::move(storage)), fingerprint_(fp), record_(record_doubles),
      planned_(planned_records) {
    open(storage_->size() > 0);
}

Journal::~Journal() = default;

std::uint64_t Journal::offset_of(std::size_t record) const {
    return sizeof(Header) + static_cast<std::uint64_t>(record) * (record_ + 1) * sizeof(double);
}

std::uint64_t Journal::record_checksum(std::size_t index, const double* values) const {
    // Keyed by the study and the record's place: zeros appended, a record copied from another
    // study or moved to another place all fail.
    return hash_words(fingerprint_ ^ (static_cast<std::uint64_t>(index + 1) * kPrime), values, record_);
}

void Journal::open(bool existing) {
    Header expected{kMagic, fingerprint_, record_, planned_, 0, 0};
    expected.checksum = header_checksum(expected);
    const std::uint64_t size = storage_->size();
    if (!existing || size < sizeof(Header)) {
        // New (or torn before its header was complete): start afresh.
        storage_->truncate(0);
        storage_->write(0, &expected, sizeof expected);
        storage_->sync();
        return;
    }
    Header h{};
    storage_->read(0, &h, sizeof h);
    if (h.magic != kMagic) fail(path_, "not a study journal (or one of an older engine); start over with --force");
    if (h.checksum != header_checksum(h)) fail(path_, "the journal's header is damaged; start over with --force");
    if (h.fingerprint != fingerprint_ || h.record_doubles != record_ || (planned_ != 0 && h.planned_records != planned_))
        fail(path_, "this journal belongs to a different study (its file, base scenario, overrides, run count or "
                    "engine changed); start over with --force");

    // Keep the records before the first that fails its checksum or lies past the plan.
    const std::uint64_t record_bytes = (record_ + 1) * sizeof(double);
    const auto whole = static_cast<std::size_t>((size - sizeof(Header)) / record_bytes);
    std::vector<double> buf(record_ + 1);
    std::size_t good = 0;
    for (; good < whole; ++good) {
        if (planned_ != 0 && good >= planned_) {
            repaired_ = std::to_string(whole - good) + " record(s) past the " + std::to_string(planned_) +
                        " runs planned were dropped";
            break;
        }
        storage_->read(offset_of(good), buf.data(), record_bytes);
        std::uint64_t stored = 0;
        std::memcpy(&stored, &buf[record_], sizeof stored);
        if (stored != record_checksum(good, buf.data())) {
            repaired_ = "record " + std::to_string(good) + " failed its checksum; it and the " +
                        std::to_string(whole - good - 1) + " after it are dropped and rerun";
            break;
        }
    }
    completed_ = good;
    // Drop what failed, and a record torn by a kill in the middle of a write.
    if (offset_of(good) != size) {
        storage_->truncate(offset_of(good));
        storage_->sync();
    }
}

void Journal::append(const std::vector<double>& records) {
    if (records.size() % record_ != 0) fail(path_, "append of a partial record");
    const std::size_t n = records.size() / record_;
    if (planned_ != 0 && completed_ + n > planned_)
        fail(path_, "append past the " + std::to_string(planned_) + " runs planned");
    std::vector<double> out((record_ + 1) * n);
    for (std::size_t i = 0; i < n; ++i) {
        const double* r = records.data() + i * record_;
        std::memcpy(&out[i * (record_ + 1)], r, record_ * sizeof(double));
        const std::uint64_t sum = record_checksum(completed_ + i, r);
        std::memcpy(&out[i * (record_ + 1) + record_], &sum, sizeof sum);
    }
    storage_->write(offset_of(completed_), out.data(), out.size() * sizeof(double));
    storage_->sync();
    completed_ += n;
}

void Journal::truncate(std::size_t records) {
    if (records >= completed_) return;
    storage_->truncate(offset_of(records));
    storage_->sync();
    completed_ = records;
}

void Journal::read(std::size_t first, std::size_t count, std::vector<double>& out) const {
    if (first + count > completed_) fail(path_, "read past the last record");
    std::vector<double> raw((record_ + 1) * count);
    if (count > 0) storage_->read(offset_of(first), raw.data(), raw.size() * sizeof(double));
    out.resize(count * record_);
    for (std::size_t i = 0; i < count; ++i) {
        const double* r = &raw[i * (record_ + 1)];
        std::uint64_t stored = 0;
        std::memcpy(&stored, r + record_, sizeof stored);
        if (stored != record_checksum(first + i, r))
            fail(path_, "record " + std::to_string(first + i) +
                            " failed its checksum (the file changed during the study); rerun with --resume");
        std::memcpy(&out[i * record_], r, record_ * sizeof(double));
    }
}

void Journal::remove() { storage_->remove(); }

}  // namespace polarity::study
