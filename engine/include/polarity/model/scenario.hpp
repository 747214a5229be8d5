#pragma once
/// @file
/// The scenario: every input of one simulation as plain, validated data.
///
/// The YAML loader (polarity/config/scenario_loader.hpp) fills these structs and checks
/// them; the model core only reads them. Each member names its YAML key and default.
/// Units are in the names (`_usd`, `_h100e`, `_per_year`, `_months`, ...).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polarity::model {

/// A calendar month, written "YYYY-MM" in YAML.
struct CalendarMonth {
    int year = 2023;
    int month = 1;  ///< 1..12
    /// Months since year 0; differences of serials are month counts.
    [[nodiscard]] int serial() const { return year * 12 + (month - 1); }
    [[nodiscard]] static CalendarMonth from_serial(int s) { return {s / 12, s % 12 + 1}; }
    friend bool operator==(const CalendarMonth&, const CalendarMonth&) = default;
};

/// YAML `run:`.
struct RunSettings {
    std::uint64_t seed = 1;              ///< `seed` (required)
    CalendarMonth start{2023, 1};         ///< `start` (required), first simulated month
    int horizon_months = 96;              ///< `horizon_months`, number of months simulated, 1..1200
    std::uint64_t run_index = 0;          ///< not in YAML: the run (replicate) number, keys the RNG
};

/// YAML `question:` — the pair of blocs the outcome is about. Other blocs are reported but do
/// not decide the outcome; nations declared aligned count in that side's sphere.
struct PolarityQuestion {
    std::string text;                             ///< `text`: the question in plain words (classroom presets), printed with the answer
    std::string leader = "us_aligned";            ///< `leader`: the bloc whose lead is in question
    std::string rival = "china";                  ///< `rival`: the bloc that may follow
    std::vector<std::string> leader_aligned;      ///< `leader_aligned`: other nations in the leader's sphere
    std::vector<std::string> rival_aligned;       ///< `rival_aligned`: other nations in the rival's sphere
    int durable_lead_months = 12;                 ///< `durable_lead_months`: a lead this long after crossing is durable
    double prehistory_growth_log10_per_year = 1.1;///< `prehistory_growth_log10_per_year`: leader's frontier growth before the start, for lags reaching back past it
};

/// YAML `world:` — global physical and economic constants.
struct WorldSettings {
    double h100_flop_per_s = 989.4e12;            ///< `h100_flop_per_s`, dense 16-bit FLOP/s of one H100
    double utilization = 0.4;                     ///< `utilization`, model FLOP utilisation of training runs, (0,1]
    double depreciation_per_year = 0.2;           ///< `depreciation_per_year`, share of chips retired per year, [0,1)
    double interconnect_reference_gbps = 900;     ///< `interconnect_reference_gbps`, H100 NVLink bandwidth
    double interconnect_exponent = 0.3;           ///< `interconnect_exponent`: training factor = (bw/ref)^x below ref
    double memory_bandwidth_reference_tbps = 3.35;///< `memory_bandwidth_reference_tbps`, H100 HBM3
    int training_run_months = 4;                  ///< `training_run_months`, length of a frontier run, 1..24
    double powerful_ai_capability = 28.5;         ///< `powerful_ai_capability`, threshold on log10 effective FLOP
    double price_adjustment_rate = 0.05;          ///< `price_adjustment_rate`, monthly price response to excess demand
    double price_floor_ratio = 0.5;               ///< `price_floor_ratio`, lowest price as a share of list price
    double price_ceiling_ratio = 3.0;             ///< `price_ceiling_ratio`, highest price as a multiple of list price
    double max_inventory_months = 3.0;            ///< `max_inventory_months`: suppliers stop making a SKU above this stock
    double funding_growth_halflife_years = 0;     ///< `funding_growth_halflife_years`: labs' funding growth rates halve this often (0 = never)
};

