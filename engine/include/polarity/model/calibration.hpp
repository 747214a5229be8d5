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
///  - production_units: chips made by suppliers of the bloc's nations from `from` to `to`.

#include <string>
#include <vector>

#include "polarity/model/metrics.hpp"
#include "polarity/model/world.hpp"

namespace polarity::model {

struct CalibrationResult {
    const CalibrationTarget* target = nullptr;
    bool measured = false;   ///< false when the run does not cover the target's dates
    double value = 0;
    [[nodiscard]] bool in_range() const { return measured && value >= target->low && value <= target->high; }
};

[[nodiscard]] const char* to_string(CalibrationMetric m);

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

/// A table of targets: name, model value, published range, in or out, published figure.
[[nodiscard]] std::string format_calibration(const std::vector<CalibrationResult>& results);

}  // namespace polarity::model
