#include "polarity/io/study_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <functional>

#include "hdf5_detail.hpp"
#include "hdf5_write.hpp"
#include "polarity/io/temp_files.hpp"
#include "polarity/model/recorder.hpp"

namespace polarity::io {

namespace fs = std::filesystem;
using namespace detail;

namespace {

constexpr std::size_t kRowsPerWrite = 4096;

/// A [run, width] dataset written a block of rows at a time, chunked and compressed.
class RowDataset {
public:
    RowDataset(hid_t loc, const std::string& name, std::size_t rows, std::size_t width, hid_t file_type,
               const std::string& units, const std::string& long_name, const std::string& where)
        : width_(width), at_(where + name) {
        std::vector<hsize_t> dims{rows};
        if (width > 0) dims.push_back(width);
        Handle space = make_handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                                   "H5Screate_simple", at_);
        Handle dcpl = dataset_plist(at_);
        if (rows > 0) {
            std::vector<hsize_t> chunk = dims;
            chunk[0] = std::min<hsize_t>(rows, kRowsPerWrite);
            check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk", at_);
            check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", at_);
            check(H5Pset_deflate(dcpl.get(), kDeflateLevel), "H5Pset_deflate", at_);
        }
        ds_ = make_handle(H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                          "H5Dcreate2", at_);
        write_units(ds_.get(), units, long_name, at_);
    }
    /// Writes rows [first, first + n) from `values` (n x max(1, width), row-major).
    void write(std::size_t first, std::size_t n, const std::vector<double>& values) {
        if (n == 0) return;
        std::vector<hsize_t> start{first}, count{n};
        if (width_ > 0) start.push_back(0), count.push_back(width_);
        Handle file_space = make_handle(H5Dget_space(ds_.get()), "H5Dget_space", at_);
        check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
              "H5Sselect_hyperslab", at_);
        Handle mem = make_handle(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                                 "H5Screate_simple", at_);
        check(H5Dwrite(ds_.get(), H5T_NATIVE_DOUBLE, mem.get(), file_space.get(), H5P_DEFAULT, values.data()),
              "H5Dwrite", at_);
    }
    [[nodiscard]] hid_t get() const { return ds_.get(); }

private:
    std::size_t width_;
    std::string at_;
    Handle ds_;
};

std::string describe(const study::Distribution& d) {
    char buf[160];
    switch (d.kind()) {
        case study::DistributionKind::uniform: {
            const auto& u = std::get<study::Uniform>(d.params);
            std::snprintf(buf, sizeof buf, "uniform(%g, %g)", u.low, u.high);
            break;
        }
        case study::DistributionKind::normal: {
            const auto& n = std::get<study::Normal>(d.params);
            std::snprintf(buf, sizeof buf, "normal(mean %g, sd %g)", n.mean, n.sd);
            break;
        }
        case study::DistributionKind::lognormal: {
            const auto& n = std::get<study::LogNormal>(d.params);
            std::snprintf(buf, sizeof buf, "lognormal(mu %g, sigma %g)", n.mu, n.sigma);
            break;
        }
        case study::DistributionKind::triangular: {
            const auto& t = std::get<study::Triangular>(d.params);
            std::snprintf(buf, sizeof buf, "triangular(%g, %g, %g)", t.low, t.mode, t.high);
            break;
        }
        case study::DistributionKind::choice: {
            std::snprintf(buf, sizeof buf, "choice of %zu values", std::get<study::Choice>(d.params).values.size());
            break;
        }
    }
    return buf;
}

}  // namespace

