#pragma once
/// @file
/// How results leave the model core: a Recorder receives a description of the run (axes and
/// series), one record per month, and the outcome. The HDF5 writer and the in-memory
/// recorder used by tests both implement it; the core never does I/O itself.

#include <cstdint>
#include <string>
#include <vector>

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
};

/// Everything a recorder needs before the first month.
struct RunHeader {
    std::string scenario_name;
    std::string scenario_text;   ///< full YAML text (provenance)
    std::string scenario_path;
    std::uint64_t seed = 0;
    std::uint64_t run_index = 0;
    CalendarMonth start;
    int horizon_months = 0;
    std::vector<Axis> axes;
    std::vector<SeriesSpec> series;
};

/// One month of results: values[i] belongs to header.series[i] and has the length of its axis (1 if scalar).
struct MonthRecord {
    int month_index = 0;
    CalendarMonth date;
    std::vector<std::vector<double>> values;
};

/// Polarity states, in the order of the count of blocs past the threshold.
enum class PolarityState : int { none = 0, unipolar = 1, bipolar = 2, multipolar = 3, unsettled = 4 };
[[nodiscard]] const char* to_string(PolarityState s);

/// What the run settled into and when each bloc crossed the powerful-AI threshold.
struct Outcome {
    PolarityState state = PolarityState::unsettled;     ///< settled state at the horizon, or unsettled
    PolarityState final_state = PolarityState::none;    ///< state in the last month
    int unipolar_window_months = 0;                      ///< months in which exactly one bloc was past the threshold
    std::vector<std::string> blocs;
    std::vector<int> crossing_month_index;              ///< per bloc, -1 when never crossed
    std::vector<double> final_capability;               ///< per bloc, log10 effective FLOP
    std::vector<double> final_lag_months;               ///< per bloc
    std::vector<double> final_compute_share;            ///< per bloc, share of world effective compute
    std::string leader;                                  ///< bloc with the highest final capability
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