/// YAML `algorithms:` — algorithmic progress (efficiency as log10 multiplier over the start).
struct Jump {
    double multiplier = 1.2;    ///< `multiplier`, > 1
    double per_year = 3.0;      ///< `per_year`, expected arrivals at reference research compute, >= 0
};
struct AlgorithmSettings {
    double drift_log10_per_year = 0.04;           ///< `drift_log10_per_year`, steady progress at reference research
    std::vector<Jump> jumps;                      ///< `jumps`, random compute multipliers
    double research_reference_h100e = 1.0e5;      ///< `research_reference_h100e`, research compute at which rates are nominal
    double research_elasticity = 0.2;             ///< `research_elasticity`: rate ∝ (research/ref)^e
    double idea_difficulty = 0.0;                 ///< `idea_difficulty`: rate ∝ 10^(-d x efficiency found), ideas get harder to find (0 = off)
    double research_factor_min = 0.25;            ///< `research_factor_min`, lower clamp of the research factor
    double research_factor_max = 4.0;             ///< `research_factor_max`, upper clamp: bounds every lab's rate
    double diffusion_per_month = 0.05;            ///< `diffusion_per_month`, share of the gap to the lagged frontier closed monthly at full absorption
    double diffusion_delay_months = 0;            ///< `diffusion_delay_months`, months before a lab's efficiency reaches others
    double absorption_research_h100e = 0;         ///< `absorption_research_h100e`, research compute at which a follower absorbs at half speed (0 = no limit)
    double acceleration_start_capability = 29.0;  ///< `acceleration_start_capability`, AI-accelerated research starts here
    double acceleration_full_capability = 30.0;   ///< `acceleration_full_capability`, ... and is full here
    double acceleration_max_multiplier = 1.0;     ///< `acceleration_max_multiplier`, extra rate at full (0 = off)
};

/// YAML `paradigm:` — the RL-on-reasoning paradigm (a saturating second scaling axis).
struct ParadigmSettings {
    bool enabled = true;                      ///< `enabled`
    CalendarMonth start{2024, 9};             ///< `start`: the best lab then adopts it
    double adoption_delay_months = 0;         ///< `adoption_delay_months`: every other lab adopts it this much later
    double max_gain = 0.6;                    ///< `max_gain`, capability points at saturation, >= 0
    double saturation_flop = 1.0e25;          ///< `saturation_flop`, RL FLOP in the current run giving 63% of max_gain
    double rl_share_of_training = 0.1;        ///< `rl_share_of_training`, share of training compute spent on RL
};

/// How the market allocates chips each round (docs/model.md, "Market clearing").
enum class ClearingMechanism {
    priority,       ///< cheapest bids first, ties shared pro rata (linear in bids)
    min_cost_flow,  ///< Boost.Graph min-cost max-flow (successive shortest paths)
};