void write_study(const fs::path& path, bool overwrite, const study::StudyPlan& plan,
                 const study::StudySummary& summary, const study::Journal& journal, std::size_t done) {
    if (fs::exists(path) && !overwrite) throw IoError(path.string() + ": the file exists; pass --force to overwrite it");
    silence_hdf5_errors();
    const fs::path tmp = temp_path_for(path);
    register_temp_file(tmp);
    const std::string where = tmp.string() + ":/";
    const study::StudySpec& spec = *plan.spec;
    const study::RecordLayout& L = plan.layout;
    try {
        Handle fcpl = make_handle(H5Pcreate(H5P_FILE_CREATE), "H5Pcreate", where);
        check(H5Pset_obj_track_times(fcpl.get(), false), "H5Pset_obj_track_times", where);
        Handle fapl = file_access_plist(where);
        Handle file = make_handle(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), "H5Fcreate", where);
        const hid_t root = file.get();
        // Every object is closed (at the end of this block) before the file: a failed
        // H5Fclose (a full disk) must not leave ids that are released after the library
        // has torn the file down.
        {

            // Provenance.
            write_string_attr(root, "format", "polarity-study/1", where);
            write_string_attr(root, "engine_version", POLARITY_VERSION, where);
            write_string_attr(root, "git_sha", POLARITY_GIT_SHA, where);
            write_string_attr(root, "study_name", spec.name, where);
            write_string_attr(root, "study_path", spec.source_path, where);
            write_string_attr(root, "sampler", study::to_string(spec.sampler), where);
            write_string_attr(root, "sensitivity_method", summary.method, where);
            write_string_attr(root, "rival_bloc", spec.rival_bloc, where);
            write_scalar_attr<std::uint64_t>(root, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, spec.seed, where);
            write_scalar_attr<std::uint64_t>(root, "runs", H5T_STD_U64LE, H5T_NATIVE_UINT64, done, where);
            write_scalar_attr<int>(root, "common_random_numbers", H5T_STD_I32LE, H5T_NATIVE_INT,
                                   spec.common_random_numbers ? 1 : 0, where);
            (void)write_strings(root, "study_yaml", {spec.source_text}, true, where);

            // Axes.
            std::vector<std::string> arm_names, param_names, param_paths, param_dists, months, states, outputs;
            for (const auto& a : summary.arms) arm_names.push_back(a.name);
            for (const auto& p : spec.parameters) {
                param_names.push_back(p.name);
                param_paths.push_back(p.path);
                param_dists.push_back(describe(p.distribution));
            }
            std::vector<double> month_days;
            const auto start = plan.arms.front().run.start;
            for (std::size_t m = 0; m < L.months; ++m) {
                const auto cm = model::CalendarMonth::from_serial(start.serial() + static_cast<int>(m));
                months.push_back(format_month(cm));
                month_days.push_back(days_since_2000(cm));
            }
            for (int s = 0; s < study::kStates; ++s) states.push_back(model::to_string(static_cast<model::PolarityState>(s)));
            std::vector<std::string> arm_yaml;
            for (const auto& sc : plan.arms) arm_yaml.push_back(sc.source_text);

            const auto scale = [&](const std::string& name, const std::vector<std::string>& labels) {
                Handle ds = write_strings(root, name, labels, false, where);
                set_scale(ds.get(), name, where + name);
                return ds;
            };
            Handle arm_ds = scale("arm", arm_names), param_ds = scale("parameter", param_names),
                   bloc_ds = scale("bloc", plan.blocs), state_ds = scale("state", states),
                   output_ds = scale("output", study::kSensitivityOutputs);
            const hsize_t nm = L.months;
            Handle month_ds = write_numeric(root, "month", {nm}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, month_days.data(), false, where);
            write_string_attr(month_ds.get(), "units", "days since 2000-01-01", where + "month");
            write_string_attr(month_ds.get(), "calendar", "standard", where + "month");
            set_scale(month_ds.get(), "month", where + "month");
            const std::vector<double> pct(study::kBandPercentiles.begin(), study::kBandPercentiles.end());
            Handle pct_ds = write_numeric(root, "percentile", {pct.size()}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, pct.data(), false, where);
            set_scale(pct_ds.get(), "percentile", where + "percentile");
            std::vector<std::int64_t> run_ids(done);
            for (std::size_t i = 0; i < done; ++i) run_ids[i] = static_cast<std::int64_t>(i);
            Handle run_ds = write_numeric(root, "run", {done}, H5T_STD_I64LE, H5T_NATIVE_INT64, run_ids.data(), done > 0, where);
            set_scale(run_ds.get(), "run", where + "run");

            Handle y = write_strings(root, "scenario_yaml", arm_yaml, false, where);
            attach(y.get(), arm_ds.get(), 0, where + "scenario_yaml");
            Handle pp = write_strings(root, "parameter_path", param_paths, false, where);
            attach(pp.get(), param_ds.get(), 0, where + "parameter_path");
            Handle pd = write_strings(root, "parameter_distribution", param_dists, false, where);
            attach(pd.get(), param_ds.get(), 0, where + "parameter_distribution");

            // The per-run table, streamed from the journal.
            struct Column {
                std::string name, units, long_name;
                std::size_t width;
                bool integer;
                std::function<void(const double*, std::vector<double>&)> take;
                hid_t second_axis;
            };
            const auto blocwise = [&](std::size_t (study::RecordLayout::*at)(std::size_t) const) {
                return [&L, at](const double* r, std::vector<double>& out) {
                    for (std::size_t b = 0; b < L.blocs; ++b) out.push_back(r[(L.*at)(b)]);
                };
            };
            std::vector<Column> cols = {
                {"run_arm", "index", "index into arm", 0, true, [](const double* r, std::vector<double>& o) { o.push_back(r[0]); }, -1},
                {"run_sample", "index", "sample index within the arm (paired across arms with common random numbers)", 0, true,
                 [](const double* r, std::vector<double>& o) { o.push_back(r[1]); }, -1},
                {"run_parameters", "various", "sampled value of each uncertain parameter", L.parameters, false,
                 [&L](const double* r, std::vector<double>& o) { for (std::size_t j = 0; j < L.parameters; ++j) o.push_back(r[L.param(j)]); },
                 param_ds.get()},
                {"run_outcome", "state", "settled outcome: 0 none, 1 unipolar, 2 bipolar, 3 multipolar, 4 unsettled", 0, true,
                 [&L](const double* r, std::vector<double>& o) { o.push_back(r[L.outcome()]); }, -1},
                {"run_final_state", "state", "state in the last month", 0, true,
                 [&L](const double* r, std::vector<double>& o) { o.push_back(r[L.final_state()]); }, -1},
                {"run_unipolar_window_months", "months", "months with exactly one bloc past the threshold", 0, true,
                 [&L](const double* r, std::vector<double>& o) { o.push_back(r[L.unipolar_window()]); }, -1},
                {"run_crossing_month", "month index", "first month past the powerful-AI threshold, -1 never", L.blocs, true,
                 blocwise(&study::RecordLayout::crossing), bloc_ds.get()},
                {"run_final_lag_months", "months", "lag behind the leader at the horizon", L.blocs, false,
                 blocwise(&study::RecordLayout::final_lag), bloc_ds.get()},
                {"run_final_capability", "log10 FLOP", "frontier capability at the horizon", L.blocs, false,
                 blocwise(&study::RecordLayout::final_capability), bloc_ds.get()},
                {"run_final_compute_share", "1", "share of world effective compute at the horizon", L.blocs, false,
                 blocwise(&study::RecordLayout::final_share), bloc_ds.get()},
            };
            std::vector<RowDataset> datasets;
            for (const auto& c : cols) {
                datasets.emplace_back(root, c.name, done, c.width, c.integer ? H5T_STD_I32LE : H5T_IEEE_F64LE, c.units,
                                      c.long_name, where);
                attach(datasets.back().get(), run_ds.get(), 0, where + c.name);
                if (c.width > 0 && c.second_axis >= 0) attach(datasets.back().get(), c.second_axis, 1, where + c.name);
            }
            std::vector<double> chunk, buf;
            for (std::size_t first = 0; first < done; first += kRowsPerWrite) {
                const std::size_t n = std::min(kRowsPerWrite, done - first);
                journal.read(first, n, chunk);
                for (std::size_t c = 0; c < cols.size(); ++c) {
                    buf.clear();
                    for (std::size_t i = 0; i < n; ++i) cols[c].take(chunk.data() + i * L.size(), buf);
                    datasets[c].write(first, n, buf);
                }
            }

            // Summaries over arms.
            const std::size_t A = summary.arms.size(), S = study::kStates, P = pct.size();
            const auto per_arm = [&](const std::string& name, std::size_t width, hid_t axis, const std::string& units,
                                     const std::string& long_name, const std::function<double(const study::ArmSummary&, std::size_t)>& get) {
                std::vector<double> v;
                for (const auto& a : summary.arms)
                    for (std::size_t i = 0; i < width; ++i) v.push_back(get(a, i));
                Handle ds = write_numeric(root, name, {A, width}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), false, where);
                write_units(ds.get(), units, long_name, where + name);
                attach(ds.get(), arm_ds.get(), 0, where + name);
                attach(ds.get(), axis, 1, where + name);
            };
            per_arm("outcome_count", S, state_ds.get(), "runs", "runs settling in each state",
                    [](const auto& a, std::size_t i) { return static_cast<double>(a.count[i]); });
            per_arm("outcome_probability", S, state_ds.get(), "1", "share of runs settling in each state",
                    [](const auto& a, std::size_t i) { return a.probability[i]; });
            per_arm("outcome_probability_low", S, state_ds.get(), "1", "95% Wilson interval, lower end",
                    [](const auto& a, std::size_t i) { return a.low[i]; });
            per_arm("outcome_probability_high", S, state_ds.get(), "1", "95% Wilson interval, upper end",
                    [](const auto& a, std::size_t i) { return a.high[i]; });
            per_arm("rival_lag_percentiles", P, pct_ds.get(), "months", "percentiles of the rival bloc's lag at the horizon",
                    [](const auto& a, std::size_t i) { return a.rival_lag[i]; });
            per_arm("unipolar_window_percentiles", P, pct_ds.get(), "months", "percentiles of the unipolar window",
                    [](const auto& a, std::size_t i) { return a.unipolar_window[i]; });

            // Bands [arm, percentile, month, bloc].
            const std::size_t per_band = P * L.months * L.blocs;
            for (std::size_t b = 0; b < L.bands; ++b) {
                std::vector<double> v;
                for (std::size_t a = 0; a < A; ++a) {
                    const auto from = summary.bands.begin() + static_cast<std::ptrdiff_t>((a * L.bands + b) * per_band);
                    v.insert(v.end(), from, from + static_cast<std::ptrdiff_t>(per_band));
                }
                const std::string name = "band_" + spec.bands[b];
                Handle ds = write_numeric(root, name, {A, P, L.months, L.blocs}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(),
                                          true, where);
                write_units(ds.get(), "as the series", "percentiles over runs of " + spec.bands[b], where + name);
                attach(ds.get(), arm_ds.get(), 0, where + name);
                attach(ds.get(), pct_ds.get(), 1, where + name);
                attach(ds.get(), month_ds.get(), 2, where + name);
                attach(ds.get(), bloc_ds.get(), 3, where + name);
            }

            // Sensitivity [arm, output, parameter].
            const std::size_t O = study::kSensitivityOutputs.size(), K = L.parameters;
            const auto sensitivity = [&](const std::string& name, const std::string& long_name, bool total) {
                std::vector<double> v(A * O * K, 0.0);
                for (std::size_t a = 0; a < A; ++a) {
                    const auto& src = total ? summary.arms[a].total_order : summary.arms[a].first_order;
                    for (std::size_t o = 0; o < src.size(); ++o)
                        for (std::size_t j = 0; j < K; ++j) v[(a * O + o) * K + j] = src[o][j];
                }
                Handle ds = write_numeric(root, name, {A, O, K}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), false, where);
                write_units(ds.get(), "1", long_name, where + name);
                attach(ds.get(), arm_ds.get(), 0, where + name);
                attach(ds.get(), output_ds.get(), 1, where + name);
                attach(ds.get(), param_ds.get(), 2, where + name);
            };
            if (K > 0) {
                if (summary.method == "sobol") {
                    sensitivity("sensitivity_first_order", "Sobol first-order index", false);
                    sensitivity("sensitivity_total_order", "Sobol total-order index", true);
                } else {
                    sensitivity("sensitivity_prcc", "partial rank correlation coefficient", false);
                }
            }

        }
        check(H5Fclose(file.release()), "H5Fclose", where);
        fsync_path(tmp, O_RDONLY, true, path);
        publish(tmp, path, overwrite);
        unregister_temp_file(tmp);
        fsync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path(), O_RDONLY | O_DIRECTORY, false, path);
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        unregister_temp_file(tmp);
        throw;
    }
}

}  // namespace polarity::io
