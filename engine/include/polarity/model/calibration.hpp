#pragma once
/// @file
/// Calibration targets: published estimates a scenario declares (YAML `calibration:`), measured
/// on the run as it goes and compared with their published ranges. The metrics:
///
///  - frontier_compute_growth: growth per year of the bloc's largest monthly training FLOP of
///    any frontier lab, between `from` and `to`: (F_to / F_from)^(12 / months);
///  - lab_stock_units: chips of the listed SKUs held (home + rented) at `at` by the named `lab`,
///    or by the bloc's leading lab (the frontier lab with the best model);
///  - lag_months: the bloc's lag behind the leader at `at`;
///  - pretraining_lag_months: the same lag on capability without the paradigm term (the best
///    pretraining run of the bloc's frontier labs against that of the leader's sphere), as a
///    pretrained model such as DeepSeek-V3 is compared with older pretrained models;
///  - share_of_new_compute: the bloc's share of all compute (H100e by FLOP/s) delivered to labs
///    from `from` to `to`, inclusive;
///  - frontier_compute_h100e: usable compute held by the bloc's frontier labs at `at`;
///  - gray_units: chips the bloc's labs received on the gray route (hubs, shell buyers, licence
///    diversion; net of seizures) from `from` to `to`, inclusive;
///  - gray_h100e: the same chips, each weighted by its FLOP/s relative to an H100;
///  - production_units: chips made by suppliers of the bloc's nations from `from` to `to`;
///  - compute_h100e: usable compute held by all labs of the bloc at `at` (the `bloc_compute_h100e`
///    series), or by every lab when the target names no bloc;
///  - compute_growth: growth per year of that stock between `from` and `to`;
///  - compute_share: the bloc's share of world usable compute at `at` (the `bloc_compute_share`
///    series).
///
/// A target is in sample (fitted to), out of sample (data the fit did not use: reported only) or
/// a forecast (no data yet: the range is a published forecast's, and the defaults must land in it).

#include <string>
#include <vector>

#include "polarity/model/metrics.hpp"
#include "polarity/model/world.hpp"

namespace polarity::model {

/// The three kinds of calibration target.
enum class TargetKind { in_sample, out_of_sample, forecast };

/// A target's kind, from its `out_of_sample` and `forecast` keys (never both: a rule).
[[nodiscard]] TargetKind kind_of(const CalibrationTarget& target);
/// "in sample", "out of sample" or "forecast".
[[nodiscard]] const char* to_string(TargetKind kind);
/// The unit a metric's values are in ("x per year", "H100e", "chips", "months", "1").
[[nodiscard]] const char* unit_of(CalibrationMetric metric);

struct CalibrationResult {
    const CalibrationTarget* target = nullptr;
    bool measured = false;   ///< false when the run does not cover the target's dates
    double value = 0;
    [[nodiscard]] bool in_range() const { return measured && value >= target->low && value <= target->high; }
    /// Whether the defaults must land inside the range: in-sample and forecast targets.
    [[nodiscard]] bool must_hold() const { return kind_of(*target) != TargetKind::out_of_sample; }
};

/// Watches a run month by month and measures every target of its scenario.
class CalibrationProbe {
public:
    explicit CalibrationProbe(const Scenario& scenario);
    /// Call after each Simulation::step() with that month's metrics.
    void observe(const World& world, const BlocMetrics& metrics);
    [[nodiscard]] std::vector<CalibrationResult> results() const;

private:
    struct Track {
        double first = 0, last = 0;      // growth: values at from and to
        double bloc = 0, world = 0;      // share: sums over the window
        bool seen_from = false, seen_to = false;
        std::vector<double> leader, own;  // pretraining lag: frontiers month by month
        double value = 0;
        bool measured = false;
    };
    const Scenario& scenario_;
    std::vector<Track> tracks_;
};

/// A table of targets: name, kind, model value, published range, in or out, published figure.
[[nodiscard]] std::string format_calibration(const std::vector<CalibrationResult>& results);

/// One column of the calibration table as a run file stores it (docs/output.md, `/calibration`).
struct CalibrationColumn {
    std::string name;                ///< dataset name
    std::string units;               ///< numeric columns only
    std::string description;         ///< one sentence
    bool is_text = false;
    bool integer = false;            ///< numbers stored as int32
    std::vector<std::string> text;   ///< one per target, when is_text
    std::vector<double> numbers;     ///< otherwise
};

/// The calibration table, one entry per target in the scenario's order: the target names (the
/// file's `target` axis) and every column, declared once here for the run file.
struct CalibrationTable {
    std::vector<std::string> targets;
    std::vector<CalibrationColumn> columns;
};
[[nodiscard]] CalibrationTable calibration_table(const std::vector<CalibrationResult>& results);

}  // namespace polarity::model
