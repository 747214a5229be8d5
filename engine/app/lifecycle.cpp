#include "lifecycle.hpp"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <new>

#include "polarity/core/error.hpp"
#include "polarity/io/temp_files.hpp"

namespace polarity::app {

namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int signo) {
    if (g_signal != 0) {
        // The second signal: the user wants out now. Only async-signal-safe calls here.
        io::remove_registered_temp_files();
        static constexpr char kMessage[] = "\nerror: interrupted again; stopped at once\n";
        (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        ::_exit(kInterrupted);
    }
    g_signal = signo;
}

}  // namespace

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

void check_interrupted() {
    if (g_signal != 0) {
        throw Interrupted(g_signal == SIGTERM ? "terminated (SIGTERM)" : "interrupted (SIGINT)");
    }
}

void report_stale_temp_files(const std::filesystem::path& output) {
    for (const auto& stale : io::remove_stale_temp_files(output))
        std::cerr << "note: removed " << printable(stale.string()) << ", left by an earlier run that was killed\n";
}

int report_current_exception() {
    try {
        throw;
    } catch (const ConfigError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kBadInput;
    } catch (const IoError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kIoFailure;
    } catch (const Interrupted& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kInterrupted;
    } catch (const std::filesystem::filesystem_error& e) {
        std::cerr << "error: " << printable(e.what()) << "\n";
        return kIoFailure;
    } catch (const std::bad_alloc&) {
        std::cerr << "error: out of memory (an internal error: the input limits of docs/cli.md "
                     "should prevent this; please report it)\n";
        return kInternal;
    } catch (const std::exception& e) {
        std::cerr << "error: internal error: " << printable(e.what()) << "\n";
        return kInternal;
    } catch (...) {
        std::cerr << "error: internal error: an unknown exception\n";
        return kInternal;
    }
}

}  // namespace polarity::app
