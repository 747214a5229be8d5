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
#include "polarity/model/run_outputs.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/summary.hpp"
#include <tuple>

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
        write_string_attr(root, "format", "polarity-study/2", where);
        write_string_attr(root, "engine_version", POLARITY_VERSION, where);
        write_string_attr(root, "git_sha", POLARITY_GIT_SHA, where);
        write_string_attr(root, "study_name", spec.name, where);
        write_string_attr(root, "study_path", spec.source_path, where);
        write_string_attr(root, "study_description", spec.description, where);
        write_string_attr(root, "sampler", study::to_string(spec.sampler), where);
        write_string_attr(root, "sensitivity_method", summary.method, where);
        write_scenario_attributes(root, model::scenario_attributes(plan.arms.front()), where);
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
        for (int k = 0; k < model::kOutcomeClasses; ++k) states.push_back(model::to_string(static_cast<model::OutcomeClass>(k)));
        outputs = study::sensitivity_output_names(plan);
        const std::vector<std::string> pct_outputs = study::percentile_output_names(plan);
        std::vector<std::string> delays, year_end_labels;
        for (double k : study::kDelayMonths) delays.push_back(std::to_string(static_cast<int>(k)));
        for (const int m : plan.year_ends)
            year_end_labels.push_back(format_month(model::CalendarMonth::from_serial(start.serial() + m)));
        std::vector<std::string> arm_yaml;
        for (const auto& sc : plan.arms) arm_yaml.push_back(sc.source_text);

        const auto scale = [&](const std::string& name, const std::vector<std::string>& labels) {
            Handle ds = write_strings(root, name, labels, false, where);
            set_scale(ds.get(), name, where + name);
            return ds;
        };
        Handle arm_ds = scale("arm", arm_names), param_ds = scale("parameter", param_names),
               bloc_ds = scale("bloc", plan.blocs), state_ds = scale("outcome_class", states),
               output_ds = scale("sensitivity_output", outputs), pct_output_ds = scale("percentile_output", pct_outputs),
               year_end_ds = scale("year_end", year_end_labels);
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
        // Each arm's readable title, its overrides, and its resolved scenario attributes (the
        // root attributes are the first arm's; an arm may change the threshold or the question).
        {
            std::vector<std::string> titles, sets;
            for (std::size_t a = 0; a < arm_names.size(); ++a) {
                const study::Arm* arm = spec.arms.empty() ? nullptr : &spec.arms[a];
                titles.push_back(arm == nullptr || arm->title.empty() ? arm_names[a] : arm->title);
                std::string joined;
                if (arm != nullptr)
                    for (const auto& o : arm->overrides) joined += (joined.empty() ? "" : "; ") + o;
                sets.push_back(joined);
            }
            for (const auto& [name, values, long_name] :
                 {std::tuple{"arm_title", &titles, "readable title of the arm (its name when the study gives none)"},
                  std::tuple{"arm_set", &sets, "the arm's overrides of the base scenario, key.path=value separated by '; '"}}) {
                Handle ds = write_strings(root, name, *values, false, where);
                write_string_attr(ds.get(), "long_name", long_name, where + name);
                attach(ds.get(), arm_ds.get(), 0, where + name);
            }
            std::vector<std::vector<model::ScenarioAttribute>> per_arm;
            for (const auto& sc : plan.arms) per_arm.push_back(model::scenario_attributes(sc));
            for (std::size_t i = 0; i < per_arm.front().size(); ++i) {
                const auto& first = per_arm.front()[i];
                const std::string name = "arm_" + first.name;
                Handle ds;
                if (first.is_text) {
                    std::vector<std::string> v;
                    for (const auto& attrs : per_arm) v.push_back(attrs[i].text);
                    ds = write_strings(root, name, v, false, where);
                } else {
                    std::vector<double> v;
                    for (const auto& attrs : per_arm) v.push_back(attrs[i].number);
                    ds = write_numeric(root, name, {v.size()}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), false, where);
                }
                write_string_attr(ds.get(), "long_name", "each arm's " + first.description, where + name);
                attach(ds.get(), arm_ds.get(), 0, where + name);
            }
        }
        Handle pp = write_strings(root, "parameter_path", param_paths, false, where);
        attach(pp.get(), param_ds.get(), 0, where + "parameter_path");
        Handle pd = write_strings(root, "parameter_distribution", param_dists, false, where);
        attach(pd.get(), param_ds.get(), 0, where + "parameter_distribution");

        // The per-run table, streamed from the journal: arm, sample, parameters, then every
        // output of the run-output table.
        struct Column {
            std::string name, units, long_name;
            std::size_t offset, width;  // in the record; width 0: a [run] dataset, else [run, width]
            bool integer;
            hid_t second_axis;
        };
        // A [run, width] column with no values (no parameters, a run without a December) is left out.
        std::vector<Column> cols = {
            {"run_arm", "index", "index into arm", 0, 0, true, -1},
            {"run_sample", "index", "sample index within the arm (paired across arms with common random numbers)", 1, 0,
             true, -1},
            {"run_parameters", "various", "sampled value of each uncertain parameter", L.param(0), L.parameters, false,
             param_ds.get()},
        };
        const auto& outputs_table = model::run_outputs();
        for (std::size_t i = 0; i < outputs_table.size(); ++i) {
            const auto& o = outputs_table[i];
            const hid_t axis = o.axis == model::OutputAxis::bloc ? bloc_ds.get()
                               : o.axis == model::OutputAxis::year_end ? year_end_ds.get() : -1;
            if (o.axis != model::OutputAxis::none && L.output_width(i) == 0) continue;
            cols.push_back({"run_" + o.name, o.units, o.description, L.output(i),
                            o.axis == model::OutputAxis::none ? 0 : L.output_width(i), o.integer, axis});
        }
        // The study's own outputs: one value per run, read off a series at a month.
        for (std::size_t i = 0; i < spec.outputs.size(); ++i) {
            const auto& o = spec.outputs[i];
            const auto& series = model::series_table()[L.study_outputs[i].series].spec;
            const std::string at = std::to_string(o.year) + "-" + (o.month < 10 ? "0" : "") + std::to_string(o.month);
            cols.push_back({"run_" + o.name, series.units,
                            series.name + (o.entity.empty() ? "" : " of " + o.entity) + " at " + at + ": " +
                                series.description,
                            L.study_output(i), 0, false, -1});
        }
        if (L.parameters == 0) cols.erase(cols.begin() + 2);
        std::vector<RowDataset> datasets;
        for (const auto& c : cols) {
            datasets.emplace_back(root, c.name, done, c.width, c.integer ? H5T_STD_I32LE : H5T_IEEE_F64LE, c.units,
                                  c.long_name, where);
            attach(datasets.back().get(), run_ds.get(), 0, where + c.name);
            if (c.width > 0 && c.second_axis >= 0) attach(datasets.back().get(), c.second_axis, 1, where + c.name);
        }
        // Names beside the codes, so pandas and xarray read the table without a helper.
        const std::size_t outcome_output = model::run_output_index("outcome");
        std::vector<std::string> arm_of_run, outcome_of_run;
        std::vector<double> chunk, buf;
        for (std::size_t first = 0; first < done; first += kRowsPerWrite) {
            const std::size_t n = std::min(kRowsPerWrite, done - first);
            journal.read(first, n, chunk);
            for (std::size_t c = 0; c < cols.size(); ++c) {
                buf.clear();
                const std::size_t w = std::max<std::size_t>(1, cols[c].width);
                for (std::size_t i = 0; i < n; ++i) {
                    const double* r = chunk.data() + i * L.size() + cols[c].offset;
                    buf.insert(buf.end(), r, r + static_cast<std::ptrdiff_t>(w));
                }
                datasets[c].write(first, n, buf);
            }
            for (std::size_t i = 0; i < n; ++i) {
                const double* r = chunk.data() + i * L.size();
                arm_of_run.push_back(arm_names[static_cast<std::size_t>(r[0])]);
                outcome_of_run.push_back(model::to_string(static_cast<model::OutcomeClass>(r[L.output(outcome_output)])));
            }
        }
        for (const auto& [name, labels, long_name] :
             {std::tuple{"run_arm_name", &arm_of_run, "arm of each run"},
              std::tuple{"run_outcome_name", &outcome_of_run, "outcome class of each run"}}) {
            Handle ds = write_strings(root, name, *labels, false, where);
            write_string_attr(ds.get(), "long_name", long_name, where + name);
            attach(ds.get(), run_ds.get(), 0, where + name);
        }

        // Summaries over arms.
        const std::size_t A = summary.arms.size(), S = model::kOutcomeClasses, P = pct.size();
        const auto per_arm = [&](const std::string& name, std::size_t width, hid_t axis, const std::string& units,
                                 const std::string& long_name, const std::function<double(const study::ArmSummary&, std::size_t)>& get) {
            std::vector<double> v;
            for (const auto& a : summary.arms)
                for (std::size_t i = 0; i < width; ++i) v.push_back(get(a, i));
            std::vector<hsize_t> dims{A};
            if (axis >= 0) dims.push_back(width);
            Handle ds = write_numeric(root, name, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), false, where);
            write_units(ds.get(), units, long_name, where + name);
            attach(ds.get(), arm_ds.get(), 0, where + name);
            if (axis >= 0) attach(ds.get(), axis, 1, where + name);
        };
        per_arm("outcome_count", S, state_ds.get(), "runs", "runs in each outcome class",
                [](const auto& a, std::size_t i) { return static_cast<double>(a.count[i]); });
        per_arm("outcome_probability", S, state_ds.get(), "1", "share of runs in each outcome class",
                [](const auto& a, std::size_t i) { return a.probability[i]; });
        per_arm("outcome_probability_low", S, state_ds.get(), "1", "95% Wilson interval, lower end",
                [](const auto& a, std::size_t i) { return a.low[i]; });
        per_arm("outcome_probability_high", S, state_ds.get(), "1", "95% Wilson interval, upper end",
                [](const auto& a, std::size_t i) { return a.high[i]; });
        Handle delay_ds = scale("delay_months", delays);
        per_arm("crossing_delay_survival", study::kDelayMonths.size(), delay_ds.get(), "1",
                "P(crossing delay > k months | the leader crossed), Kaplan-Meier",
                [](const auto& a, std::size_t i) { return a.delay_survival[i]; });
        per_arm("crossing_delay_median", 1, -1, "months", "Kaplan-Meier median crossing delay (inf: not reached)",
                [](const auto& a, std::size_t) { return a.delay_median; });
        per_arm("leader_crossed_runs", 1, -1, "runs", "runs in which the leader crossed (the delay's risk set)",
                [](const auto& a, std::size_t) { return static_cast<double>(a.leader_crossed); });
        {
            std::vector<double> v;
            for (const auto& a : summary.arms)
                for (const auto& p : a.percentiles) v.insert(v.end(), p.begin(), p.end());
            const std::string name = "output_percentiles";
            Handle ds = write_numeric(root, name, {A, pct_outputs.size(), P}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(),
                                      false, where);
            write_units(ds.get(), "as the output", "percentiles over runs of each per-run output", where + name);
            attach(ds.get(), arm_ds.get(), 0, where + name);
            attach(ds.get(), pct_output_ds.get(), 1, where + name);
            attach(ds.get(), pct_ds.get(), 2, where + name);
        }

        // Bands [arm, percentile, month(, bloc)].
        for (std::size_t b = 0; b < L.bands(); ++b) {
            const std::size_t per_band = P * L.months * L.band_width[b];
            std::vector<double> v;
            for (std::size_t a = 0; a < A; ++a) {
                const auto from = summary.bands.begin() + static_cast<std::ptrdiff_t>(summary.band_block(L, a, b));
                v.insert(v.end(), from, from + static_cast<std::ptrdiff_t>(per_band));
            }
            const auto& series = model::series_table()[L.band_series[b]].spec;
            const bool per_bloc = !series.axis.empty();
            const std::string name = "band_" + spec.bands[b];
            std::vector<hsize_t> dims{A, P, L.months};
            if (per_bloc) dims.push_back(L.blocs);
            Handle ds = write_numeric(root, name, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), true, where);
            write_units(ds.get(), series.units, "percentiles over runs of " + series.name + ": " + series.description,
                        where + name);
            attach(ds.get(), arm_ds.get(), 0, where + name);
            attach(ds.get(), pct_ds.get(), 1, where + name);
            attach(ds.get(), month_ds.get(), 2, where + name);
            if (per_bloc) attach(ds.get(), bloc_ds.get(), 3, where + name);
        }

        // Sensitivity [arm, output, parameter].
        const std::size_t O = outputs.size(), K = L.parameters;
        const auto sensitivity = [&](const std::string& name, const std::string& long_name, bool total) {
            std::vector<double> v(A * O * K, 0.0);
            for (std::size_t a = 0; a < A; ++a) {
                const auto& src = name == "sensitivity_morris_mu" ? summary.arms[a].morris_mu
                                  : total                          ? summary.arms[a].total_order
                                                                   : summary.arms[a].first_order;
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
            } else if (summary.method == "morris") {
                sensitivity("sensitivity_morris_mu_star", "Morris mu*: mean |elementary effect| per unit of u", false);
                sensitivity("sensitivity_morris_sigma", "Morris sigma: standard deviation of the elementary effects", true);
                sensitivity("sensitivity_morris_mu", "Morris mu: mean elementary effect per unit of u", false);
            } else {
                sensitivity("sensitivity_prcc", "partial rank correlation coefficient", false);
            }
        }

        }  // every object closed
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
