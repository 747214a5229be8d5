#include "hdf5_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <system_error>

namespace polarity::io::detail {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

IoError io_error(const fs::path& path, const std::string& what) { return IoError(path.string() + ": " + what); }

}  // namespace

std::string format_month(const model::CalendarMonth& m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d", m.year, m.month);
    return buf;
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian; H. Hinnant's algorithm).
long days_from_civil(long y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

double days_since_2000(const model::CalendarMonth& m) {
    static const long epoch = days_from_civil(2000, 1, 1);
    return static_cast<double>(days_from_civil(m.year, static_cast<unsigned>(m.month), 1) - epoch);
}

// ---- writing helpers -------------------------------------------------------------------------

// Object creation properties shared by datasets and groups: no access/modification times, so
// two runs with the same inputs produce byte-identical files.
Handle dataset_plist(const std::string& where) {
    Handle dcpl = make_handle(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", where);
    check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times", where);
    return dcpl;
}

void write_string_attr(hid_t obj, const char* name, const std::string& value,
                       const std::string& where) {
    const std::string at = where + " attribute '" + name + "'";
    Handle type = vlen_utf8_type(at);
    Handle space = make_handle(H5Screate(H5S_SCALAR), "H5Screate", at);
    Handle attr = make_handle(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT,
                                         H5P_DEFAULT), "H5Acreate2", at);
    const char* p = value.c_str();
    check(H5Awrite(attr.get(), type.get(), &p), "H5Awrite", at);
}

void write_scenario_attributes(hid_t obj, const std::vector<model::ScenarioAttribute>& attributes, const std::string& where) {
    for (const auto& a : attributes) {
        if (a.is_text) write_string_attr(obj, a.name.c_str(), a.text, where);
        else write_scalar_attr<double>(obj, a.name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, a.number, where);
    }
}

void write_units(hid_t obj, const std::string& units, const std::string& long_name,
                 const std::string& where) {
    write_string_attr(obj, "units", units, where);
    write_string_attr(obj, "long_name", long_name, where);
}

/// A 1-D (or scalar, when `scalar`) dataset of variable-length UTF-8 strings.
Handle write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                     bool scalar, const std::string& where) {
    const std::string at = where + name;
    Handle type = vlen_utf8_type(at);
    const hsize_t n = values.size();
    Handle space = scalar ? make_handle(H5Screate(H5S_SCALAR), "H5Screate", at)
                          : make_handle(H5Screate_simple(1, &n, nullptr), "H5Screate_simple", at);
    Handle dcpl = dataset_plist(at);
    Handle ds = make_handle(H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                       dcpl.get(), H5P_DEFAULT), "H5Dcreate2", at);
    std::vector<const char*> ptrs;
    ptrs.reserve(values.size());
    for (const auto& v : values) ptrs.push_back(v.c_str());
    if (!ptrs.empty()) {
        // Strings are converted (C pointers to HDF5 variable-length elements) through a type
        // conversion buffer, 1 MiB by default and zeroed on every write; one sized to the data
        // makes small writes several times faster. The file is the same.
        Handle dxpl = make_handle(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", at);
        const std::size_t buffer = std::max<std::size_t>(4096, 32 * values.size());
        check(H5Pset_buffer(dxpl.get(), buffer, nullptr, nullptr), "H5Pset_buffer", at);
        check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, dxpl.get(), ptrs.data()),
              "H5Dwrite", at);
    }
    return ds;
}

/// A numeric dataset of shape `dims`; chunked with shuffle + deflate when `compress` and no
/// dimension is zero (HDF5 rejects zero-sized chunks, and there is nothing to compress).
Handle write_numeric(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                     hid_t file_type, hid_t mem_type, const void* data, bool compress,
                     const std::string& where) {
    const std::string at = where + name;
    const int rank = static_cast<int>(dims.size());
    Handle space = make_handle(H5Screate_simple(rank, dims.data(), nullptr), "H5Screate_simple",
                               at);
    Handle dcpl = dataset_plist(at);
    const bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; });
    if (compress && !empty) {
        // Whole rows of the entity axis per chunk, as many months as fit in kMaxChunkBytes.
        const hsize_t elem = H5Tget_size(file_type);
        std::vector<hsize_t> chunk = dims;
        hsize_t row_elems = 1;
        for (std::size_t i = 1; i < chunk.size(); ++i) {
            chunk[i] = std::min(chunk[i], kMaxChunkBytes / elem);
            row_elems *= chunk[i];
        }
        chunk[0] = std::clamp<hsize_t>(kMaxChunkBytes / (elem * row_elems), 1, dims[0]);
        check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), "H5Pset_chunk", at);
        check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", at);
        check(H5Pset_deflate(dcpl.get(), kDeflateLevel), "H5Pset_deflate", at);
    }
    Handle ds = make_handle(H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                       dcpl.get(), H5P_DEFAULT), "H5Dcreate2", at);
    if (!empty) {
        check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite", at);
    }
    return ds;
}

void set_scale(hid_t ds, const std::string& name, const std::string& where) {
    check(H5DSset_scale(ds, name.c_str()), "H5DSset_scale", where);
}

void attach(hid_t ds, hid_t scale, unsigned axis, const std::string& what) {
    check(H5DSattach_scale(ds, scale, axis), "H5DSattach_scale", what);
}

// ---- publishing -------------------------------------------------------------------------------

void fsync_path(const fs::path& p, int flags, bool required, const fs::path& target) {
    const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0) {
        if (required) throw io_error(target, "open " + p.string() + ": " + errno_text(errno));
        return;
    }
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0 && required) {
        throw io_error(target, "fsync " + p.string() + ": " + errno_text(err));
    }
}

// Moves the finished temporary file onto `dst` in one step, so readers see either the old
// state or the complete new file. Without `overwrite`, a file that appeared at `dst` while the
// run was being written is kept, not replaced.
void publish(const fs::path& tmp, const fs::path& dst, bool overwrite) {
    if (overwrite) {
        if (::rename(tmp.c_str(), dst.c_str()) != 0) {
            throw io_error(dst, "rename from " + tmp.string() + ": " + errno_text(errno));
        }
        return;
    }
    int err = 0;
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dst.c_str(), RENAME_NOREPLACE) == 0) return;
    err = errno;
    if (err == EINVAL || err == ENOSYS || err == ENOTSUP) {
        // File system without RENAME_NOREPLACE: link() also refuses to replace a file.
        if (::link(tmp.c_str(), dst.c_str()) == 0) {
            ::unlink(tmp.c_str());
            return;
        }
        err = errno;
    }
    if (err == EEXIST) {
        throw io_error(dst, "the file appeared while the run was being written and "
                                  "overwrite is off; it was left as it is");
    }
    throw io_error(dst, "rename from " + tmp.string() + ": " + errno_text(err));
}

}  // namespace polarity::io::detail
