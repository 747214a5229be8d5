#pragma once
/// @file
/// The per-run outputs, declared once. The run file's `/outcome` group, a study's per-run
/// table (its journal record, its HDF5 datasets), the per-arm percentiles and the sensitivity
/// analysis all follow from this table: adding an output is one entry here.

#include <cstddef>
#include <string>
#include <vector>

#include "polarity/model/outcome.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::model {

/// The entity axis of a per-run output.
enum class OutputAxis { none, bloc, year_end };

struct RunOutput {
    std::string name;          ///< dataset name, e.g. "crossing_delay_months"
    OutputAxis axis = OutputAxis::none;
    std::string units;
    std::string description;   ///< one sentence
    bool integer = false;      ///< stored as int32 (classes, month indices, flags)
    bool percentiles = false;  ///< studies report its percentiles per arm (scalars only)
    bool sensitivity = false;  ///< studies rank the uncertain parameters by their effect on it (scalars only)
    /// Appends the run's value(s): one, or one per bloc / per December of the run.
    void (*values)(const Outcome&, std::vector<double>&) = nullptr;
};

/// Every per-run output, in record order.
[[nodiscard]] const std::vector<RunOutput>& run_outputs();
/// Index of an output by name, or run_outputs().size().
[[nodiscard]] std::size_t run_output_index(const std::string& name);
/// Number of values of an output in a run with `blocs` blocs and `year_ends` Decembers.
[[nodiscard]] std::size_t output_width(const RunOutput& output, std::size_t blocs, std::size_t year_ends);
/// Decembers within a run of `months` months starting at `start` (the year_end axis).
[[nodiscard]] std::vector<int> year_end_months(const CalendarMonth& start, int months);

}  // namespace polarity::model
