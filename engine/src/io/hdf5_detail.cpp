#include "hdf5_detail.hpp"

#include <array>
#include <string>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/io/hdf5_recorder.hpp"

namespace polarity::io::detail {

void silence_hdf5_errors() noexcept {
    thread_local bool silenced = false;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        silenced = true;
    }
}

namespace {

std::string error_message_text(hid_t msg_id) {
    std::array<char, 256> buf{};
    if (H5Eget_msg(msg_id, nullptr, buf.data(), buf.size()) < 0) return {};
    return buf.data();
}

// Collects "description (minor message)" for each entry, outermost call first.
herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* data) {
    auto& lines = *static_cast<std::vector<std::string>*>(data);
    try {
        std::string line = err->desc != nullptr && *err->desc != '\0' ? err->desc : "";
        if (err->func_name != nullptr) line = std::string(err->func_name) + ": " + line;
        const std::string minor = error_message_text(err->min_num);
        if (!minor.empty()) line += " (" + minor + ")";
        // Some descriptions embed a ctime() line break; keep the message on one line.
        for (char& c : line) {
            if (c == '\n') c = ' ';
        }
        lines.push_back(std::move(line));
    } catch (...) {
        return -1;  // never let an exception cross the C library
    }
    return 0;
}

}  // namespace

void throw_hdf5_error(const char* call, const std::string& where) {
    std::vector<std::string> lines;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &lines);
    H5Eclear2(H5E_DEFAULT);
    std::string msg = std::string("HDF5 ") + call + " failed";
    if (!where.empty()) msg += " (" + where + ")";
    // The stack runs from the API call down to the system call; the outermost entry names
    // what failed and the innermost why ("No space left on device"). The ten or so entries
    // in between are library internals, which made messages thousands of characters long.
    if (lines.empty()) {
        msg += ": no HDF5 error stack";
    } else {
        msg += ": " + lines.front();
        std::string innermost = lines.back();
        // A failed system call is described with a dump of its arguments; the system's
        // message ("No space left on device") is the part a reader needs.
        const std::string key = "error message = '";
        if (const auto at = innermost.find(key); at != std::string::npos) {
            const auto end = innermost.find('\'', at + key.size());
            innermost = innermost.substr(0, innermost.find(':')) + ": " +
                        innermost.substr(at + key.size(), end - at - key.size());
        }
        if (lines.size() > 1) msg += "; ...; " + innermost;
    }
    throw IoError(msg);
}

Handle vlen_utf8_type(const std::string& where) {
    Handle t = make_handle(H5Tcopy(H5T_C_S1), "H5Tcopy", where);
    check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size", where);
    check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset", where);
    return t;
}

Handle file_access_plist(const std::string& where) {
    Handle fapl = make_handle(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", where);
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "H5Pset_fclose_degree", where);
    // Keep HDF5's locking where it works, but do not fail on file systems that lack it
    // (some network and container mounts), where HDF5 would otherwise refuse to open.
    check(H5Pset_file_locking(fapl.get(), true, true), "H5Pset_file_locking", where);
    return fapl;
}

}  // namespace polarity::io::detail

namespace polarity::io {

void skip_hdf5_teardown_at_exit() noexcept { (void)H5dont_atexit(); }

}  // namespace polarity::io
