#include "polarity/study/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "polarity/core/error.hpp"

namespace polarity::study {

namespace {

constexpr std::array<char, 8> kMagic = {'P', 'O', 'L', 'J', 'R', 'N', 'L', '1'};
constexpr std::size_t kHeaderBytes = 32;

struct Header {
    std::array<char, 8> magic;
    std::uint64_t fingerprint;
    std::uint64_t record_doubles;
    std::uint64_t reserved;
};
static_assert(sizeof(Header) == kHeaderBytes);

[[noreturn]] void fail(const std::filesystem::path& p, const std::string& what, int err = 0) {
    std::string msg = p.string() + ": " + what;
    if (err != 0) msg += ": " + std::error_code(err, std::generic_category()).message();
    throw IoError(msg);
}

void write_all(int fd, const void* data, std::size_t bytes, off_t offset, const std::filesystem::path& p) {
    const auto* c = static_cast<const char*>(data);
    while (bytes > 0) {
        const ssize_t n = ::pwrite(fd, c, bytes, offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(p, "write", errno);
        }
        c += n;
        bytes -= static_cast<std::size_t>(n);
        offset += n;
    }
}

}  // namespace

std::uint64_t fingerprint(const std::string& text) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

Journal::Journal(std::filesystem::path path, std::uint64_t fp, std::size_t record_doubles, bool resume, bool restart)
    : path_(std::move(path)), record_(record_doubles) {
    const bool exists = std::filesystem::exists(path_);
    if (exists && !resume && !restart)
        fail(path_, "an interrupted study left this journal; continue it with --resume or start over with --force");
    if (exists && restart && !resume) std::filesystem::remove(path_);

    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) fail(path_, "open", errno);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail(path_, "stat", errno);
    const Header expected{kMagic, fp, record_doubles, 0};
    if (st.st_size < static_cast<off_t>(kHeaderBytes)) {
        // New (or torn before its header was complete): start afresh.
        if (::ftruncate(fd_, 0) != 0) fail(path_, "truncate", errno);
        write_all(fd_, &expected, sizeof expected, 0, path_);
        if (::fdatasync(fd_) != 0) fail(path_, "fsync", errno);
        return;
    }
    Header h{};
    if (::pread(fd_, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h)) fail(path_, "read header", errno);
    if (h.magic != kMagic) fail(path_, "not a study journal");
    if (h.fingerprint != fp || h.record_doubles != record_doubles)
        fail(path_, "this journal belongs to a different study (its file, base scenario, overrides or "
                    "engine changed); start over with --force");
    const auto bytes = static_cast<std::size_t>(st.st_size) - kHeaderBytes;
    completed_ = bytes / (record_ * sizeof(double));
    // Drop a record torn by a kill in the middle of a write.
    const auto keep = static_cast<off_t>(kHeaderBytes + completed_ * record_ * sizeof(double));
    if (keep != st.st_size && ::ftruncate(fd_, keep) != 0) fail(path_, "truncate", errno);
}

Journal::~Journal() {
    if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const std::vector<double>& records) {
    if (records.size() % record_ != 0) fail(path_, "append of a partial record");
    const auto offset = static_cast<off_t>(kHeaderBytes + completed_ * record_ * sizeof(double));
    write_all(fd_, records.data(), records.size() * sizeof(double), offset, path_);
    if (::fdatasync(fd_) != 0) fail(path_, "fsync", errno);
    completed_ += records.size() / record_;
}

void Journal::truncate(std::size_t records) {
    if (records >= completed_) return;
    if (::ftruncate(fd_, static_cast<off_t>(kHeaderBytes + records * record_ * sizeof(double))) != 0 ||
        ::fdatasync(fd_) != 0)
        fail(path_, "truncate", errno);
    completed_ = records;
}

void Journal::read(std::size_t first, std::size_t count, std::vector<double>& out) const {
    out.resize(count * record_);
    const std::size_t bytes = out.size() * sizeof(double);
    const auto offset = static_cast<off_t>(kHeaderBytes + first * record_ * sizeof(double));
    std::size_t done = 0;
    auto* c = reinterpret_cast<char*>(out.data());
    while (done < bytes) {
        const ssize_t n = ::pread(fd_, c + done, bytes - done, offset + static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail(path_, "read", n < 0 ? errno : 0);
        done += static_cast<std::size_t>(n);
    }
}

void Journal::remove() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    std::filesystem::remove(path_);
}

}  // namespace polarity::study
