#include "polarity/io/hdf5_recorder.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include "hdf5_detail.hpp"
#include "hdf5_write.hpp"
#include "polarity/core/error.hpp"
#include "polarity/model/run_outputs.hpp"
#include "polarity/io/temp_files.hpp"

namespace polarity::io {

namespace fs = std::filesystem;
using detail::check;
using detail::Handle;
using detail::make_handle;
using namespace detail;  // the shared writing helpers of hdf5_write.hpp

namespace {

constexpr const char* kMonthUnits = "days since 2000-01-01";
constexpr const char* kNotReached = "not reached";

// Series datasets up to this many bytes are stored contiguous and uncompressed: for a
// ~100-month run that is every one of them, and shuffle + deflate on ~10 KiB datasets saved
// little space but was most of the time spent writing a file. Larger ones (many labs, long
// runs) are chunked and compressed.
constexpr std::size_t kContiguousMaxBytes = std::size_t{64} << 10;

// Names the layout itself uses at the root; a series or axis with one of them would collide.
const std::set<std::string> kReservedNames = {"month", "month_label", "scenario_yaml", "outcome", "calibration"};


IoError recorder_error(const fs::path& path, const std::string& what) {
    return IoError("Hdf5Recorder(" + path.string() + "): " + what);
}

// ---- validation -------------------------------------------------------------------------------

void check_name(const fs::path& path, const std::string& kind, const std::string& name,
                std::set<std::string>& seen) {
    if (name.empty() || name == "." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos) {
        throw recorder_error(path, kind + " name '" + name +
                                       "' is not a valid HDF5 dataset name (empty, '.', or "
                                       "contains '/' or NUL)");
    }
    if (kReservedNames.count(name) != 0) {
        throw recorder_error(path, kind + " name '" + name + "' is reserved by the file layout");
    }
    if (!seen.insert(name).second) {
        throw recorder_error(path, kind + " name '" + name +
                                       "' is used twice (axes and series share one namespace)");
    }
}

void validate_header(const fs::path& path, const model::RunHeader& h) {
    if (h.start.month < 1 || h.start.month > 12) {
        throw recorder_error(path, "start month " + std::to_string(h.start.month) +
                                       " is not in 1..12");
    }
    std::set<std::string> seen;
    for (const auto& axis : h.axes) check_name(path, "axis", axis.name, seen);
    const auto has_axis = [&](const std::string& name) {
        return std::any_of(h.axes.begin(), h.axes.end(), [&](const model::Axis& a) { return a.name == name; });
    };
    for (const auto& fact : h.facts) {
        check_name(path, "fact", fact.name, seen);
        if (!has_axis(fact.axis) || (!fact.second_axis.empty() && !has_axis(fact.second_axis)))
            throw recorder_error(path, "fact '" + fact.name + "' names an unknown axis");
    }
    for (const auto& spec : h.series) {
        check_name(path, "series", spec.name, seen);
        if (!spec.axis.empty() &&
            std::none_of(h.axes.begin(), h.axes.end(),
                         [&](const model::Axis& a) { return a.name == spec.axis; })) {
            throw recorder_error(path, "series '" + spec.name + "' names unknown axis '" +
                                           spec.axis + "'");
        }
    }
}

const model::Axis* find_axis(const model::RunHeader& h, const std::string& name) {
    for (const auto& a : h.axes) {
        if (a.name == name) return &a;
    }
    return nullptr;
}

// ---- dimension scales ---------------------------------------------------------------------------

/// Attaches dimension scales in bulk, writing exactly the attributes H5DSattach_scale writes:
/// on each dataset a DIMENSION_LIST (one variable-length list of object references per
/// dimension) and on each scale a REFERENCE_LIST (compound {dataset reference, dimension}, one
/// entry per attachment, in attachment order). H5DSattach_scale re-reads, deletes and re-creates
/// the scale's REFERENCE_LIST on every call, which made attaching ~60 scales most of the cost of
/// writing a small file; here each attribute is written once. The file reads the same through
/// the H5DS API (H5DSis_attached, H5DSiterate_scales), h5py, netCDF and xarray.
class DimensionScales {
public:
    /// Registers a dataset already made a scale with H5DSset_scale; returns its index.
    std::size_t add_scale(hid_t scale, const std::string& where) {
        Scale sc;
        sc.id = scale;
        sc.where = where;
        check(H5Rcreate(&sc.ref, scale, ".", H5R_OBJECT, -1), "H5Rcreate", where);
        scales_.push_back(std::move(sc));
        return scales_.size() - 1;
    }