/// YAML `market:` — routes and demand.
struct MarketSettings {
    ClearingMechanism clearing = ClearingMechanism::priority;  ///< `clearing`
    double gray_premium = 0.5;                    ///< `gray_premium`, price mark-up through a hub at zero enforcement
    double gray_premium_per_enforcement = 1.5;    ///< `gray_premium_per_enforcement`, extra mark-up per unit enforcement
    double gray_detection_scale_units = 2.0e5;    ///< `gray_detection_scale_units`, monthly volume at which detection ~ enforcement*63%
    double remote_markup = 0.3;                   ///< `remote_markup`, cloud rental mark-up over buying
    double revenue_per_serving_h100e_usd = 1500;  ///< `revenue_per_serving_h100e_usd`, monthly revenue of one H100e serving at the frontier
    double quality_gap_scale = 1.0;               ///< `quality_gap_scale`: revenue x 1/(1 + gap/scale), gap in capability points
    double training_weight = 0.7;                 ///< `training_weight`: a chip's value = w x training + (1-w) x serving H100e
    double rationing_step = 0.5;                  ///< `rationing_step`: extra cost of each further quarter of a lab's demand, x mean price per H100e
    // Smuggling (docs/model.md, "Smuggling"): how gray volume responds, and how far enforcement reaches each leak.
    double smuggling_gap_reference = 1.0;         ///< `smuggling_gap_reference`: alternative / smuggled cost per H100e at which gray capacity is nominal
    double smuggling_gap_elasticity = 1.0;        ///< `smuggling_gap_elasticity`: gray capacity ∝ (gap / reference)^elasticity
    double smuggling_unmet_elasticity = 1.0;      ///< `smuggling_unmet_elasticity`: gray capacity x (1 + e x last month's unmet share of buyers' budgets)
    double smuggling_pull_max = 4.0;              ///< `smuggling_pull_max`: bound on the price-gap and unmet-demand pull
    double shell_enforcement_reach = 1.0;         ///< `shell_enforcement_reach`: share of a hub's enforcement that reaches shell buyers (end-user checks)
    double diversion_enforcement_reach = 1.0;     ///< `diversion_enforcement_reach`: share that reaches licence diversion (end-use checks)
    double remote_enforcement_reach = 0.0;        ///< `remote_enforcement_reach`: share of the controller's enforcement that reaches cloud rental (know-your-customer)
    double revenue_capability_elasticity = 0.0;   ///< `revenue_capability_elasticity`: revenue per serving H100e x 10^(e x (C* - reference))
    double revenue_reference_capability = 28.0;   ///< `revenue_reference_capability`: capability at which revenue_per_serving_h100e_usd holds
    double revenue_value_max_multiplier = 1.0;    ///< `revenue_value_max_multiplier`: cap on that capability factor
    double revenue_max_gdp_share = 0.0;           ///< `revenue_max_gdp_share`: a market's AI revenue is at most this share of its bloc's GDP (0 = no cap)
    double savings_reinvest_share = 0.0;          ///< `savings_reinvest_share`: share of the compute an efficiency gain saves that investors fund into the next run
};

/// YAML `blocs:` list entry (a string name).
/// YAML `nations:` list entry.
struct Nation {
    std::string name;                       ///< `name`
    std::string bloc;                       ///< `bloc`, must name a bloc
    int tier = 1;                           ///< `tier`, 1..3 (AI diffusion framework), referenced as "tier1".. in rules
    double gdp_usd = 0;                     ///< `gdp_usd`, annual GDP; bounds its bloc's AI revenue (market.revenue_max_gdp_share)
    double state_ai_funding_usd_per_month = 0;  ///< `state_ai_funding_usd_per_month`, split evenly over its labs
    double enforcement_capacity = 0;        ///< `enforcement_capacity`, [0,1]: as a hub, compounds the controller's enforcement; as a controller, headroom of adaptive effort (max 1 + capacity)
    double hub_capacity_units_per_month = 0;///< `hub_capacity_units_per_month`, chips it can tranship (0 = not a hub)
    double shell_capacity_units_per_month = 0; ///< `shell_capacity_units_per_month`, chips front companies here can buy for controlled buyers
    double diversion_share = 0;             ///< `diversion_share`, [0,1]: licensed imports here that front buyers divert, as a share of the approved quota
    double subsidy_growth_per_year = 0;     ///< `subsidy_growth_per_year`, extra capacity growth of its suppliers when cut off
    double military_compute_share = 0;      ///< `military_compute_share`, [0,1), share of its labs' compute used for strategic purposes
    double state_ai_funding_growth_cut_off_per_year = 0; ///< `state_ai_funding_growth_cut_off_per_year`: state AI funding grows this fast while the nation is cut off (strategy)
};

