#pragma once
/// @file
/// The month loop: one run of one scenario, phase by phase in the model's order, with results
/// handed to a Recorder. No I/O happens here.

#include <functional>
#include <vector>

#include "polarity/model/metrics.hpp"
#include "polarity/model/phases.hpp"
#include "polarity/model/recorder.hpp"
#include "polarity/model/world.hpp"

namespace polarity::model {

/// Accounting identities checked after any month; each discrepancy should be ~0.
struct Conservation {
    double chips = 0;        ///< max over SKUs |start + made - (inventory + held + retired + seized)|
    double chip_routes = 0;  ///< max over SKUs |delivered - sum of route deliveries - seized|, this month
    double money = 0;        ///< max over labs |cash - (previous cash + funding + reinvested revenue - spend)|, relative
    double money_routes = 0; ///< |labs' spending - what suppliers, governments, hubs and clouds received|, relative
    bool negative_stock = false;  ///< any inventory, holding or cash below zero
};

class Simulation {
public:
    /// The scenario must outlive the Simulation.
    explicit Simulation(const Scenario& scenario);

    /// Axes and series this run records.
    [[nodiscard]] RunHeader header() const;
    /// Runs the next month and returns its record.
    MonthRecord step();
    /// Runs the next month without building a record (Monte Carlo studies read last_metrics()).
    void advance();
    [[nodiscard]] bool finished() const { return world_.month_index >= scenario_.run.horizon_months; }
    /// The outcome so far (settled over the months run).
    [[nodiscard]] Outcome outcome() const;
    [[nodiscard]] const World& world() const { return world_; }
    [[nodiscard]] const Conservation& conservation() const { return conservation_; }
    [[nodiscard]] const BlocMetrics& last_metrics() const { return last_; }

private:
    MonthRecord record(int month_index, const BlocMetrics& m) const;
    void check_conservation(const std::vector<double>& cash_before, double intermediaries_before,
                            const ClearingResult& cleared);

    const Scenario& scenario_;
    World world_;
    PolicyIndex policy_;
    BlocMetrics last_;
    std::vector<PolarityState> states_;
    Regime regime_;
    Conservation conservation_;
};

/// Runs every month of the scenario into `recorder` and returns the outcome. `after_month`, when
/// given, sees the simulation after each month (calibration probes, progress).
Outcome run_scenario(const Scenario& scenario, Recorder& recorder,
                     const std::function<void(const Simulation&)>& after_month = {});

}  // namespace polarity::model
