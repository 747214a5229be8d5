#pragma once
// Private helpers for writing HDF5 files, shared by the run recorder and the study writer:
// attributes, string and numeric datasets, dimension scales, dates, and publishing a finished
// temporary file atomically.

#include <hdf5.h>
#include <hdf5_hl.h>

#include <filesystem>
#include <string>
#include <vector>

#include "hdf5_detail.hpp"
#include "polarity/core/error.hpp"
#include "polarity/model/recorder.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::io::detail {

inline constexpr unsigned kDeflateLevel = 4;
// Chunks stay within HDF5's default 1 MiB chunk cache (STYLE.md section 4).
inline constexpr hsize_t kMaxChunkBytes = hsize_t{1} << 20;

/// "YYYY-MM".
[[nodiscard]] std::string format_month(const model::CalendarMonth& m);
/// Days from 2000-01-01 to the first day of the month (the CF time units of the month axis).
[[nodiscard]] double days_since_2000(const model::CalendarMonth& m);

/// Dataset and group creation properties: no access/modification times, so two runs with the
/// same inputs produce byte-identical files.
[[nodiscard]] Handle dataset_plist(const std::string& where);
void write_string_attr(hid_t obj, const char* name, const std::string& value, const std::string& where);
template <typename T>
void write_scalar_attr(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, T value,
                       const std::string& where) {
    const std::string at = where + " attribute '" + name + "'";
    Handle space = make_handle(H5Screate(H5S_SCALAR), "H5Screate", at);
    Handle attr = make_handle(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT,
                                         H5P_DEFAULT), "H5Acreate2", at);
    check(H5Awrite(attr.get(), mem_type, &value), "H5Awrite", at);
}
/// The scenario's resolved values (model::scenario_attributes) as attributes of `obj`.
void write_scenario_attributes(hid_t obj, const std::vector<model::ScenarioAttribute>& attributes, const std::string& where);
/// The `units` and `long_name` attributes.
void write_units(hid_t obj, const std::string& units, const std::string& long_name, const std::string& where);
/// A 1-D (or scalar, when `scalar`) dataset of variable-length UTF-8 strings.
Handle write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                     bool scalar, const std::string& where);
/// A numeric dataset of shape `dims`; chunked with shuffle + deflate when `compress` and no
/// dimension is zero.
Handle write_numeric(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                     hid_t file_type, hid_t mem_type, const void* data, bool compress,
                     const std::string& where);
void set_scale(hid_t ds, const std::string& name, const std::string& where);
void attach(hid_t ds, hid_t scale, unsigned axis, const std::string& what);

/// fsyncs a file or folder; failures are errors only when `required`.
void fsync_path(const std::filesystem::path& p, int flags, bool required, const std::filesystem::path& target);
/// Moves the finished temporary file onto `dst` in one step; without `overwrite`, a file that
/// appeared at `dst` meanwhile is kept and an IoError is thrown.
void publish(const std::filesystem::path& tmp, const std::filesystem::path& dst, bool overwrite);

}  // namespace polarity::io::detail