/// A chip SKU. YAML `skus:` list entry of a supplier.
struct ChipSku {
    std::string name;                       ///< `name`, unique
    CalendarMonth release{2022, 9};         ///< `release`
    std::optional<CalendarMonth> discontinued; ///< `discontinued`
    double flop_per_s = 989.4e12;           ///< `flop_per_s`, dense 16-bit
    double tpp = 15830;                     ///< `tpp`, total processing performance (BIS)
    double performance_density = 19.5;      ///< `performance_density`, TPP per mm^2 of die
    double interconnect_gbps = 900;         ///< `interconnect_gbps`
    double memory_bandwidth_tbps = 3.35;    ///< `memory_bandwidth_tbps`
    double price_usd = 25000;               ///< `price_usd`, list price per chip at release
    double production_weight = 1;           ///< `production_weight`, share of the supplier's output while active
    double dies_per_chip = 1;               ///< `dies_per_chip`, logic dies in one chip (the 910C packages two)
    double hbm_stacks_per_chip = 0;         ///< `hbm_stacks_per_chip`, HBM stacks in one chip (0: the supplier's HBM does not limit it)
    double unit_cost_usd = 0;               ///< `unit_cost_usd`, cost per chip; > 0: priced at cost plus the supplier's margin, not by excess demand
    std::string compliant_variant_of;       ///< `compliant_variant_of`: a design-around SKU of this parent
};

/// YAML `suppliers:` list entry.
struct Supplier {
    std::string name;                       ///< `name`
    std::string nation;                     ///< `nation`, jurisdiction
    std::vector<std::string> uses_technology_of; ///< `uses_technology_of`: nations whose FDP rules reach its chips
    double capacity_units_per_month = 0;    ///< `capacity_units_per_month`, wafer-limited output at start
    double capacity_growth_per_year = 0;    ///< `capacity_growth_per_year`, e.g. 0.5 = +50 %/yr
    double yield = 1;                       ///< `yield`, (0,1], at the start
    double yield_ceiling = 0;               ///< `yield_ceiling`, (0,1]: yield learning approaches it (0: no learning)
    double yield_learning_per_year = 0;     ///< `yield_learning_per_year`, [0,1): share of the gap to the ceiling closed per year
    double hbm_stacks_per_month = -1;       ///< `hbm_stacks_per_month`, HBM stacks bought abroad per month at the start (-1 = unlimited)
    double hbm_growth_per_year = 0;         ///< `hbm_growth_per_year`, growth of the bought HBM
    double hbm_stockpile_stacks = 0;        ///< `hbm_stockpile_stacks`, HBM stacks in store at the start
    std::optional<CalendarMonth> own_hbm_start; ///< `own_hbm_start`: first month of its own HBM (absent: none)
    double own_hbm_stacks_per_month = 0;    ///< `own_hbm_stacks_per_month`, own HBM output in its first month
    double own_hbm_growth_per_year = 0;     ///< `own_hbm_growth_per_year`, growth of own HBM (slowed by tool controls)
    double die_bank_units = 0;              ///< `die_bank_units`, dies made abroad before a rule closed that door
    double die_bank_draw_per_month = 0;     ///< `die_bank_draw_per_month`
    std::optional<CalendarMonth> die_bank_from; ///< `die_bank_from`: first month banked dies can be drawn (absent: the start)
    double margin = 0;                      ///< `margin`: price = unit cost x (1 + margin) for SKUs with a unit cost
    bool design_around = true;              ///< `design_around`: offers compliant variants after a lag
    int design_around_lag_months = 6;       ///< `design_around_lag_months`
    std::vector<ChipSku> skus;              ///< `skus`
};

/// Initial holding of one SKU. YAML `stock:` list entry of a lab.
struct Holding {
    std::string sku;                        ///< `sku`
    double units = 0;                       ///< `units`, >= 0
};

/// YAML `labs:` list entry.
struct Lab {
    std::string name;                       ///< `name`
    std::string nation;                     ///< `nation`
    std::vector<Holding> stock;             ///< `stock`, chips held at the start
    double funding_usd_per_month = 0;       ///< `funding_usd_per_month`, outside capital at start
    double funding_growth_per_year = 0;     ///< `funding_growth_per_year`
    double cash_usd = 0;                    ///< `cash_usd`, at start
    double capex_share = 0.6;               ///< `capex_share`, share of available money spent on chips each month
    double reinvest_share = 0.5;            ///< `reinvest_share`, share of revenue kept for capex
    double algorithmic_efficiency_log10 = 0;///< `algorithmic_efficiency_log10`, at start
    double risk_appetite = 0;               ///< `risk_appetite`, [0,1], share of demand it will buy on the gray market
    double training_share = 0.4;            ///< `training_share` of compute
    double research_share = 0.2;            ///< `research_share` of compute; the rest serves customers
    std::vector<std::string> markets;       ///< `markets`: blocs it may sell in (default: its own)
    bool frontier = true;                   ///< `frontier`: its models count toward the bloc's frontier (false for aggregates such as "other clouds")
};

