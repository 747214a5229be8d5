#pragma once
// A study journal that lives in memory: the playground's studies are summarised by the study
// layer's own summarize(), which reads a Journal, but a request may write no file. The journal
// is opened on an anonymous memory file (memfd), which disappears with its last descriptor.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "polarity/study/journal.hpp"

namespace polarity::serve::detail {

class MemoryJournal {
public:
    /// @throws polarity::IoError when the memory file cannot be made.
    MemoryJournal(std::uint64_t fingerprint, std::size_t record_doubles);
    ~MemoryJournal();
    MemoryJournal(const MemoryJournal&) = delete;
    MemoryJournal& operator=(const MemoryJournal&) = delete;

    [[nodiscard]] study::Journal& journal() { return *journal_; }

private:
    int fd_ = -1;
    std::optional<study::Journal> journal_;
};

}  // namespace polarity::serve::detail