    /// Attaches scale `scales[d]` to dimension d of `ds`, for every d (one scale per dimension).
    void attach(hid_t ds, const std::vector<std::size_t>& scales, const std::string& where) {
        hobj_ref_t self;
        check(H5Rcreate(&self, ds, ".", H5R_OBJECT, -1), "H5Rcreate", where);
        std::vector<hobj_ref_t> refs(scales.size());
        std::vector<hvl_t> lists(scales.size());
        for (std::size_t d = 0; d < scales.size(); ++d) {
            Scale& sc = scales_[scales[d]];
            refs[d] = sc.ref;
            lists[d].len = 1;
            lists[d].p = &refs[d];
            sc.attached.push_back({self, static_cast<int>(d)});
        }
        const std::string at = where + " attribute '" DIMENSION_LIST "'";
        Handle type = make_handle(H5Tvlen_create(H5T_STD_REF_OBJ), "H5Tvlen_create", at);
        const hsize_t n = scales.size();
        Handle space = make_handle(H5Screate_simple(1, &n, nullptr), "H5Screate_simple", at);
        Handle attr = make_handle(H5Acreate2(ds, DIMENSION_LIST, type.get(), space.get(), H5P_DEFAULT,
                                             H5P_DEFAULT), "H5Acreate2", at);
        check(H5Awrite(attr.get(), type.get(), lists.data()), "H5Awrite", at);
    }