/// Which chips a rule covers. A chip is covered if it is named, or it meets every given
/// threshold of the first test, or the density test. YAML `chips:` of a rule.
struct ChipCriteria {
    std::vector<std::string> skus;          ///< `skus`, named SKUs
    std::optional<double> tpp_at_least;     ///< `tpp_at_least`
    std::optional<double> interconnect_at_least_gbps; ///< `interconnect_at_least_gbps`
    std::optional<double> density_tpp_at_least;       ///< `density_tpp_at_least` (with performance density)
    std::optional<double> performance_density_at_least; ///< `performance_density_at_least`
};

enum class RuleAction { deny, license, allow };

/// A dated export rule. YAML `policy.rules:` list entry.
struct ExportRule {
    std::string name;                       ///< `name`
    std::optional<std::string> title;       ///< `title`, readable name for reports (absent: the name)
    CalendarMonth start;                    ///< `start`
    std::optional<CalendarMonth> end;       ///< `end` (exclusive)
    bool enabled = true;                    ///< `enabled`: false keeps the rule out of force (a counterfactual without it)
    std::string jurisdiction;               ///< `jurisdiction`, the controlling nation
    bool foreign_direct_product = false;    ///< `foreign_direct_product`: reaches suppliers using its technology
    std::vector<std::string> destinations;  ///< `destinations`: nation, bloc or tier names, or "all"
    ChipCriteria chips;                     ///< `chips`
    RuleAction action = RuleAction::deny;   ///< `action`: deny | license | allow
    double quota_units_per_month = 0;       ///< `quota_units_per_month` per destination nation (license)
    double approval_rate = 1;               ///< `approval_rate`, [0,1] (license)
    double revenue_share = 0;               ///< `revenue_share` paid to the controlling government (license)
    double enforcement = 0.5;               ///< `enforcement`, [0,1]
};

/// Controls on a nation's fabs. YAML `policy.tool_controls:` list entry.
struct ToolControl {
    std::string name;                       ///< `name`
    CalendarMonth start;                    ///< `start`
    std::optional<CalendarMonth> end;       ///< `end`
    std::vector<std::string> targets;       ///< `targets`: nations whose suppliers are hit
    double capacity_growth_factor = 0.5;    ///< `capacity_growth_factor`, multiplies capacity growth, [0,1]
    double yield_factor = 0.9;              ///< `yield_factor`, multiplies yield, (0,1]
    double yield_learning_factor = 1.0;     ///< `yield_learning_factor`, multiplies the yield-learning rate, [0,1]
    double hbm_import_factor = 1.0;         ///< `hbm_import_factor`, multiplies HBM bought abroad, [0,1] (0: HBM exports banned)
};

/// Renting compute abroad. YAML `policy.remote_access:` list entry; the latest started entry is in force.
struct RemoteAccessSwitch {
    CalendarMonth start;                    ///< `start`
    bool open = true;                       ///< `open`
    double capacity_units_per_month = 0;    ///< `capacity_units_per_month`, chips clouds may rent to each restricted nation
};

/// Adaptive enforcement of one controlling nation. YAML `policy.adaptive:` list entry.
struct AdaptiveRule {
    std::string controller;                 ///< `controller`, nation whose enforcement effort adapts
    std::string rival_bloc;                 ///< `rival_bloc`
    double tighten_below_lag_months = 6;    ///< `tighten_below_lag_months`
    double loosen_above_lag_months = 24;    ///< `loosen_above_lag_months` (industry pressure)
    double step = 0.05;                     ///< `step`, change in effort per month
};

