#pragma once
/// @file
/// The state of the simulated world between months: agents with their names resolved to
/// indices. Built once from a validated Scenario by build_world(); the month loop
/// (simulation.hpp) mutates it phase by phase.

#include <cstdint>
#include <limits>
#include <vector>

#include "polarity/model/outcome.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::model {

/// Routes a chip can take from a supplier to a lab.
enum class Route : int { legal = 0, licensed = 1, gray = 2, domestic = 3, remote = 4 };
inline constexpr int route_count = 5;
[[nodiscard]] const char* to_string(Route r);

/// How chips leak to a controlled nation (docs/model.md, "Smuggling"): the three kinds of gray
/// route, each through a third nation, and renting abroad (the remote route).
enum class Leak : int { hub = 0, shell = 1, diversion = 2, remote = 3 };
inline constexpr int leak_count = 4;
inline constexpr int gray_leak_count = 3;  ///< hub, shell, diversion: the gray route's channels
[[nodiscard]] const char* to_string(Leak l);

struct NationState {
    const Nation* spec = nullptr;
    int bloc = 0;
    double enforcement_effort = 1.0;   ///< adaptive multiplier on the rules this nation controls
    bool cut_off = false;              ///< a deny rule in force covers an active SKU for it
    double treasury_usd = 0;           ///< licence revenue shares received
    double gray_intermediary_usd = 0;  ///< premiums earned by its hub traders
    double cloud_income_usd = 0;       ///< remote-access mark-ups earned by its clouds
    double treasury_month_usd = 0;     ///< licence revenue shares received this month
    double gray_units_month = 0;       ///< chips sent through it as a hub this month
    double unmet_budget_share = 0;     ///< last month: share of its gray-buying labs' budgets left unspent
    std::vector<double> leaked_units_month = std::vector<double>(leak_count, 0.0);  ///< [Leak] chips its labs received this month (net of seizures)
    double state_ai_funding_usd_per_month = 0;  ///< its state AI funding now (grows while cut off)
    std::vector<int> labs;
};

struct SkuState {
    const ChipSku* spec = nullptr;
    int supplier = 0;
    int parent = -1;                    ///< for a compliant variant: its parent SKU
    double train_h100e = 1;             ///< training performance per chip, H100 = 1
    double serve_h100e = 1;             ///< serving performance per chip, H100 = 1
    double value_h100e = 1;             ///< mean of the two: what a buyer ranks chips by
    double price_usd = 0;               ///< current price per chip
    double unit_cost_usd = 0;           ///< cost of making one (0: priced by excess demand)
    std::int64_t inventory_units = 0;   ///< made, not yet delivered
    int restricted_since = std::numeric_limits<int>::max();  ///< month serial a rule first covered it
    bool variant_live = false;          ///< compliant variant released (latched)
    // Cumulative accounts, chips.
    double initial_held = 0;            ///< held by labs at the start
    double retired_total = 0;           ///< depreciated out of labs' stocks
    double produced_total = 0;
    double delivered_total = 0;
    double seized_total = 0;
    // This month.
    double produced_month = 0;
    double delivered_month = 0;
    double seized_month = 0;
};

struct SupplierState {
    const Supplier* spec = nullptr;
    int nation = 0;
    std::vector<int> technology_of;     ///< nations whose FDP rules reach it
    std::vector<int> skus;
    double capacity_units_per_month = 0;
    double yield = 1;                   ///< share of good dies, before tool controls' yield factor
    double hbm_bought_stacks_per_month = -1;  ///< -1: unlimited
    double hbm_stock_stacks = 0;        ///< bought or made, not yet built into chips
    double own_hbm_stacks_per_month = 0;///< once own_hbm_start has come
    double die_bank_units = 0;          ///< dies
    double hbm_stacks_month = 0;        ///< HBM available this month (stock + arrivals), -1 unlimited
    double revenue_usd_total = 0;
    double revenue_usd_month = 0;
};

