// polarity._engine: the engine's scenarios, runs and studies for Python (pybind11). Returns
// plain dicts and numpy arrays; the polarity package beside it turns them into xarray and
// pandas objects laid out like the run and study files (docs/python.md).
//
// The GIL is released while the engine runs; the engine's own threads (oneTBB) do the work.
// Ctrl-C is seen between months of a run and between batches of a study, where the engine
// stops by throwing the KeyboardInterrupt back to Python.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <tbb/global_control.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/io/hdf5_recorder.hpp"
#include "polarity/model/run_outputs.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/journal.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/summary.hpp"

namespace py = pybind11;
namespace model = polarity::model;
namespace study = polarity::study;

namespace {

/// Limits the engine's threads for the duration of one call (0: all cores).
std::optional<tbb::global_control> thread_limit(int threads) {
    std::optional<tbb::global_control> limit;
    if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    return limit;
}

/// Runs Python's signal handlers (Ctrl-C) from an engine thread that released the GIL; a
/// handler that raised is rethrown so that the engine unwinds and Python sees the exception.
void check_signals() {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

const char* axis_name(model::OutputAxis axis) {
    switch (axis) {
        case model::OutputAxis::none: return "";
        case model::OutputAxis::bloc: return "bloc";
        case model::OutputAxis::year_end: return "year_end";
    }
    return "";
}

py::array_t<double> matrix(const std::vector<double>& values, std::size_t rows, std::size_t columns) {
    py::array_t<double> out({rows, columns});
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

py::list run_output_table() {
    py::list table;
    for (const auto& o : model::run_outputs()) {
        table.append(py::dict(py::arg("name") = o.name, py::arg("axis") = axis_name(o.axis), py::arg("units") = o.units,
                              py::arg("description") = o.description, py::arg("integer") = o.integer));
    }
    return table;
}

py::dict header_dict(const model::RunHeader& h) {
    py::list axes, series, attributes, facts;
    for (const auto& a : h.axes) axes.append(py::make_tuple(a.name, a.labels));
    for (const auto& f : h.facts) {
        facts.append(py::dict(py::arg("name") = f.name, py::arg("axis") = f.axis, py::arg("second_axis") = f.second_axis,
                              py::arg("units") = f.units, py::arg("description") = f.description,
                              py::arg("is_text") = f.is_text, py::arg("text") = f.text, py::arg("values") = f.values));
    }
    for (const auto& s : h.series) {
        series.append(py::dict(py::arg("name") = s.name, py::arg("axis") = s.axis, py::arg("units") = s.units,
                               py::arg("description") = s.description, py::arg("integer") = s.integer));
    }
    for (const auto& a : h.attributes) {
        attributes.append(py::make_tuple(a.name, a.is_text ? py::object(py::str(a.text)) : py::object(py::float_(a.number))));
    }
    return py::dict(py::arg("scenario_name") = h.scenario_name, py::arg("scenario_text") = h.scenario_text,
                    py::arg("scenario_path") = h.scenario_path, py::arg("seed") = h.seed,
                    py::arg("run_index") = h.run_index, py::arg("start") = py::make_tuple(h.start.year, h.start.month),
                    py::arg("horizon_months") = h.horizon_months, py::arg("axes") = axes, py::arg("series") = series,
                    py::arg("attributes") = attributes, py::arg("facts") = facts, py::arg("format") = polarity::io::kRunFileFormat,
                    py::arg("engine_version") = POLARITY_VERSION, py::arg("git_sha") = POLARITY_GIT_SHA);
}

py::dict outcome_dict(const model::Outcome& o) {
    py::list outputs, spells;
    std::vector<double> values;
    for (const auto& out : model::run_outputs()) {
        values.clear();
        out.values(o, values);
        outputs.append(py::make_tuple(out.name, values));
    }
    for (const auto& s : o.spells) {
        spells.append(py::make_tuple(o.holder_name(s.holder), s.start_month_index, s.months, s.ongoing));
    }
    return py::dict(py::arg("outcome_name") = model::to_string(o.label),
                    py::arg("outcome_description") = model::describe(o.label),
                    py::arg("crossing_delay_censoring_name") = model::to_string(o.delay.censoring),
                    py::arg("leader") = o.leader, py::arg("rival") = o.rival,
                    py::arg("durable_lead_months") = o.durable_lead_months, py::arg("months_run") = o.months_run,
                    py::arg("frontier_bloc") = o.frontier_bloc, py::arg("blocs") = o.blocs,
                    py::arg("year_end_month_index") = o.year_end_month_index,
                    py::arg("crossing_month_index") = o.crossing_month_index, py::arg("outputs") = outputs,
                    py::arg("spells") = spells);
}

/// One run of `scenario` into memory: the header, every month's values per series (month x
/// entity arrays) and the outcome.
py::dict run(const model::Scenario& scenario, int threads) {
    model::MemoryRecorder recorder;
    {
        py::gil_scoped_release release;
        const auto limit = thread_limit(threads);
        (void)model::run_scenario(scenario, recorder, [](const model::Simulation&) { check_signals(); });
    }
    py::list series;
    const std::size_t months = recorder.months.size();
    for (std::size_t i = 0; i < recorder.header.series.size(); ++i) {
        const std::size_t width = months > 0 ? recorder.months.front().values[i].size() : 0;
        std::vector<double> values;
        values.reserve(months * width);
        for (const auto& m : recorder.months) values.insert(values.end(), m.values[i].begin(), m.values[i].end());
        series.append(matrix(values, months, width));
    }
    return py::dict(py::arg("header") = header_dict(recorder.header), py::arg("months") = months,
                    py::arg("series") = series, py::arg("outcome") = outcome_dict(recorder.outcome),
                    py::arg("run_outputs") = run_output_table());
}

/// A directory removed with everything in it when the study call ends, however it ends.
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/polarity-study-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr)
            throw polarity::IoError(pattern + ": cannot create a temporary folder for the study's journal");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

py::dict summary_dict(const study::StudyPlan& plan, const study::StudySummary& s) {
    py::list arms;
    for (const auto& a : s.arms) {
        std::vector<std::vector<double>> percentiles;
        for (const auto& p : a.percentiles) percentiles.emplace_back(p.begin(), p.end());
        arms.append(py::dict(
            py::arg("name") = a.name, py::arg("runs") = a.runs,
            py::arg("count") = std::vector<std::size_t>(a.count.begin(), a.count.end()),
            py::arg("probability") = std::vector<double>(a.probability.begin(), a.probability.end()),
            py::arg("low") = std::vector<double>(a.low.begin(), a.low.end()),
            py::arg("high") = std::vector<double>(a.high.begin(), a.high.end()), py::arg("percentiles") = percentiles,
            py::arg("leader_crossed") = a.leader_crossed,
            py::arg("delay_survival") = std::vector<double>(a.delay_survival.begin(), a.delay_survival.end()),
            py::arg("delay_median") = a.delay_median, py::arg("first_order") = a.first_order,
            py::arg("total_order") = a.total_order));
    }
    const auto names = [](const std::vector<std::size_t>& indices) {
        std::vector<std::string> out;
        for (const std::size_t i : indices) out.push_back(model::run_outputs()[i].name);
        return out;
    };
    py::list bands;
    const auto& L = plan.layout;
    for (std::size_t b = 0; b < L.bands(); ++b) {
        const auto& spec = model::series_table()[L.band_series[b]].spec;
        const std::size_t per_arm = study::kBandPercentiles.size() * L.months * L.band_width[b];
        std::vector<double> values;
        for (std::size_t a = 0; a < s.arms.size(); ++a) {
            const auto from = s.bands.begin() + static_cast<std::ptrdiff_t>(s.band_block(L, a, b));
            values.insert(values.end(), from, from + static_cast<std::ptrdiff_t>(per_arm));
        }
        bands.append(py::dict(py::arg("series") = spec.name, py::arg("per_bloc") = !spec.axis.empty(),
                              py::arg("units") = spec.units, py::arg("description") = spec.description,
                              py::arg("values") = values));
    }
    return py::dict(py::arg("method") = s.method, py::arg("runs") = s.runs, py::arg("arms") = arms,
                    py::arg("percentile_outputs") = names(study::percentile_outputs()),
                    py::arg("sensitivity_outputs") = names(study::sensitivity_outputs()),
                    py::arg("percentiles") = std::vector<double>(study::kBandPercentiles.begin(), study::kBandPercentiles.end()),
                    py::arg("delay_months") = std::vector<double>(study::kDelayMonths.begin(), study::kDelayMonths.end()),
                    py::arg("bands") = bands, py::arg("text") = study::format_summary(plan, s));
}

/// A whole study as `polarity study` runs it (the same plan, batches, journal and summary),
/// with the journal in a temporary folder: the per-run records in run order and the summary.
/// `progress(done, total)` is called between batches when given.
py::dict run_study(const std::string& path, const std::vector<std::string>& overrides, int runs, int threads,
                   const py::object& progress) {
    const study::StudySpec spec = polarity::config::load_study_file(path, overrides);
    const auto resolve = [&spec](const std::vector<std::string>& o) {
        return polarity::config::load_scenario_file(spec.scenario_path, o);
    };
    TempDir folder;
    std::optional<study::StudyPlan> plan;
    std::optional<study::StudySummary> summary;
    std::vector<double> records;
    std::size_t done = 0;
    {
        py::gil_scoped_release release;
        const auto limit = thread_limit(threads);
        plan.emplace(study::plan_study(spec, resolve, runs));
        study::Journal journal(folder.path() / "study.journal", plan->fingerprint, plan->layout.size(), false, true);
        done = study::execute_study(*plan, journal, [&](std::size_t finished, std::size_t total) {
            check_signals();
            if (progress.is_none()) return;
            py::gil_scoped_acquire gil;
            progress(finished, total);
        });
        summary.emplace(study::summarize(*plan, journal, done));
        journal.read(0, done, records);
    }
    const auto& L = plan->layout;
    std::vector<std::size_t> offsets, widths;
    for (std::size_t i = 0; i < model::run_outputs().size(); ++i) {
        offsets.push_back(L.output(i));
        widths.push_back(L.output_width(i));
    }
    py::list parameters;
    for (const auto& p : spec.parameters) parameters.append(py::make_tuple(p.name, p.path));
    std::vector<std::string> arms;
    for (std::size_t a = 0; a < plan->arms.size(); ++a) arms.push_back(study::arm_name(*plan, a));
    const auto& start = plan->arms.front().run.start;
    return py::dict(
        py::arg("name") = spec.name, py::arg("path") = spec.source_path, py::arg("seed") = spec.seed,
        py::arg("sampler") = study::to_string(spec.sampler), py::arg("runs") = done, py::arg("arms") = arms,
        py::arg("parameters") = parameters, py::arg("blocs") = plan->blocs, py::arg("year_ends") = plan->year_ends,
        py::arg("start") = py::make_tuple(start.year, start.month), py::arg("months") = L.months,
        py::arg("records") = matrix(records, done, L.size()), py::arg("parameter_offset") = L.param(0),
        py::arg("output_offset") = offsets, py::arg("output_width") = widths, py::arg("run_outputs") = run_output_table(),
        py::arg("summary") = summary_dict(*plan, *summary));
}

}  // namespace

PYBIND11_MODULE(_engine, m) {
    m.doc() = "The Polarity engine (C++): scenarios, runs and studies. Use the polarity package, not this module.";

    // polarity::Error and its kinds as Python exceptions; ConfigError carries its location.
    static py::exception<polarity::Error> error(m, "Error");
    static py::exception<polarity::ConfigError> config_error(m, "ConfigError", error.ptr());
    static py::exception<polarity::IoError> io_error(m, "IoError", error.ptr());
    static py::exception<polarity::ModelError> model_error(m, "ModelError", error.ptr());
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const polarity::ConfigError& e) {
            py::object exc = py::reinterpret_borrow<py::object>(config_error.ptr())(e.what());
            exc.attr("file") = e.file();
            exc.attr("line") = e.line();
            exc.attr("column") = e.column();
            exc.attr("key_path") = e.key_path();
            exc.attr("message") = e.message();
            PyErr_SetObject(config_error.ptr(), exc.ptr());
        } catch (const polarity::IoError& e) {
            io_error(e.what());
        } catch (const polarity::ModelError& e) {
            model_error(e.what());
        } catch (const polarity::Error& e) {
            error(e.what());
        }
    });

    std::vector<std::string> classes, censoring;
    for (int k = 0; k < model::kOutcomeClasses; ++k) classes.emplace_back(model::to_string(static_cast<model::OutcomeClass>(k)));
    for (int k = 0; k < model::kCensoringKinds; ++k) censoring.emplace_back(model::to_string(static_cast<model::Censoring>(k)));
    m.attr("OUTCOME_CLASSES") = classes;  // the codes of the `outcome` output, in order
    m.attr("CENSORING") = censoring;      // the codes of `crossing_delay_censoring`, in order

    py::class_<model::Scenario>(m, "Scenario", "A validated scenario (extends and overrides applied).")
        .def_readonly("name", &model::Scenario::name)
        .def_readonly("source_path", &model::Scenario::source_path)
        .def_readonly("source_text", &model::Scenario::source_text)
        .def_property_readonly("seed", [](const model::Scenario& s) { return s.run.seed; })
        .def_property_readonly("start", [](const model::Scenario& s) { return py::make_tuple(s.run.start.year, s.run.start.month); })
        .def_property_readonly("horizon_months", [](const model::Scenario& s) { return s.run.horizon_months; })
        .def_readonly("blocs", &model::Scenario::blocs);

    m.def(
        "load_scenario",
        [](const std::string& path, const std::vector<std::string>& overrides) {
            return polarity::config::load_scenario_file(path, overrides);
        },
        py::arg("path"), py::arg("overrides"), "Loads and validates a scenario file; raises ConfigError.");
    m.def("run", &run, py::arg("scenario"), py::arg("threads"),
          "Runs a scenario into memory (GIL released): header, series arrays and outcome.");
    m.def("run_study", &run_study, py::arg("path"), py::arg("overrides"), py::arg("runs"), py::arg("threads"),
          py::arg("progress"), "Runs a study (GIL released) with a temporary journal: records and summary.");
}
