#pragma once
/// @file
/// Private helpers over the HDF5 C API shared by the recorder and the readers: a move-only
/// RAII handle, error-stack-to-exception conversion, and string datatypes.

#include <hdf5.h>

#include <string>
#include <utility>

namespace polarity::io::detail {

/// Turns off HDF5's automatic printing of error stacks to stderr for the calling thread.
/// Call at every public entry point: in Debian's thread-safe build each thread has its own
/// default error stack, and the auto-print setting lives on that stack, so one call at start-up
/// would only silence the thread that made it. Cheap after the first call in a thread.
void silence_hdf5_errors() noexcept;

/// Throws IoError "HDF5 <call> failed (<where>): <outermost entry>; ...; <innermost entry>"
/// (the innermost entry of the error stack usually says why, e.g. the system error).
/// Must be called right after the failing call: the next HDF5 API call clears the stack.
[[noreturn]] void throw_hdf5_error(const char* call, const std::string& where);

/// Returns `id`, or throws for a negative id.
inline hid_t check_id(hid_t id, const char* call, const std::string& where) {
    if (id < 0) throw_hdf5_error(call, where);
    return id;
}

/// Throws for a negative status.
inline void check(herr_t status, const char* call, const std::string& where) {
    if (status < 0) throw_hdf5_error(call, where);
}

/// Owns one reference to an HDF5 id of any kind (file, group, dataset, dataspace, datatype,
/// property list, attribute). H5Idec_ref works for all of them, so one class suffices.
/// Never wrap library constants such as H5T_NATIVE_DOUBLE.
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) noexcept : id_(id) {}
    Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    [[nodiscard]] hid_t get() const noexcept { return id_; }
    [[nodiscard]] bool valid() const noexcept { return id_ >= 0; }
    /// Gives up ownership, e.g. to close a file with a checked H5Fclose.
    [[nodiscard]] hid_t release() noexcept { return std::exchange(id_, H5I_INVALID_HID); }
    /// Drops the reference; errors are ignored because this runs on cleanup paths.
    void reset() noexcept {
        if (id_ >= 0) H5Idec_ref(id_);
        id_ = H5I_INVALID_HID;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
};

/// Wraps the result of an id-returning call, throwing on failure.
inline Handle make_handle(hid_t id, const char* call, const std::string& where) {
    return Handle(check_id(id, call, where));
}

/// A variable-length, UTF-8, C string datatype (what h5py writes for `str`).
Handle vlen_utf8_type(const std::string& where);

/// File access properties used for both writing and reading: close strongly (so closing the
/// file really releases it before a rename or delete) and tolerate file systems without locks.
Handle file_access_plist(const std::string& where);

}  // namespace polarity::io::detail