struct LabState {
    const Lab* spec = nullptr;
    int nation = 0;
    int bloc = 0;
    int side = 0;                       ///< kLeaderHolds, kRivalHolds, or 0: the sphere of the declared pair it counts in
    std::vector<int> market_blocs;
    std::vector<double> owned_units;    ///< per SKU, chips held at home
    std::vector<double> remote_units;   ///< per SKU, chips rented in clouds abroad
    double funding_usd_per_month = 0;
    double cash_usd = 0;
    double algorithmic_log10 = 0;
    std::vector<double> recent_effective_flop;  ///< ring buffer, training_run_months long: effective training FLOP per month
    std::vector<double> recent_rl_flop;         ///< same months: the part spent on RL
    double capability = 0;              ///< of its current frontier model
    double best_capability = 0;         ///< of the best model it has trained so far
    double pretraining_capability = 0;  ///< of its current run without the paradigm term
    double best_pretraining_capability = 0;  ///< best of those so far
    double efficiency_gain_log10 = 0;   ///< algorithmic progress this month (own research and diffusion)
    double research_factor = 0;         ///< this month's research factor: the lab's rate over the reference rate
    // This month's flows, for recording.
    double budget_usd = 0;
    double spend_usd = 0;
    double revenue_usd = 0;
    double funding_in_usd = 0;          ///< outside, state and savings funding received this month
    double savings_funding_usd = 0;     ///< of which raised on last month's efficiency gain
    double training_h100e = 0;
    double research_h100e = 0;
    double serving_h100e = 0;
    double strategic_h100e = 0;
    double usable_h100e = 0;
    double retired_units_total = 0;
    std::vector<double> delivered_by_route;  ///< chips this month, per Route
    std::vector<double> delivered_h100e_by_route;  ///< compute added this month, per Route (kept chips x FLOP/s relative to an H100)
};

/// Per-bloc metrics carried from month to month.
struct BlocHistory {
    std::vector<double> capability;  ///< frontier capability per past month
    int crossing_month = -1;
};

struct World {
    const Scenario* scenario = nullptr;
    std::vector<NationState> nations;
    std::vector<SkuState> skus;
    std::vector<SupplierState> suppliers;
    std::vector<LabState> labs;
    std::vector<BlocHistory> blocs;
    int leader_bloc = 0;                ///< the declared pair (question.leader, question.rival)
    int rival_bloc = 1;
    std::vector<double> leader_frontier;  ///< per past month, best capability in the leader's sphere
    std::vector<double> rival_frontier;   ///< per past month, best capability in the rival's sphere
    std::vector<int> holders;             ///< per past month, kLeaderHolds | kRivalHolds bits
    int leader_crossing = -1;             ///< first month the leader's sphere was past the threshold
    int rival_crossing = -1;
    std::vector<int> hubs;              ///< nations that can tranship
    int month_index = 0;                ///< 0 = the start month
    double initial_units_total = 0;     ///< chips held by labs at the start
    double seized_units_total = 0;
    double world_effective_flop = 0;    ///< this month
    std::vector<double> efficiency_frontier;  ///< per past month, the best lab's algorithmic efficiency (log10) after the algorithms phase
    int paradigm_pioneer = -1;           ///< the lab that adopted the RL paradigm first (-1: not yet)
};

/// The sphere a lab of `nation` (in `bloc`) counts in for the question: kLeaderHolds, kRivalHolds or 0.
[[nodiscard]] int side_of(const PolarityQuestion& question, const std::string& nation, const std::string& bloc);

/// Resolve names to indices and set the start state. The scenario must outlive the World.
[[nodiscard]] World build_world(const Scenario& scenario);

/// Index of a name in a list, or -1.
template <class T>
[[nodiscard]] int find_by_name(const std::vector<T>& items, const std::string& name) {
    for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i].name == name) return static_cast<int>(i);
    return -1;
}
[[nodiscard]] int find_name(const std::vector<std::string>& names, const std::string& name);

}  // namespace polarity::model
