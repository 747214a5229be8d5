#pragma once
/// @file
/// Temporary output files ("<output>.tmp-<pid>"): the set this process has open, so that a
/// signal handler can remove them, and the stale ones a killed process left behind.
///
/// Outputs are written under a temporary name and renamed when complete (hdf5_recorder.hpp,
/// study_writer.hpp). An exception removes the temporary file through its owner's destructor;
/// a signal that must end the process at once calls remove_registered_temp_files(); a SIGKILL
/// leaves the file, and the next run on the same output finds it with remove_stale_temp_files().

#include <filesystem>
#include <vector>

namespace polarity::io {

/// "<output>.tmp-<pid of this process>".
[[nodiscard]] std::filesystem::path temp_path_for(const std::filesystem::path& output);

/// Records a temporary file this process is writing. Holds up to 16 paths of up to 4,095 bytes;
/// a path beyond that is simply not recorded (it is still removed by its owner on errors).
void register_temp_file(const std::filesystem::path& tmp) noexcept;
/// Forgets a temporary file (renamed into place, or removed by its owner).
void unregister_temp_file(const std::filesystem::path& tmp) noexcept;
/// Unlinks every recorded temporary file. Async-signal-safe: only reads fixed buffers and
/// calls unlink(2).
void remove_registered_temp_files() noexcept;

/// Removes the temporary files of @p output ("<output>.tmp-<pid>") whose process no longer
/// runs, and returns their paths. Files of live processes (a concurrent run) are left alone.
/// Never throws: a file that cannot be removed is not returned.
[[nodiscard]] std::vector<std::filesystem::path> remove_stale_temp_files(
    const std::filesystem::path& output) noexcept;

}  // namespace polarity::io
