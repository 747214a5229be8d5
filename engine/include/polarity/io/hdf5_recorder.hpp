#pragma once
/// @file
/// The HDF5 output edge: a Recorder that writes one run to one HDF5 file, plus small readers
/// for tests and tools. The file layout is documented in docs/output.md; it is laid out with
/// netCDF-4 dimension scales so that `xarray.open_dataset(path, engine="h5netcdf")` gives
/// named dimensions and decoded dates.
///
/// Every failure throws polarity::IoError. Errors from HDF5 name the failing call and carry
/// the messages of the HDF5 error stack; HDF5's own printing of errors to stderr is silenced.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "polarity/model/calibration.hpp"
#include "polarity/model/recorder.hpp"

namespace polarity::io {

/// The `format` attribute of a run file; bumped on any incompatible layout change.
inline constexpr const char* kRunFileFormat = "polarity-run/2";

/// Writes one run to an HDF5 file, atomically.
///
/// Months are buffered in memory (a run is ~100 months x ~100 series, well under a few MB);
/// begin() creates "<path>.tmp-<pid>" next to the target and writes the provenance and axes,
/// finish() writes the series and outcome, flushes, and renames the temporary file onto `path`.
/// If finish() is never reached (an exception, a cancelled run) the destructor removes the
/// temporary file, so a file at `path` is always complete.
///
/// A recorder writes exactly one run: begin, record for months 0, 1, ..., finish, in that order.
/// Use each recorder from one thread at a time. Recorders on different threads work, but gain
/// nothing: Debian's thread-safe HDF5 serialises every call behind one lock.
class Hdf5Recorder final : public model::Recorder {
public:
    /// @param path       the output file; its folder must exist.
    /// @param overwrite  replace an existing file at `path` (only when finish() succeeds).
    /// @throws IoError if `path` exists and `overwrite` is false (the file is not touched), if
    ///         `path` is a directory, or if its folder does not exist.
    Hdf5Recorder(std::filesystem::path path, bool overwrite);

    /// Removes the temporary file unless finish() succeeded. Never throws.
    ~Hdf5Recorder() override;

    Hdf5Recorder(const Hdf5Recorder&) = delete;
    Hdf5Recorder& operator=(const Hdf5Recorder&) = delete;

    /// Validates the header, creates the temporary file and writes provenance, the scenario
    /// text and the axis labels.
    /// @throws IoError on HDF5 failures, a second call, or a header the layout cannot hold:
    ///         empty, duplicate or reserved names ("month", "month_label", "scenario_yaml",
    ///         "outcome", "calibration"), names containing '/', or a series naming an unknown axis.
    void begin(const model::RunHeader& header) override;

    /// Buffers one month in memory.
    /// @throws IoError if called out of order, if `month.month_index` is not the next index,
    ///         if `month.date` is not header.start + month_index, if the value shapes do not
    ///         match the series specs, or if an integer series holds a value that is not an
    ///         integer in int32 range. The month is not recorded then.
    void record(const model::MonthRecord& month) override;

    /// Keeps the calibration table (targets measured on this run, model/calibration.hpp) to
    /// write as the `/calibration` group at finish(); a table without targets writes nothing.
    /// Call it after the last month (the table replaces any given before).
    /// @throws IoError if called outside begin() .. finish() or if a column does not have one
    ///         entry per target.
    void record_calibration(model::CalibrationTable table);

    /// Writes the buffered months and the outcome, then renames the file onto path().
    /// @throws IoError on HDF5 or file-system failures, if called out of order, if the
    ///         outcome's per-bloc vectors differ in length from its bloc list, or if the
    ///         header has a "bloc" axis whose labels differ from `outcome.blocs`.
    ///         The temporary file is removed and nothing is left at path() then (an existing
    ///         file being overwritten stays as it was).
    void finish(const model::Outcome& outcome) override;

    /// The final output path as given to the constructor.
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    struct State;  // HDF5 handles and buffers; keeps <hdf5.h> out of this header.

    void discard() noexcept;

    std::filesystem::path path_;
    std::filesystem::path tmp_path_;
    bool overwrite_;
    std::unique_ptr<State> state_;
};

/// Stops HDF5 from tearing itself down at process exit. Call first thing in main(), before any
/// other HDF5 call. A write that fails while HDF5 flushes a dataset (a full disk) leaves that
/// dataset's id half-closed; HDF5's exit handler then closes it again and crashes the process
/// after the error has been reported. The files involved are temporary and already removed,
/// so skipping the teardown loses nothing. Never throws.
void skip_hdf5_teardown_at_exit() noexcept;

/// A numeric dataset read as double, row-major (C order).
struct DatasetF64 {
    std::vector<std::size_t> shape;  ///< empty for a scalar dataset
    std::vector<double> values;      ///< product of shape elements (1 for a scalar)
};

/// Reads any integer or floating-point dataset, converting to double.
/// @param name  dataset path, e.g. "bloc_frontier_capability" or "/outcome/final_lag_months".
/// @throws IoError if the file or dataset cannot be read or the dataset is not numeric.
[[nodiscard]] DatasetF64 read_dataset(const std::filesystem::path& file, const std::string& name);

/// Reads a string dataset (variable- or fixed-length, scalar or 1-D) as a flat list.
/// @throws IoError if the file or dataset cannot be read or the dataset is not of strings.
[[nodiscard]] std::vector<std::string> read_strings(const std::filesystem::path& file,
                                                    const std::string& name);

/// Reads a scalar string attribute (variable- or fixed-length) of a group or dataset.
/// @param object_name  "/" for the root group, "/outcome", "/month", ...
/// @throws IoError if the object or attribute does not exist or is not a string.
[[nodiscard]] std::string read_string_attribute(const std::filesystem::path& file,
                                                const std::string& object_name,
                                                const std::string& attr_name);

/// Reads a scalar numeric attribute as double (exact for the int32 attributes of the layout).
/// @throws IoError if the object or attribute does not exist or is not numeric.
[[nodiscard]] double read_numeric_attribute(const std::filesystem::path& file,
                                            const std::string& object_name,
                                            const std::string& attr_name);

/// Reads a scalar integer attribute as uint64 without loss (the `seed` and `run_index` of "/").
/// @throws IoError if the object or attribute does not exist, is not an integer, or is negative.
[[nodiscard]] std::uint64_t read_uint64_attribute(const std::filesystem::path& file,
                                                  const std::string& object_name,
                                                  const std::string& attr_name);

/// Every dataset in the file as an absolute path ("/month", "/outcome/final_capability"), sorted.
/// @throws IoError if the file cannot be read.
[[nodiscard]] std::vector<std::string> list_datasets(const std::filesystem::path& file);

}  // namespace polarity::io
