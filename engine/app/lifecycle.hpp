#pragma once
// How a command ends: the exit codes (the same for every subcommand, docs/cli.md), the one place
// that turns an exception into a message and a code, signals, and the temporary files a killed
// run left behind.

#include <filesystem>

namespace polarity::app {

/// Exit codes (docs/cli.md).
enum ExitCode : int {
    kOk = 0,
    kBadInput = 2,      ///< a scenario, study or command line that cannot be used
    kIoFailure = 3,     ///< reading or writing a file failed (disk full, permissions, a busy output)
    kInternal = 4,      ///< a bug: a broken invariant or an unexpected exception
    kInterrupted = 130  ///< SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C)
};

/// Prints "error: ..." for the exception in flight (call from a catch block) and returns its
/// exit code.
int report_current_exception();

/// Installs SIGINT and SIGTERM handlers. The first signal only sets a flag, which the next
/// checkpoint turns into a polarity::Interrupted (so the run stops where it can clean up);
/// a second one removes this process's temporary files and exits with kInterrupted at once.
void install_signal_handlers();

/// Throws polarity::Interrupted if a signal arrived. Called between months and between batches.
void check_interrupted();

/// Removes the temporary files a killed run left for @p output, saying so on stderr.
void report_stale_temp_files(const std::filesystem::path& output);

}  // namespace polarity::app