/// YAML `policy:`.
struct Policy {
    std::vector<ExportRule> rules;          ///< `rules`
    std::vector<ToolControl> tool_controls; ///< `tool_controls`
    std::vector<RemoteAccessSwitch> remote_access; ///< `remote_access`
    std::vector<AdaptiveRule> adaptive;     ///< `adaptive`
    double enforcement_scale = 1.0;         ///< `enforcement_scale`, multiplies every rule's enforcement, [0, 10]
    bool design_around = true;              ///< `design_around`, global switch for compliant variants
};

/// What a calibration target measures (see docs/calibration.md).
enum class CalibrationMetric {
    frontier_compute_growth,     ///< per-year growth of the bloc's largest monthly training FLOP, from `from` to `to`
    lab_stock_units,             ///< chips of the listed SKUs held at `at` by `lab`, or by the bloc's leading lab (best model)
    lag_months,                  ///< the bloc's lag behind the leader at `at`
    share_of_new_compute,        ///< the bloc's share of world compute (H100e) added from `from` to `to`
    frontier_compute_h100e,      ///< compute held by the bloc's frontier labs at `at`, H100e
    pretraining_lag_months,      ///< as lag_months, on capability without the paradigm term (a pretrained model against the leader's)
    gray_units,                  ///< chips the bloc's labs received on the gray route (hubs, shell buyers, diversion; net of seizures) from `from` to `to`
    production_units,            ///< chips made by suppliers of the bloc's nations from `from` to `to`
    compute_growth,              ///< per-year growth of the bloc's (or the world's) usable compute, H100e, from `from` to `to`
    compute_h100e,               ///< usable compute held by the bloc's (or the world's) labs at `at`, H100e
    compute_share,               ///< the bloc's share of world usable compute (H100e) at `at`
    gray_h100e,                  ///< as gray_units, each chip weighted by its FLOP/s relative to an H100 (H100e)
};

/// A published estimate the model should reproduce. YAML `calibration:` list entry.
struct CalibrationTarget {
    std::string name;                       ///< `name`
    CalibrationMetric metric;               ///< `metric`: one of the CalibrationMetric names
    std::string bloc;                       ///< `bloc`; empty: the world (compute_growth, compute_h100e only)
    std::optional<CalendarMonth> at;        ///< `at` (the metrics measured at one month)
    std::optional<CalendarMonth> from;      ///< `from` (growth and share metrics)
    std::optional<CalendarMonth> to;        ///< `to` (growth and share metrics, inclusive)
    std::vector<std::string> skus;          ///< `skus` (lab_stock_units)
    std::string lab;                        ///< `lab` (lab_stock_units, optional): this lab instead of the bloc's leading lab
    double low = 0;                         ///< `range: [low, high]`, the published range
    double high = 0;
    std::string published;                  ///< `published`: the published figure and its source, in words
    bool out_of_sample = false;             ///< `out_of_sample`: reported, not fitted to
    bool forecast = false;                  ///< `forecast`: no data yet; the range is a published forecast's, checked on the defaults
};

/// The whole scenario.
struct Scenario {
    std::string name;                       ///< `name`
    std::string description;                ///< `description`
    RunSettings run;                        ///< `run`
    PolarityQuestion question;              ///< `question`
    WorldSettings world;                    ///< `world`
    AlgorithmSettings algorithms;           ///< `algorithms`
    ParadigmSettings paradigm;              ///< `paradigm`
    MarketSettings market;                  ///< `market`
    std::vector<std::string> blocs;         ///< `blocs`
    std::vector<Nation> nations;            ///< `nations`
    std::vector<Supplier> suppliers;        ///< `suppliers`
    std::vector<Lab> labs;                  ///< `labs`
    Policy policy;                          ///< `policy`
    std::vector<CalibrationTarget> calibration; ///< `calibration`
    std::string source_text;                ///< not in YAML: the file's text, for provenance
    std::string source_path;                ///< not in YAML: where it came from
};

}  // namespace polarity::model
