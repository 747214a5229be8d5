#include "polarity/io/temp_files.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

namespace polarity::io {

namespace {

namespace fs = std::filesystem;

// Fixed slots, because a signal handler may read them: no allocation, no locks. A slot is
// claimed with `busy`, filled, then published with `used`; the handler reads only used ones.
struct Slot {
    std::atomic<bool> busy{false};
    std::atomic<bool> used{false};
    std::array<char, 4096> path{};
};
std::array<Slot, 16> g_slots;

}  // namespace

fs::path temp_path_for(const fs::path& output) {
    fs::path tmp = output;
    tmp += ".tmp-" + std::to_string(::getpid());
    return tmp;
}

void register_temp_file(const fs::path& tmp) noexcept {
    const std::string& s = tmp.native();
    if (s.size() >= Slot{}.path.size()) return;
    for (Slot& slot : g_slots) {
        bool expected = false;
        if (!slot.busy.compare_exchange_strong(expected, true)) continue;
        std::memcpy(slot.path.data(), s.c_str(), s.size() + 1);
        slot.used.store(true);
        return;
    }
}

void unregister_temp_file(const fs::path& tmp) noexcept {
    for (Slot& slot : g_slots) {
        if (slot.used.load() && tmp.native() == slot.path.data()) {
            slot.used.store(false);
            slot.busy.store(false);
            return;
        }
    }
}

void remove_registered_temp_files() noexcept {
    for (Slot& slot : g_slots) {
        if (slot.used.load()) ::unlink(slot.path.data());
    }
}

std::vector<fs::path> remove_stale_temp_files(const fs::path& output) noexcept {
    std::vector<fs::path> removed;
    try {
        const fs::path folder = output.has_parent_path() ? output.parent_path() : fs::path(".");
        const std::string prefix = output.filename().string() + ".tmp-";
        std::error_code ec;
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
            int pid = 0;
            const char* first = name.data() + prefix.size();
            const char* last = name.data() + name.size();
            const auto [end_of_number, err] = std::from_chars(first, last, pid);
            if (err != std::errc() || end_of_number != last || pid <= 0) continue;
            // kill(pid, 0) fails with ESRCH only when no such process exists.
            if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
            std::error_code rm;
            if (fs::remove(it->path(), rm) && !rm) removed.push_back(it->path());
        }
    } catch (...) {
        // Best effort: a folder that cannot be listed has nothing we could remove.
    }
    return removed;
}

}  // namespace polarity::io