    /// Writes each scale's REFERENCE_LIST (scales nothing is attached to get none, as with H5DS).
    void finish() {
        for (const Scale& sc : scales_) {
            if (sc.attached.empty()) continue;
            const std::string at = sc.where + " attribute '" REFERENCE_LIST "'";
            Handle type = make_handle(H5Tcreate(H5T_COMPOUND, sizeof(Entry)), "H5Tcreate", at);
            check(H5Tinsert(type.get(), "dataset", HOFFSET(Entry, ref), H5T_STD_REF_OBJ), "H5Tinsert", at);
            check(H5Tinsert(type.get(), "dimension", HOFFSET(Entry, dim), H5T_NATIVE_INT), "H5Tinsert", at);
            const hsize_t n = sc.attached.size();
            Handle space = make_handle(H5Screate_simple(1, &n, nullptr), "H5Screate_simple", at);
            Handle attr = make_handle(H5Acreate2(sc.id, REFERENCE_LIST, type.get(), space.get(),
                                                 H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", at);
            check(H5Awrite(attr.get(), type.get(), sc.attached.data()), "H5Awrite", at);
        }
    }

private:
    // The layout of H5DS's ds_list_t: {hobj_ref_t ref; unsigned dim_idx;}, 16 bytes.
    struct Entry {
        hobj_ref_t ref;
        int dim;
    };
    struct Scale {
        hid_t id = H5I_INVALID_HID;  // not owned
        hobj_ref_t ref = 0;
        std::string where;
        std::vector<Entry> attached;
    };
    std::vector<Scale> scales_;
};

}  // namespace

// ---- Hdf5Recorder -----------------------------------------------------------------------------

struct Hdf5Recorder::State {
    enum class Phase { idle, begun, finished, failed };
    Phase phase = Phase::idle;
    model::RunHeader header;
    std::vector<std::size_t> width;              ///< per series: axis length, 1 when scalar
    std::vector<std::vector<double>> buffers;    ///< per series, row-major [month][entity]
    std::vector<model::CalendarMonth> dates;
    std::vector<Handle> axes;                    ///< the axis scales, open from begin() to finish()
    model::CalibrationTable calibration;         ///< written as /calibration when it has targets
    Handle file;
    bool tmp_created = false;
};

Hdf5Recorder::Hdf5Recorder(fs::path path, bool overwrite)
    : path_(std::move(path)), overwrite_(overwrite), state_(std::make_unique<State>()) {
    if (path_.empty() || !path_.has_filename()) {
        throw recorder_error(path_, "the output path must name a file");
    }
    std::error_code ec;
    const fs::path folder = path_.has_parent_path() ? path_.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, ec)) {
        throw recorder_error(path_, "folder " + folder.string() + " does not exist");
    }
    const auto status = fs::symlink_status(path_, ec);
    if (fs::exists(status)) {
        if (fs::is_directory(fs::status(path_, ec))) {
            throw recorder_error(path_, "the output path is a directory");
        }
        if (!overwrite_) {
            throw recorder_error(path_, "the file exists; pass overwrite to replace it");
        }
    }
    tmp_path_ = temp_path_for(path_);
}

Hdf5Recorder::~Hdf5Recorder() {
    if (state_->phase != State::Phase::finished) discard();
}

void Hdf5Recorder::discard() noexcept {
    auto& s = *state_;
    s.axes.clear();
    s.file.reset();  // H5F_CLOSE_STRONG: closes the file even if an object id leaked
    if (s.tmp_created) {
        std::error_code ec;
        fs::remove(tmp_path_, ec);
        unregister_temp_file(tmp_path_);
        s.tmp_created = false;
    }
    s.phase = State::Phase::failed;
    s.buffers.clear();
    s.dates.clear();
}

void Hdf5Recorder::begin(const model::RunHeader& header) {
    auto& s = *state_;
    if (s.phase != State::Phase::idle) {
        throw recorder_error(path_, "begin() may be called once, before record() and finish()");
    }
    validate_header(path_, header);
    detail::silence_hdf5_errors();
    const std::string where = tmp_path_.string() + ":/";
    try {
        s.header = header;
        s.width.clear();
        for (const auto& spec : header.series) {
            const model::Axis* axis = spec.axis.empty() ? nullptr : find_axis(header, spec.axis);
            s.width.push_back(axis != nullptr ? axis->labels.size() : 1);
        }
        s.buffers.assign(header.series.size(), {});

        const std::string file = tmp_path_.string();
        Handle fcpl = make_handle(H5Pcreate(H5P_FILE_CREATE), "H5Pcreate", file);
        // Applies to the root group, which H5Fcreate makes from the file creation properties.
        check(H5Pset_obj_track_times(fcpl.get(), false), "H5Pset_obj_track_times", file);
        Handle fapl = detail::file_access_plist(file);
        s.tmp_created = true;  // H5F_ACC_TRUNC may create the file even if the call then fails
        register_temp_file(tmp_path_);
        s.file = make_handle(H5Fcreate(tmp_path_.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                             "H5Fcreate", file);
        const hid_t root = s.file.get();

        write_string_attr(root, "format", kRunFileFormat, where);
        write_string_attr(root, "engine_version", POLARITY_VERSION, where);
        write_string_attr(root, "git_sha", POLARITY_GIT_SHA, where);
        write_string_attr(root, "scenario_name", header.scenario_name, where);
        write_string_attr(root, "scenario_path", header.scenario_path, where);
        write_scalar_attr<std::uint64_t>(root, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                         header.seed, where);
        write_scalar_attr<std::uint64_t>(root, "run_index", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                         header.run_index, where);
        write_string_attr(root, "start", format_month(header.start), where);
        write_scalar_attr<int>(root, "horizon_months", H5T_STD_I32LE, H5T_NATIVE_INT,
                               header.horizon_months, where);
        write_scenario_attributes(root, header.attributes, where);

        Handle yaml = write_strings(root, "scenario_yaml", {header.scenario_text}, true, where);
        write_string_attr(yaml.get(), "long_name", "scenario file text (YAML)",
                          where + "scenario_yaml");

        s.axes.clear();
        for (const auto& axis : header.axes) {
            const std::string at = where + axis.name;
            Handle ds = write_strings(root, axis.name, axis.labels, false, where);
            write_string_attr(ds.get(), "long_name", axis.name + " name", at);
            set_scale(ds.get(), axis.name, at);
            s.axes.push_back(std::move(ds));
        }
        s.phase = State::Phase::begun;
    } catch (...) {
        discard();
        throw;
    }
}

void Hdf5Recorder::record(const model::MonthRecord& month) {
    auto& s = *state_;
    if (s.phase != State::Phase::begun) {
        throw recorder_error(path_, "record() is only valid between begin() and finish()");
    }
    const auto expected_index = static_cast<int>(s.dates.size());
    if (month.month_index != expected_index) {
        throw recorder_error(path_, "month_index " + std::to_string(month.month_index) +
                                        " recorded where " + std::to_string(expected_index) +
                                        " was expected");
    }
    const auto expected_date =
        model::CalendarMonth::from_serial(s.header.start.serial() + month.month_index);
    if (month.date != expected_date) {
        throw recorder_error(path_, "month " + std::to_string(month.month_index) + " is dated " +
                                        format_month(month.date) + ", expected " +
                                        format_month(expected_date));
    }
    const auto& specs = s.header.series;
    if (month.values.size() != specs.size()) {
        throw recorder_error(path_, "month " + std::to_string(month.month_index) + " has " +
                                        std::to_string(month.values.size()) + " series, the " +
                                        "header declares " + std::to_string(specs.size()));
    }
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& v = month.values[i];
        if (v.size() != s.width[i]) {
            throw recorder_error(path_, "series '" + specs[i].name + "' has " +
                                            std::to_string(v.size()) + " values at month " +
                                            std::to_string(month.month_index) + ", expected " +
                                            std::to_string(s.width[i]));
        }
        if (!specs[i].integer) continue;
        for (std::size_t e = 0; e < v.size(); ++e) {
            const double x = v[e];
            const bool ok = x == std::trunc(x) &&
                            x >= static_cast<double>(std::numeric_limits<std::int32_t>::min()) &&
                            x <= static_cast<double>(std::numeric_limits<std::int32_t>::max());
            if (!ok) {
                throw recorder_error(path_, "integer series '" + specs[i].name + "' holds " +
                                                std::to_string(x) + " at month " +
                                                std::to_string(month.month_index) + ", entity " +
                                                std::to_string(e));
            }
        }
    }
    // Validated as a whole first, so a rejected month leaves the buffers unchanged.
    for (std::size_t i = 0; i < specs.size(); ++i) {
        s.buffers[i].insert(s.buffers[i].end(), month.values[i].begin(), month.values[i].end());
    }
    s.dates.push_back(month.date);
}

void Hdf5Recorder::record_calibration(model::CalibrationTable table) {
    auto& s = *state_;
    if (s.phase != State::Phase::begun) {
        throw recorder_error(path_, "record_calibration() is only valid between begin() and finish()");
    }
    for (const auto& c : table.columns) {
        if ((c.is_text ? c.text.size() : c.numbers.size()) != table.targets.size())
            throw recorder_error(path_, "calibration column '" + c.name + "' does not have one entry per target");
    }
    s.calibration = std::move(table);
}

void Hdf5Recorder::finish(const model::Outcome& outcome) {
    auto& s = *state_;
    if (s.phase != State::Phase::begun) {
        throw recorder_error(path_, "finish() is only valid once, after begin()");
    }
    detail::silence_hdf5_errors();
    const std::string where = tmp_path_.string() + ":/";
    try {
        const auto& h = s.header;
        const std::size_t n_blocs = outcome.blocs.size();
        if (outcome.crossing_month_index.size() != n_blocs ||
            outcome.final_capability.size() != n_blocs ||
            outcome.final_lag_months.size() != n_blocs ||
            outcome.final_compute_share.size() != n_blocs) {
            throw recorder_error(path_, "the outcome's per-bloc vectors do not all have one "
                                        "entry per bloc (" + std::to_string(n_blocs) + ")");
        }
        const model::Axis* bloc_axis = find_axis(h, "bloc");
        if (bloc_axis != nullptr && bloc_axis->labels != outcome.blocs) {
            throw recorder_error(path_, "the outcome's blocs differ from the labels of the "
                                        "'bloc' axis");
        }
        const hid_t root = s.file.get();
        const hsize_t n_months = s.dates.size();

        // Time: days since 2000-01-01 of each month's first day, decoded by xarray/cftime.
        std::vector<double> days;
        std::vector<std::string> labels;
        for (const auto& d : s.dates) {
            days.push_back(days_since_2000(d));
            labels.push_back(format_month(d));
        }
        Handle month = write_numeric(root, "month", {n_months}, H5T_IEEE_F64LE,
                                     H5T_NATIVE_DOUBLE, days.data(), false, where);
        write_units(month.get(), kMonthUnits, "first day of the simulated month",
                    where + "month");
        write_string_attr(month.get(), "calendar", "standard", where + "month");
        set_scale(month.get(), "month", where + "month");
        DimensionScales scales;
        const std::size_t month_scale = scales.add_scale(month.get(), where + "month");
        std::vector<std::size_t> axis_scale;
        for (std::size_t a = 0; a < h.axes.size(); ++a)
            axis_scale.push_back(scales.add_scale(s.axes[a].get(), where + h.axes[a].name));
        const auto axis_index = [&](const std::string& name) {
            for (std::size_t a = 0; a < h.axes.size(); ++a)
                if (h.axes[a].name == name) return a;
            return h.axes.size();
        };
        {
            const std::string at = where + "month_label";
            Handle ds = write_strings(root, "month_label", labels, false, where);
            write_string_attr(ds.get(), "long_name", "simulated month (YYYY-MM)", at);
            scales.attach(ds.get(), {month_scale}, at);
        }

        for (std::size_t i = 0; i < h.series.size(); ++i) {
            const auto& spec = h.series[i];
            const std::string at = where + spec.name;
            std::vector<hsize_t> dims{n_months};
            if (!spec.axis.empty()) dims.push_back(s.width[i]);
            Handle ds;
            const std::size_t elem = spec.integer ? sizeof(std::int32_t) : sizeof(double);
            const bool compress = s.buffers[i].size() * elem > kContiguousMaxBytes;
            if (spec.integer) {
                std::vector<std::int32_t> ints(s.buffers[i].begin(), s.buffers[i].end());
                ds = write_numeric(root, spec.name, dims, H5T_STD_I32LE, H5T_NATIVE_INT32,
                                   ints.data(), compress, where);
            } else {
                ds = write_numeric(root, spec.name, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                   s.buffers[i].data(), compress, where);
            }
            write_units(ds.get(), spec.units, spec.description, at);
            if (spec.axis.empty()) scales.attach(ds.get(), {month_scale}, at);
            else scales.attach(ds.get(), {month_scale, axis_scale[axis_index(spec.axis)]}, at);
        }

        for (const auto& fact : h.facts) {
            const std::string at = where + fact.name;
            const std::size_t first = axis_index(fact.axis);
            const std::size_t n = h.axes[first].labels.size();
            Handle ds;
            if (fact.is_text) {
                if (fact.text.size() != n) throw recorder_error(path_, "fact '" + fact.name + "' has the wrong length");
                ds = write_strings(root, fact.name, fact.text, false, where);
                write_string_attr(ds.get(), "long_name", fact.description, at);
                scales.attach(ds.get(), {axis_scale[first]}, at);
                continue;
            }
            std::vector<hsize_t> dims{n};
            std::vector<std::size_t> attached{axis_scale[first]};
            if (!fact.second_axis.empty()) {
                const std::size_t second = axis_index(fact.second_axis);
                dims.push_back(h.axes[second].labels.size());
                attached.push_back(axis_scale[second]);
            }
            std::size_t count = 1;
            for (const hsize_t d : dims) count *= d;
            if (fact.values.size() != count) throw recorder_error(path_, "fact '" + fact.name + "' has the wrong size");
            std::vector<std::int32_t> ints(fact.values.begin(), fact.values.end());
            ds = write_numeric(root, fact.name, dims, H5T_STD_I32LE, H5T_NATIVE_INT32, ints.data(), false, where);
            write_units(ds.get(), fact.units, fact.description, at);
            scales.attach(ds.get(), attached, at);
        }

        // Without a "bloc" axis the outcome brings its own bloc scale.
        Handle own_bloc;
        std::size_t bloc_scale = 0;
        if (bloc_axis != nullptr) {
            bloc_scale = axis_scale[axis_index("bloc")];
        } else {
            own_bloc = write_strings(root, "bloc", outcome.blocs, false, where);
            write_string_attr(own_bloc.get(), "long_name", "bloc name", where + "bloc");
            set_scale(own_bloc.get(), "bloc", where + "bloc");
            bloc_scale = scales.add_scale(own_bloc.get(), where + "bloc");
        }

        const std::string og = where + "outcome/";
        Handle gcpl = make_handle(H5Pcreate(H5P_GROUP_CREATE), "H5Pcreate", og);
        check(H5Pset_obj_track_times(gcpl.get(), false), "H5Pset_obj_track_times", og);
        Handle group = make_handle(H5Gcreate2(root, "outcome", H5P_DEFAULT, gcpl.get(),
                                              H5P_DEFAULT), "H5Gcreate2", og);
        const hid_t g = group.get();
        write_string_attr(g, "outcome_name", model::to_string(outcome.label), og);
        write_string_attr(g, "outcome_description", model::describe(outcome.label), og);
        write_string_attr(g, "crossing_delay_censoring_name", model::to_string(outcome.delay.censoring), og);
        write_string_attr(g, "leader", outcome.leader, og);
        write_string_attr(g, "rival", outcome.rival, og);
        write_scalar_attr<int>(g, "durable_lead_months", H5T_STD_I32LE, H5T_NATIVE_INT, outcome.durable_lead_months, og);
        write_scalar_attr<int>(g, "months_run", H5T_STD_I32LE, H5T_NATIVE_INT, outcome.months_run, og);
        write_string_attr(g, "frontier_bloc", outcome.frontier_bloc, og);

        // The year_end axis: the Decembers of the run.
        std::vector<std::string> year_end_labels;
        for (const int m : outcome.year_end_month_index)
            year_end_labels.push_back(format_month(model::CalendarMonth::from_serial(h.start.serial() + m)));
        Handle year_end = write_strings(g, "year_end", year_end_labels, false, og);
        write_string_attr(year_end.get(), "long_name", "December of each simulated year (YYYY-MM)", og + "year_end");
        set_scale(year_end.get(), "year_end", og + "year_end");
        const std::size_t year_end_scale = scales.add_scale(year_end.get(), og + "year_end");

        // Every per-run output of the table: scalars as attributes, the others as datasets.
        std::vector<double> values;
        for (const auto& out : model::run_outputs()) {
            values.clear();
            out.values(outcome, values);
            const std::string at = og + out.name;
            if (out.axis == model::OutputAxis::none) {
                if (out.integer)
                    write_scalar_attr<int>(g, out.name.c_str(), H5T_STD_I32LE, H5T_NATIVE_INT, static_cast<int>(values[0]), og);
                else
                    write_scalar_attr<double>(g, out.name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values[0], og);
                continue;
            }
            const std::vector<hsize_t> dims{values.size()};
            Handle ds;
            if (out.integer) {
                std::vector<std::int32_t> ints(values.begin(), values.end());
                ds = write_numeric(g, out.name, dims, H5T_STD_I32LE, H5T_NATIVE_INT32, ints.data(), false, og);
            } else {
                ds = write_numeric(g, out.name, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), false, og);
            }
            write_units(ds.get(), out.units, out.description, at);
            scales.attach(ds.get(), {out.axis == model::OutputAxis::bloc ? bloc_scale : year_end_scale}, at);
        }

        std::vector<std::string> crossing_date;
        for (const int idx : outcome.crossing_month_index) {
            crossing_date.push_back(
                idx < 0 ? kNotReached
                        : format_month(model::CalendarMonth::from_serial(h.start.serial() + idx)));
        }
        {
            Handle ds = write_strings(g, "crossing_date", crossing_date, false, og);
            const std::string at = og + "crossing_date";
            write_string_attr(ds.get(), "long_name", "first month past the powerful-AI "
                                                     "threshold (YYYY-MM) or \"not reached\"", at);
            scales.attach(ds.get(), {bloc_scale}, at);
        }

        // The unipolar spells: who held powerful AI alone, from when, for how long.
        Handle spells_scale;  // kept open until the scales' reference lists are written
        {
            std::vector<std::string> holder, start;
            std::vector<std::int32_t> months, ongoing;
            for (const auto& sp : outcome.spells) {
                holder.push_back(outcome.holder_name(sp.holder));
                start.push_back(format_month(model::CalendarMonth::from_serial(h.start.serial() + sp.start_month_index)));
                months.push_back(sp.months);
                ongoing.push_back(sp.ongoing ? 1 : 0);
            }
            const std::vector<hsize_t> dims{outcome.spells.size()};
            // A `spell` scale (0, 1, ...) names the datasets' dimension, so xarray opens the group.
            std::vector<std::int32_t> index(outcome.spells.size());
            for (std::size_t i = 0; i < index.size(); ++i) index[i] = static_cast<std::int32_t>(i);
            Handle spell = write_numeric(g, "spell", dims, H5T_STD_I32LE, H5T_NATIVE_INT32, index.data(), false, og);
            write_string_attr(spell.get(), "long_name", "spell number, in time order", og + "spell");
            set_scale(spell.get(), "spell", og + "spell");
            const std::size_t spell_scale = scales.add_scale(spell.get(), og + "spell");
            Handle ds = write_strings(g, "spell_holder", holder, false, og);
            write_string_attr(ds.get(), "long_name", "bloc that alone held powerful AI during the spell", og + "spell_holder");
            scales.attach(ds.get(), {spell_scale}, og + "spell_holder");
            ds = write_strings(g, "spell_start", start, false, og);
            write_string_attr(ds.get(), "long_name", "first month of the spell (YYYY-MM)", og + "spell_start");
            scales.attach(ds.get(), {spell_scale}, og + "spell_start");
            ds = write_numeric(g, "spell_months", dims, H5T_STD_I32LE, H5T_NATIVE_INT32, months.data(), false, og);
            write_units(ds.get(), "months", "length of the spell", og + "spell_months");
            scales.attach(ds.get(), {spell_scale}, og + "spell_months");
            ds = write_numeric(g, "spell_ongoing", dims, H5T_STD_I32LE, H5T_NATIVE_INT32, ongoing.data(), false, og);
            write_units(ds.get(), "1", "1 when the spell was still held in the last month", og + "spell_ongoing");
            scales.attach(ds.get(), {spell_scale}, og + "spell_ongoing");
            spells_scale = std::move(spell);
        }

        // The calibration targets, measured and compared with their published ranges.
        Handle calibration_group, target_scale;  // kept open until the scales' reference lists are written
        if (const auto& table = s.calibration; !table.targets.empty()) {
            const std::string cg = where + "calibration/";
            calibration_group = make_handle(H5Gcreate2(root, "calibration", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                                            "H5Gcreate2", cg);
            const hid_t c = calibration_group.get();
            target_scale = write_strings(c, "target", table.targets, false, cg);
            write_string_attr(target_scale.get(), "long_name", "calibration target name", cg + "target");
            set_scale(target_scale.get(), "target", cg + "target");
            const std::size_t target = scales.add_scale(target_scale.get(), cg + "target");
            const std::vector<hsize_t> dims{table.targets.size()};
            for (const auto& col : table.columns) {
                const std::string at = cg + col.name;
                Handle ds;
                if (col.is_text) {
                    ds = write_strings(c, col.name, col.text, false, cg);
                    write_string_attr(ds.get(), "long_name", col.description, at);
                } else if (col.integer) {
                    std::vector<std::int32_t> ints(col.numbers.begin(), col.numbers.end());
                    ds = write_numeric(c, col.name, dims, H5T_STD_I32LE, H5T_NATIVE_INT32, ints.data(), false, cg);
                    write_units(ds.get(), col.units, col.description, at);
                } else {
                    ds = write_numeric(c, col.name, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, col.numbers.data(), false, cg);
                    write_units(ds.get(), col.units, col.description, at);
                }
                scales.attach(ds.get(), {target}, at);
            }
        }

        scales.finish();

        // Close every object, then the file, with checks: H5Fclose flushes, and a failed flush
        // must not be published.
        year_end.reset();
        spells_scale.reset();
        target_scale.reset();
        calibration_group.reset();
        group.reset();
        own_bloc.reset();
        month.reset();
        s.axes.clear();
        check(H5Fclose(s.file.release()), "H5Fclose", tmp_path_.string());
        fsync_path(tmp_path_, O_RDONLY, true, path_);
        publish(tmp_path_, path_, overwrite_);
        unregister_temp_file(tmp_path_);
        s.tmp_created = false;
        s.phase = State::Phase::finished;
        // Make the rename itself durable; best effort, the file is complete either way.
        fsync_path(path_.has_parent_path() ? path_.parent_path() : fs::path("."),
                   O_RDONLY | O_DIRECTORY, false, path_);
    } catch (...) {
        if (s.phase != State::Phase::finished) discard();
        throw;
    }
    s.buffers.clear();
    s.dates.clear();
}

}  // namespace polarity::io
