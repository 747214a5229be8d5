// The study journal's bytes in a POSIX file (study/journal.hpp declares the interface): positional
// reads and writes that retry on EINTR, and fdatasync for durability.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "polarity/core/error.hpp"
#include "polarity/study/journal.hpp"

namespace polarity::study {

namespace {

class JournalFile final : public JournalStorage {
public:
    explicit JournalFile(std::filesystem::path path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) fail("open", errno);
    }
    ~JournalFile() override {
        if (fd_ >= 0) ::close(fd_);
    }
    JournalFile(const JournalFile&) = delete;
    JournalFile& operator=(const JournalFile&) = delete;

    std::uint64_t size() const override {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) fail("stat", errno);
        return static_cast<std::uint64_t>(st.st_size);
    }
    void read(std::uint64_t offset, void* data, std::size_t bytes) const override {
        auto* c = static_cast<char*>(data);
        while (bytes > 0) {
            const ssize_t n = ::pread(fd_, c, bytes, static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) fail(n < 0 ? "read" : "read: the file is shorter than expected", n < 0 ? errno : 0);
            c += n;
            bytes -= static_cast<std::size_t>(n);
            offset += static_cast<std::uint64_t>(n);
        }
    }
    void write(std::uint64_t offset, const void* data, std::size_t bytes) override {
        const auto* c = static_cast<const char*>(data);
        while (bytes > 0) {
            const ssize_t n = ::pwrite(fd_, c, bytes, static_cast<off_t>(offset));
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("write", errno);
            }
            c += n;
            bytes -= static_cast<std::size_t>(n);
            offset += static_cast<std::uint64_t>(n);
        }
    }
    void truncate(std::uint64_t bytes) override {
        if (::ftruncate(fd_, static_cast<off_t>(bytes)) != 0) fail("truncate", errno);
    }
    void sync() override {
        if (::fdatasync(fd_) != 0) fail("fsync", errno);
    }
    void remove() override {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    const std::filesystem::path& path() const override { return path_; }

private:
    [[noreturn]] void fail(const std::string& what, int err) const {
        std::string msg = path_.string() + ": " + what;
        if (err != 0) msg += ": " + std::error_code(err, std::generic_category()).message();
        throw IoError(msg);
    }
    std::filesystem::path path_;
    int fd_ = -1;
};

}  // namespace

std::unique_ptr<JournalStorage> open_journal_file(const std::filesystem::path& path) {
    return std::make_unique<JournalFile>(path);
}

}  // namespace polarity::study
