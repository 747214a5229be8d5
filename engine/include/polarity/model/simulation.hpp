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

/// What a series reads after a month.
struct RecordContext {
    const World& w;
    const BlocMetrics& m;
    const Regime& g;
};

/// One recorded series: what it is, and how to read it off the world after a month.
struct SeriesDef {
    SeriesSpec spec;
    std::function<void(const RecordContext&, std::vector<double>&)> fill;
};

/// Every series a run records, declared once: the run header, the monthly records, the HDF5
/// datasets, the study's bands (SeriesSpec::bandable) and the docs follow from it.
[[nodiscard]] const std::vector<SeriesDef>& series_table();
/// Index of a series by name, or series_table().size() when there is none.
[[nodiscard]] std::size_t series_index(const std::string& name);

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
    /// Fixed facts about each export rule: its title, its action and the blocs it reaches.
    [[nodiscard]] std::vector<AxisFact> rule_facts() const;
    /// Fixed facts about each lab: its nation, its bloc and whether it sets its bloc's frontier.
    [[nodiscard]] std::vector<AxisFact> lab_facts() const;
    /// Fixed facts about supply: each supplier's bloc and the supplier that makes each SKU.
    [[nodiscard]] std::vector<AxisFact> supply_facts() const;
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
    /// The value of series_table()[index] after the last month run.
    void read_series(std::size_t index, std::vector<double>& out) const;

private:
    MonthRecord record(int month_index, const BlocMetrics& m) const;
    void check_conservation(const std::vector<double>& cash_before, double intermediaries_before,
                            const ClearingResult& cleared);

    const Scenario& scenario_;
    World world_;
    PolicyIndex policy_;
    BlocMetrics last_;
    Regime regime_;
    Conservation conservation_;
};

/// Runs every month of the scenario into `recorder` and returns the outcome. `after_month`, when
/// given, sees the simulation after each month (calibration probes, progress).
Outcome run_scenario(const Scenario& scenario, Recorder& recorder,
                     const std::function<void(const Simulation&)>& after_month = {});

}  // namespace polarity::model
