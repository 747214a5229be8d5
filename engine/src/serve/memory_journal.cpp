#include "memory_journal.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "polarity/core/error.hpp"

namespace polarity::serve::detail {

MemoryJournal::MemoryJournal(std::uint64_t fingerprint, std::size_t record_doubles)
    : fd_(::memfd_create("polarity-study", MFD_CLOEXEC)) {
    if (fd_ < 0) throw IoError(std::string("memfd_create: ") + std::strerror(errno));
    // The journal opens its path; /proc/self/fd/N reopens the memory file. `resume` on an empty
    // file starts a fresh journal (the journal would otherwise try to delete the path first).
    try {
        journal_.emplace("/proc/self/fd/" + std::to_string(fd_), fingerprint, record_doubles, /*resume=*/true,
                         /*restart=*/false);
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

MemoryJournal::~MemoryJournal() {
    journal_.reset();
    ::close(fd_);
}

}  // namespace polarity::serve::detail
