#pragma once
/// @file
/// How results leave the model core: a Recorder receives a description of the run (axes and
/// series), one record per month, and the outcome. The HDF5 writer and the in-memory
/// recorder used by tests both implement it; the core never does I/O itself.

#include <cstdint>
#include <string>
#include <vector>

#include "polarity/model/outcome.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::model {

/// An entity axis: its name ("bloc", "lab", ...) and the names of its entities, in index order.
struct Axis {
    std::string name;
    std::vector<std::string> labels;
};

/// One monthly time series, shaped [month] (axis empty) or [month, axis entity].
struct SeriesSpec {
    std::string name;         ///< dataset name, e.g. "bloc_frontier_capability"
    std::string axis;         ///< name of an Axis, or "" for a scalar series
    std::string units;        ///< e.g. "log10 FLOP", "H100e", "USD", "months", "1"
    std::string description;  ///< one sentence
    bool integer = false;     ///< stored as int32 (states, flags, counts)
    bool bandable = false;    ///< a study may summarise it in percentile bands (scalar or per-bloc series)
};

/// A fixed fact about each entity of an axis, written once as a dataset over that axis (and
/// over `second_axis` when set), so reports need not re-derive it from the scenario text: a
/// rule's readable title and action, and which blocs its destinations reach.
struct AxisFact {
    std::string name;                ///< dataset name, e.g. "rule_title"
    std::string axis;                ///< the axis it describes, e.g. "rule"
    std::string second_axis;         ///< "" or a second axis, e.g. "bloc"
    std::string units;               ///< integer facts only
    std::string description;         ///< one sentence
    bool is_text = false;
    std::vector<std::string> text;   ///< one per entity, when is_text
    std::vector<int> values;         ///< otherwise [entity][second entity], row-major
};

/// A resolved scenario value readers need (the question, the threshold), written as an
/// attribute of run and study files so analysis never re-reads the YAML or copies a default.
struct ScenarioAttribute {
    std::string name;
    std::string text;       ///< when is_text
    double number = 0;      ///< otherwise
    bool is_text = false;
    std::string description;
};

/// The attributes of a scenario, declared once for run and study files.
[[nodiscard]] std::vector<ScenarioAttribute> scenario_attributes(const Scenario& scenario);

/// Everything a recorder needs before the first month.
struct RunHeader {
    std::string scenario_name;
    std::string scenario_text;   ///< full YAML text (provenance)
    std::string scenario_path;
    std::string question_text;   ///< the scenario's question.text (may be empty)
    std::uint64_t seed = 0;
    std::uint64_t run_index = 0;
    CalendarMonth start;
    int horizon_months = 0;
    std::vector<Axis> axes;
    std::vector<SeriesSpec> series;
    std::vector<AxisFact> facts;
    std::vector<ScenarioAttribute> attributes;
};

/// One month of results: values[i] belongs to header.series[i] and has the length of its axis (1 if scalar).
struct MonthRecord {
    int month_index = 0;
    CalendarMonth date;
    std::vector<std::vector<double>> values;
};

class Recorder {
public:
    virtual ~Recorder() = default;
    virtual void begin(const RunHeader& header) = 0;
    virtual void record(const MonthRecord& month) = 0;
    virtual void finish(const Outcome& outcome) = 0;
};

/// Keeps everything in memory; for tests and for callers that want the numbers.
class MemoryRecorder final : public Recorder {
public:
    void begin(const RunHeader& h) override { header = h; months.clear(); }
    void record(const MonthRecord& m) override { months.push_back(m); }
    void finish(const Outcome& o) override { outcome = o; }
    /// Index of a series by name; @throws polarity::ModelError when absent.
    [[nodiscard]] std::size_t series_index(const std::string& name) const;
    /// Value of series `name` at month `m`, entity `e`.
    [[nodiscard]] double at(const std::string& name, int m, std::size_t e = 0) const;

    RunHeader header;
    std::vector<MonthRecord> months;
    Outcome outcome;
};

}  // namespace polarity::model
