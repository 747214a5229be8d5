#pragma once
/// @file
/// The scenario's keys, declared once.
///
/// For each struct of polarity/model/scenario.hpp, Keys<S>::visit shows every key to a
/// visitor: the member it fills, how it is validated (range, required, which names it defines or
/// refers to) and what it means. The YAML loader, the writer, the JSON Schema, the key reference
/// in docs/scenarios.md, key-path binding (scenario_paths.hpp: `--set`-style paths to numbers,
/// as studies use) and the checks of sampled values (scenario_rules.hpp) are all visitors of
/// this one table, so a key, its range or its description cannot drift between them. Defaults
/// are not repeated here: they are the member initialisers of the structs, read off a
/// default-constructed struct.
///
/// Checks across keys (training_share + research_share <= 1, ...) are declared once too, in
/// scenario_rules.hpp; what needs the file itself (key presence, name references) stays in the
/// loader.
///
/// A visitor V provides, for a struct S:
///   v.scalar(key, &S::member, spec)         number, integer, bool, string, date, enum, optional
///   v.section(key, &S::member, spec)        a nested map read with Keys<Member>
///   v.list(key, &S::member, spec)           a list of strings or of maps read with Keys<Item>
///   v.interval(key, &S::low, &S::high, spec)  "[low, high]"
///   v.version(key, version, spec)           the schema version: an integer that must match
///
/// Header-only and free of YAML, so every layer may read the table.

#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <string_view>
#include <utility>

#include "polarity/model/key_range.hpp"
#include "polarity/config/limits.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::model::keys {

/// Input limits (size, depth, magnitudes), declared once for the reader and the key table.
namespace limits = polarity::config::limits;

/// Whether T is a std::optional (an optional key without a default).
template <class T>
struct is_std_optional : std::false_type {};
template <class T>
struct is_std_optional<std::optional<T>> : std::true_type {};

/// The one schema version this engine reads.
inline constexpr int kSchemaVersion = 1;

/// Names that mean something in rule destinations besides nations and blocs, so no nation or
/// bloc may take them.
inline constexpr std::array<std::string_view, 4> kReservedDestinations = {"tier1", "tier2",
                                                                          "tier3", "all"};

enum class Need {
    optional,   ///< may be absent: the default applies (lists: empty)
    required,   ///< must be present
    non_empty,  ///< must be present; a list needs an item, a string a character
};

/// Kinds of named things. A key may define one (its value becomes a name others can use) or
/// refer to one (its value must be such a name).
enum class Entity {
    none, bloc, nation, supplier, sku, lab, rule, tool_control, calibration_target,
    destination,  ///< refers to a nation, a bloc, tier1/tier2/tier3 or all
    own_sku,      ///< refers to another SKU of the same supplier, defined before or after
};

/// A value outside the range that is still accepted, with what it means ("-1 = unlimited").
struct Sentinel {
    double value;
    std::string_view meaning;
};

/// How one key is validated and documented.
struct Spec {
    std::string_view doc = {};         ///< what the key means (one sentence)
    std::string_view unit = {};        ///< unit of a number ("USD/month"), for the docs
    Range range = Range::any();        ///< allowed numbers
    Need need = Need::optional;
    Entity defines = Entity::none;
    Entity refers = Entity::none;
    std::optional<Sentinel> sentinel = std::nullopt;  ///< an extra allowed value outside the range
};

/// The names of a map's keys, in the table's order.
struct KeyNames {
    std::vector<std::string_view> names;
    template <class M>
    void scalar(std::string_view key, M, const Spec&) { names.push_back(key); }
    template <class M>
    void section(std::string_view key, M, const Spec&) { names.push_back(key); }
    template <class M>
    void list(std::string_view key, M, const Spec&) { names.push_back(key); }
    template <class A, class B>
    void interval(std::string_view key, A, B, const Spec&) { names.push_back(key); }
    void version(std::string_view key, int, const Spec&) { names.push_back(key); }
};

/// An optional string that names something means "none" when empty (compliant_variant_of,
/// a calibration target's lab): it is written by leaving the key out, and has no default.
[[nodiscard]] inline bool empty_means_absent(const Spec& spec) {
    return spec.need == Need::optional && spec.refers != Entity::none;
}

/// The YAML spellings of an enumeration.
template <class E>
struct Spellings;

template <>
struct Spellings<model::RuleAction> {
    static constexpr std::array<std::pair<std::string_view, model::RuleAction>, 3> values = {{
        {"deny", model::RuleAction::deny},
        {"license", model::RuleAction::license},
        {"allow", model::RuleAction::allow},
    }};
};

template <>
struct Spellings<model::CalibrationMetric> {
    using M = model::CalibrationMetric;
    static constexpr std::array<std::pair<std::string_view, M>, 12> values = {{
        {"frontier_compute_growth", M::frontier_compute_growth},
        {"lab_stock_units", M::lab_stock_units},
        {"lag_months", M::lag_months},
        {"share_of_new_compute", M::share_of_new_compute},
        {"frontier_compute_h100e", M::frontier_compute_h100e},
        {"pretraining_lag_months", M::pretraining_lag_months},
        {"gray_units", M::gray_units},
        {"production_units", M::production_units},
        {"compute_growth", M::compute_growth},
        {"compute_h100e", M::compute_h100e},
        {"compute_share", M::compute_share},
        {"gray_h100e", M::gray_h100e},
    }};
};

template <>
struct Spellings<model::ClearingMechanism> {
    static constexpr std::array<std::pair<std::string_view, model::ClearingMechanism>, 2> values = {{
        {"priority", model::ClearingMechanism::priority},
        {"min_cost_flow", model::ClearingMechanism::min_cost_flow},
    }};
};

/// "YYYY-MM", as scenario files write months.
[[nodiscard]] inline std::string format_month(const model::CalendarMonth& m) {
    return std::to_string(m.year) + (m.month < 10 ? "-0" : "-") + std::to_string(m.month);
}

template <class E>
[[nodiscard]] constexpr std::string_view spelling(E value) {
    for (const auto& [text, v] : Spellings<E>::values) {
        if (v == value) return text;
    }
    return {};
}

/// Keys<S>: `title` and `doc` describe the map; `visit` lists its keys in reading order.
template <class S>
struct Keys;

/// Whether a map's keys are alternatives of which at least one must be given (Keys<S>::at_least_one_key).
template <class S>
[[nodiscard]] constexpr bool needs_one_key() {
    if constexpr (requires { Keys<S>::at_least_one_key; }) return Keys<S>::at_least_one_key;
    else return false;
}


using Months = model::CalendarMonth;

template <>
struct Keys<model::RunSettings> {
    using S = model::RunSettings;
    static constexpr std::string_view title = "run";
    static constexpr std::string_view doc = "The simulated period and the random seed.";
    template <class V>
    static void visit(V& v) {
        v.scalar("seed", &S::seed, {.doc = "Seed of every random draw; a seed and a scenario "
                                           "give bit-identical results.",
                                    .need = Need::required});
        v.scalar("start", &S::start, {.doc = "First simulated month.", .need = Need::required});
        v.scalar("horizon_months", &S::horizon_months,
                 {.doc = "Number of months simulated.", .unit = "months",
                  .range = Range::closed(1, 1200)});
    }
};

template <>
struct Keys<model::PolarityQuestion> {
    using S = model::PolarityQuestion;
    static constexpr std::string_view title = "question";
    static constexpr std::string_view doc =
        "The pair of blocs the outcome is about: does the leader hold powerful AI alone, with a "
        "durable lead, or does the rival follow? Other blocs are reported but do not decide it.";
    template <class V>
    static void visit(V& v) {
        v.scalar("text", &S::text,
                 {.doc = "The question in plain words, printed before the run's answer (classroom "
                         "presets)."});
        v.scalar("leader", &S::leader,
                 {.doc = "The bloc whose lead is in question.", .refers = Entity::bloc});
        v.scalar("rival", &S::rival,
                 {.doc = "The bloc that may follow; must differ from the leader.",
                  .refers = Entity::bloc});
        v.list("leader_aligned", &S::leader_aligned,
               {.doc = "Nations of other blocs whose labs count in the leader's sphere (e.g. a "
                       "nation that buys under the leader's licences and oversight).",
                .refers = Entity::nation});
        v.list("rival_aligned", &S::rival_aligned,
               {.doc = "Nations of other blocs whose labs count in the rival's sphere.",
                .refers = Entity::nation});
        v.scalar("durable_lead_months", &S::durable_lead_months,
                 {.doc = "The leader's lead is durable (unipolar) when the rival has not crossed "
                         "the powerful-AI threshold this many months after the leader; crossings "
                         "closer than this are bipolar.",
                  .unit = "months", .range = Range::closed(1, 1200)});
        v.scalar("prehistory_growth_log10_per_year", &S::prehistory_growth_log10_per_year,
                 {.doc = "Growth of the leader's frontier capability before the start, used only "
                         "when a lag reaches back past the first month.",
                  .unit = "log10/year", .range = Range::above(0)});
    }
};

template <>
struct Keys<model::WorldSettings> {
    using S = model::WorldSettings;
    static constexpr std::string_view title = "world";
    static constexpr std::string_view doc = "Global physical and economic constants.";
    template <class V>
    static void visit(V& v) {
        v.scalar("h100_flop_per_s", &S::h100_flop_per_s,
                 {.doc = "Dense 16-bit FLOP/s of one H100: the unit of H100-equivalents (H100e).",
                  .unit = "FLOP/s", .range = Range::above(0)});
        v.scalar("utilization", &S::utilization,
                 {.doc = "Model FLOP utilisation of training runs.", .unit = "share",
                  .range = Range::open_closed(0, 1)});
        v.scalar("depreciation_per_year", &S::depreciation_per_year,
                 {.doc = "Share of chips retired per year.", .unit = "1/year",
                  .range = Range::closed_open(0, 1)});
        v.scalar("interconnect_reference_gbps", &S::interconnect_reference_gbps,
                 {.doc = "Interconnect bandwidth at which chips train at full speed (H100 "
                         "NVLink).",
                  .unit = "GB/s", .range = Range::above(0)});
        v.scalar("interconnect_exponent", &S::interconnect_exponent,
                 {.doc = "Training factor of a chip below the reference bandwidth: "
                         "(bandwidth/reference)^exponent.",
                  .range = Range::at_least(0)});
        v.scalar("memory_bandwidth_reference_tbps", &S::memory_bandwidth_reference_tbps,
                 {.doc = "Reference memory bandwidth (H100 HBM3).", .unit = "TB/s",
                  .range = Range::above(0)});
        v.scalar("training_run_months", &S::training_run_months,
                 {.doc = "Length of a frontier training run.", .unit = "months",
                  .range = Range::closed(1, 24)});
        v.scalar("powerful_ai_capability", &S::powerful_ai_capability,
                 {.doc = "Powerful-AI threshold on capability (log10 of effective training "
                         "FLOP).",
                  .unit = "log10 FLOP"});
        v.scalar("price_adjustment_rate", &S::price_adjustment_rate,
                 {.doc = "Monthly price response per unit of relative excess demand.",
                  .unit = "1/month", .range = Range::at_least(0)});
        v.scalar("price_floor_ratio", &S::price_floor_ratio,
                 {.doc = "Lowest price as a share of list price.", .unit = "ratio",
                  .range = Range::open_closed(0, 1)});
        v.scalar("price_ceiling_ratio", &S::price_ceiling_ratio,
                 {.doc = "Highest price as a multiple of list price.", .unit = "ratio",
                  .range = Range::at_least(1)});
        v.scalar("max_inventory_months", &S::max_inventory_months,
                 {.doc = "Suppliers stop making a SKU whose unsold stock exceeds this many "
                         "months of output.",
                  .unit = "months", .range = Range::at_least(0)});
        v.scalar("funding_growth_halflife_years", &S::funding_growth_halflife_years,
                 {.doc = "Labs' outside funding growth rates halve this often, a taper on "
                         "spending growth that does not come from revenue (0 = never).",
                  .unit = "years", .range = Range::at_least(0)});
    }
};

template <>
struct Keys<model::Jump> {
    using S = model::Jump;
    static constexpr std::string_view title = "algorithms.jumps[]";
    static constexpr std::string_view doc = "A kind of random algorithmic breakthrough.";
    template <class V>
    static void visit(V& v) {
        v.scalar("multiplier", &S::multiplier,
                 {.doc = "Effective-compute multiplier of one jump.", .unit = "factor",
                  .range = Range::above(1)});
        v.scalar("per_year", &S::per_year,
                 {.doc = "Expected arrivals per lab per year at reference research compute.",
                  .unit = "1/year", .range = Range::at_least(0)});
    }
};

template <>
struct Keys<model::AlgorithmSettings> {
    using S = model::AlgorithmSettings;
    static constexpr std::string_view title = "algorithms";
    static constexpr std::string_view doc =
        "Algorithmic progress: each lab's efficiency, a log10 multiplier over the start.";
    template <class V>
    static void visit(V& v) {
        v.scalar("drift_log10_per_year", &S::drift_log10_per_year,
                 {.doc = "Steady progress at reference research compute.",
                  .unit = "log10/year"});
        v.list("jumps", &S::jumps, {.doc = "Random compute multipliers."});
        v.scalar("research_reference_h100e", &S::research_reference_h100e,
                 {.doc = "Research compute at which the rates are nominal.", .unit = "H100e",
                  .range = Range::above(0)});
        v.scalar("research_elasticity", &S::research_elasticity,
                 {.doc = "Rates scale as (research / reference)^elasticity.",
                  .range = Range::at_least(0)});
        v.scalar("idea_difficulty", &S::idea_difficulty,
                 {.doc = "Ideas get harder to find: rates scale as 10^(-difficulty x the lab's "
                         "efficiency, log10 over the start).",
                  .range = Range::at_least(0)});
        v.scalar("research_factor_min", &S::research_factor_min,
                 {.doc = "Lower clamp of the research factor (research returns x idea "
                         "difficulty x acceleration); at most research_factor_max.",
                  .unit = "factor", .range = Range::above(0)});
        v.scalar("research_factor_max", &S::research_factor_max,
                 {.doc = "Upper clamp of the research factor: no lab's expected rate exceeds "
                         "this multiple of the reference rate.",
                  .unit = "factor", .range = Range::above(0)});
        v.scalar("diffusion_per_month", &S::diffusion_per_month,
                 {.doc = "Share of the gap to the lagged frontier efficiency a lab with ample "
                         "research compute closes each month; such a lab trails a steadily "
                         "growing frontier by diffusion_delay_months + 1/diffusion_per_month months.",
                  .unit = "1/month", .range = Range::unit()});
        v.scalar("diffusion_delay_months", &S::diffusion_delay_months,
                 {.doc = "Months before a lab's efficiency reaches others (publication, open "
                         "weights, distillation).",
                  .unit = "months", .range = Range::closed(0, 60)});
        v.scalar("absorption_research_h100e", &S::absorption_research_h100e,
                 {.doc = "Research compute at which a follower absorbs the frontier at half "
                         "speed (0 = absorption not limited by research).",
                  .unit = "H100e", .range = Range::at_least(0)});
        v.scalar("acceleration_start_capability", &S::acceleration_start_capability,
                 {.doc = "Capability at which AI-accelerated research starts.",
                  .unit = "log10 FLOP"});
        v.scalar("acceleration_full_capability", &S::acceleration_full_capability,
                 {.doc = "Capability at which acceleration is full; above "
                         "acceleration_start_capability.",
                  .unit = "log10 FLOP"});
        v.scalar("acceleration_max_multiplier", &S::acceleration_max_multiplier,
                 {.doc = "Extra research rate at full acceleration (0 = off).",
                  .unit = "factor", .range = Range::at_least(0)});
    }
};

template <>
struct Keys<model::ParadigmSettings> {
    using S = model::ParadigmSettings;
    static constexpr std::string_view title = "paradigm";
    static constexpr std::string_view doc =
        "The RL-on-reasoning paradigm: a saturating second scaling axis.";
    template <class V>
    static void visit(V& v) {
        v.scalar("enabled", &S::enabled, {.doc = "Whether the paradigm exists at all."});
        v.scalar("start", &S::start,
                 {.doc = "Month the paradigm appears; the lab with the best model then adopts it."});
        v.scalar("adoption_delay_months", &S::adoption_delay_months,
                 {.doc = "Months after start at which every other lab adopts it.",
                  .unit = "months", .range = Range::closed(0, 60)});
        v.scalar("max_gain", &S::max_gain,
                 {.doc = "Capability gained at saturation.", .unit = "log10 FLOP",
                  .range = Range::at_least(0)});
        v.scalar("saturation_flop", &S::saturation_flop,
                 {.doc = "Effective RL compute in the current run giving 63% of max_gain.",
                  .unit = "FLOP",
                  .range = Range::above(0)});
        v.scalar("rl_share_of_training", &S::rl_share_of_training,
                 {.doc = "Share of training compute spent on RL.", .unit = "share",
                  .range = Range::unit()});
    }
};

template <>
struct Keys<model::MarketSettings> {
    using S = model::MarketSettings;
    static constexpr std::string_view title = "market";
    static constexpr std::string_view doc = "Trade routes and demand.";
    template <class V>
    static void visit(V& v) {
        v.scalar("clearing", &S::clearing,
                 {.doc = "How chips are allocated each round: priority (cheapest bids first, "
                         "ties shared pro rata) or min_cost_flow (Boost.Graph min-cost max-flow)."});
        v.scalar("gray_premium", &S::gray_premium,
                 {.doc = "Price mark-up through a transhipment hub at zero enforcement.",
                  .unit = "share of price", .range = Range::at_least(0)});
        v.scalar("gray_premium_per_enforcement", &S::gray_premium_per_enforcement,
                 {.doc = "Extra gray-market mark-up per unit of enforcement.",
                  .unit = "share of price", .range = Range::at_least(0)});
        v.scalar("gray_detection_scale_units", &S::gray_detection_scale_units,
                 {.doc = "Monthly gray volume at which detection reaches 63% of enforcement.",
                  .unit = "chips/month", .range = Range::open_closed(0, limits::kMaxChips)});
        v.scalar("remote_markup", &S::remote_markup,
                 {.doc = "Cloud rental mark-up over buying.", .unit = "share of price",
                  .range = Range::at_least(0)});
        v.scalar("revenue_per_serving_h100e_usd", &S::revenue_per_serving_h100e_usd,
                 {.doc = "Monthly revenue of one H100e serving a frontier model.",
                  .unit = "USD/month", .range = Range::closed(0, limits::kMaxUsd)});
        v.scalar("quality_gap_scale", &S::quality_gap_scale,
                 {.doc = "Revenue is scaled by 1/(1 + gap/scale), gap in capability points "
                         "behind the leader.",
                  .unit = "log10 FLOP", .range = Range::above(0)});
        v.scalar("training_weight", &S::training_weight,
                 {.doc = "A chip's value to a lab: weight x training + (1 - weight) x serving "
                         "H100e.",
                  .unit = "share", .range = Range::unit()});
        v.scalar("rationing_step", &S::rationing_step,
                 {.doc = "Extra cost of each further quarter of a lab's demand, as a multiple "
                         "of the mean price per H100e.",
                  .unit = "factor", .range = Range::at_least(0)});
        v.scalar("smuggling_gap_reference", &S::smuggling_gap_reference,
                 {.doc = "Price gap (controlled buyers' best other cost per H100e of value over "
                         "the smuggled chip's at the hub) at which gray capacity is nominal.",
                  .unit = "ratio", .range = Range::above(0)});
        v.scalar("smuggling_gap_elasticity", &S::smuggling_gap_elasticity,
                 {.doc = "Gray capacity scales with (gap / reference) to this power.",
                  .unit = "1", .range = Range::at_least(0)});
        v.scalar("smuggling_unmet_elasticity", &S::smuggling_unmet_elasticity,
                 {.doc = "Gray capacity is multiplied by 1 + this x last month's unmet share "
                         "of the buyers' budgets.",
                  .unit = "1", .range = Range::at_least(0)});
        v.scalar("smuggling_pull_max", &S::smuggling_pull_max,
                 {.doc = "Upper bound of the price-gap and unmet-demand pull on gray capacity.",
                  .unit = "factor", .range = Range::above(0)});
        v.scalar("shell_enforcement_reach", &S::shell_enforcement_reach,
                 {.doc = "Share of a hub's enforcement that reaches shell buyers there "
                         "(end-user checks).",
                  .unit = "share", .range = Range::unit()});
        v.scalar("diversion_enforcement_reach", &S::diversion_enforcement_reach,
                 {.doc = "Share of a nation's enforcement that reaches diversion of its "
                         "licensed imports (end-use checks).",
                  .unit = "share", .range = Range::unit()});
        v.scalar("remote_enforcement_reach", &S::remote_enforcement_reach,
                 {.doc = "Share of the controller's enforcement that reaches cloud rental to "
                         "restricted nations (know-your-customer on training).",
                  .unit = "share", .range = Range::unit()});
        v.scalar("revenue_capability_elasticity", &S::revenue_capability_elasticity,
                 {.doc = "Revenue per serving H100e scales as 10^(elasticity x (best capability "
                         "- revenue_reference_capability)): smarter models earn more.",
                  .range = Range::at_least(0)});
        v.scalar("revenue_reference_capability", &S::revenue_reference_capability,
                 {.doc = "Capability at which a serving H100e earns "
                         "revenue_per_serving_h100e_usd.",
                  .unit = "log10 FLOP"});
        v.scalar("revenue_value_max_multiplier", &S::revenue_value_max_multiplier,
                 {.doc = "Cap on the capability factor of revenue.", .unit = "factor",
                  .range = Range::at_least(1)});
        v.scalar("revenue_max_gdp_share", &S::revenue_max_gdp_share,
                 {.doc = "What a bloc's market can pay for AI each year, as a share of the GDP "
                         "of its nations; revenue beyond it is scaled down pro rata (0 = no cap).",
                  .unit = "share", .range = Range::unit()});
        v.scalar("savings_reinvest_share", &S::savings_reinvest_share,
                 {.doc = "Share of the training compute an efficiency gain saves (valued at the "
                         "cheapest chip) that investors put into the next, bigger run.",
                  .unit = "share", .range = Range::unit()});
    }
};

template <>
struct Keys<model::Nation> {
    using S = model::Nation;
    static constexpr std::string_view title = "nations[]";
    static constexpr std::string_view doc = "A nation: a jurisdiction that belongs to one bloc.";
    template <class V>
    static void visit(V& v) {
        v.scalar("name", &S::name,
                 {.doc = "Name of the nation; must differ from every bloc name.",
                  .need = Need::required, .defines = Entity::nation});
        v.scalar("bloc", &S::bloc, {.doc = "The bloc it belongs to.", .need = Need::required,
                                    .refers = Entity::bloc});
        v.scalar("tier", &S::tier,
                 {.doc = "AI diffusion framework tier; rules name it as tier1, tier2, tier3.",
                  .range = Range::closed(1, 3)});
        v.scalar("gdp_usd", &S::gdp_usd,
                 {.doc = "Annual GDP; bounds what its bloc's market pays for AI (market.revenue_max_gdp_share).", .unit = "USD/year",
                  .range = Range::closed(0, limits::kMaxUsd)});
        v.scalar("state_ai_funding_usd_per_month", &S::state_ai_funding_usd_per_month,
                 {.doc = "State AI funding, split evenly over its labs.", .unit = "USD/month",
                  .range = Range::closed(0, limits::kMaxUsd)});
        v.scalar("enforcement_capacity", &S::enforcement_capacity,
                 {.doc = "As a hub, compounds the controller's enforcement; as a controller, "
                         "headroom of adaptive effort (at most 1 + capacity).",
                  .unit = "share", .range = Range::unit()});
        v.scalar("hub_capacity_units_per_month", &S::hub_capacity_units_per_month,
                 {.doc = "Chips it can tranship per month (0 = not a hub).",
                  .unit = "chips/month", .range = Range::closed(0, limits::kMaxChips)});
        v.scalar("shell_capacity_units_per_month", &S::shell_capacity_units_per_month,
                 {.doc = "Chips front companies registered here can buy per month for "
                         "controlled buyers (0 = none).",
                  .unit = "chips/month", .range = Range::closed(0, limits::kMaxChips)});
        v.scalar("diversion_share", &S::diversion_share,
                 {.doc = "Chips diverted from licences approved for it, as a share of the "
                         "approved quota.",
                  .unit = "share", .range = Range::unit()});
        v.scalar("subsidy_growth_per_year", &S::subsidy_growth_per_year,
                 {.doc = "Extra capacity growth of its suppliers once they are cut off.",
                  .unit = "1/year", .range = Range::closed(0, limits::kMaxGrowthPerYear)});
        v.scalar("military_compute_share", &S::military_compute_share,
                 {.doc = "Share of its labs' compute used for strategic purposes.",
                  .unit = "share", .range = Range::closed_open(0, 1)});
        v.scalar("state_ai_funding_growth_cut_off_per_year",
                 &S::state_ai_funding_growth_cut_off_per_year,
                 {.doc = "Growth of its state AI funding in months it is cut off (a strategic "
                         "response to controls).",
                  .unit = "1/year", .range = Range::at_least(0)});
    }
};

template <>
struct Keys<model::ChipSku> {
    using S = model::ChipSku;
    static constexpr std::string_view title = "suppliers[].skus[]";
    static constexpr std::string_view doc = "A chip model made by a supplier.";
    template <class V>
    static void visit(V& v) {
        v.scalar("name", &S::name, {.doc = "Unique SKU name (across all suppliers).",
                                    .need = Need::required, .defines = Entity::sku});
        v.scalar("release", &S::release, {.doc = "First month it can be made.",
                                          .need = Need::required});
        v.scalar("discontinued", &S::discontinued,
                 {.doc = "First month it is no longer made; after release. Absent: never."});
        v.scalar("flop_per_s", &S::flop_per_s, {.doc = "Dense 16-bit FLOP/s of one chip.",
                                                .unit = "FLOP/s", .range = Range::above(0)});
        v.scalar("tpp", &S::tpp, {.doc = "Total processing performance, as BIS rules define it.",
                                  .unit = "TPP", .range = Range::at_least(0)});
        v.scalar("performance_density", &S::performance_density,
                 {.doc = "TPP per mm^2 of die.", .unit = "TPP/mm^2", .range = Range::at_least(0)});
        v.scalar("interconnect_gbps", &S::interconnect_gbps,
                 {.doc = "Chip-to-chip bandwidth.", .unit = "GB/s", .range = Range::above(0)});
        v.scalar("memory_bandwidth_tbps", &S::memory_bandwidth_tbps,
                 {.doc = "Memory bandwidth.", .unit = "TB/s", .range = Range::above(0)});
        v.scalar("price_usd", &S::price_usd, {.doc = "List price per chip at release.",
                                              .unit = "USD", .range = Range::open_closed(0, limits::kMaxUsd)});
        v.scalar("production_weight", &S::production_weight,
                 {.doc = "Relative share of the supplier's output while on sale.",
                  .unit = "weight", .range = Range::at_least(0)});
        v.scalar("dies_per_chip", &S::dies_per_chip,
                 {.doc = "Logic dies packaged in one chip.", .unit = "dies",
                  .range = Range::above(0)});
        v.scalar("hbm_stacks_per_chip", &S::hbm_stacks_per_chip,
                 {.doc = "HBM stacks in one chip; 0: the supplier's HBM supply does not limit it.",
                  .unit = "stacks", .range = Range::at_least(0)});
        v.scalar("unit_cost_usd", &S::unit_cost_usd,
                 {.doc = "Cost of making one chip; above 0 the chip is priced at cost plus the "
                         "supplier's margin instead of by excess demand.",
                  .unit = "USD", .range = Range::at_least(0)});
        v.scalar("compliant_variant_of", &S::compliant_variant_of,
                 {.doc = "Makes this a design-around (compliant) variant of that SKU, another "
                         "SKU of the same supplier. Absent: none.",
                  .refers = Entity::own_sku});
    }
};

template <>
struct Keys<model::Supplier> {
    using S = model::Supplier;
    static constexpr std::string_view title = "suppliers[]";
    static constexpr std::string_view doc = "A chip designer-manufacturer.";
    template <class V>
    static void visit(V& v) {
        v.scalar("name", &S::name, {.doc = "Unique supplier name.", .need = Need::required,
                                    .defines = Entity::supplier});
        v.scalar("nation", &S::nation, {.doc = "Its jurisdiction.", .need = Need::required,
                                        .refers = Entity::nation});
        v.list("uses_technology_of", &S::uses_technology_of,
               {.doc = "Nations whose foreign-direct-product rules reach its chips.",
                .refers = Entity::nation});
        v.scalar("capacity_units_per_month", &S::capacity_units_per_month,
                 {.doc = "Wafer-limited output at the start.", .unit = "chips/month",
                  .range = Range::closed(0, limits::kMaxChips)});
        // Growth rates may be negative, but not -100 %/yr or worse.
        v.scalar("capacity_growth_per_year", &S::capacity_growth_per_year,
                 {.doc = "Growth of capacity, e.g. 0.5 = +50 %/yr.", .unit = "1/year",
                  .range = Range::open_closed(-1, limits::kMaxGrowthPerYear)});
        v.scalar("yield", &S::yield, {.doc = "Share of good dies at the start.", .unit = "share",
                                      .range = Range::open_closed(0, 1)});
        v.scalar("yield_ceiling", &S::yield_ceiling,
                 {.doc = "Yield that learning approaches; 0: no learning.", .unit = "share",
                  .range = Range::unit()});
        v.scalar("yield_learning_per_year", &S::yield_learning_per_year,
                 {.doc = "Share of the gap to the yield ceiling closed per year (slowed by tool "
                         "controls).",
                  .unit = "1/year", .range = Range::closed_open(0, 1)});
        v.scalar("hbm_stacks_per_month", &S::hbm_stacks_per_month,
                 {.doc = "HBM stacks bought abroad per month at the start.", .unit = "stacks/month",
                  .range = Range::closed(0, limits::kMaxChips), .sentinel = Sentinel{-1, "unlimited"}});
        v.scalar("hbm_growth_per_year", &S::hbm_growth_per_year,
                 {.doc = "Growth of the HBM bought abroad.", .unit = "1/year",
                  .range = Range::open_closed(-1, limits::kMaxGrowthPerYear)});
        v.scalar("hbm_stockpile_stacks", &S::hbm_stockpile_stacks,
                 {.doc = "HBM stacks in store at the start.", .unit = "stacks",
                  .range = Range::closed(0, limits::kMaxChips)});
        v.scalar("own_hbm_start", &S::own_hbm_start,
                 {.doc = "First month of the supplier's own HBM output. Absent: none."});
        v.scalar("own_hbm_stacks_per_month", &S::own_hbm_stacks_per_month,
                 {.doc = "Own HBM output in its first month.", .unit = "stacks/month",
                  .range = Range::closed(0, limits::kMaxChips)});
        v.scalar("own_hbm_growth_per_year", &S::own_hbm_growth_per_year,
                 {.doc = "Growth of own HBM output (multiplied by tool controls' capacity "
                         "growth factor).",
                  .unit = "1/year", .range = Range::open_closed(-1, limits::kMaxGrowthPerYear)});
        v.scalar("die_bank_units", &S::die_bank_units,
                 {.doc = "Dies made abroad before a rule closed that door.", .unit = "dies",
                  .range = Range::closed(0, limits::kMaxChips)});
        v.scalar("die_bank_draw_per_month", &S::die_bank_draw_per_month,
                 {.doc = "Most dies drawn from the bank per month.", .unit = "dies/month",
                  .range = Range::closed(0, limits::kMaxChips)});
        v.scalar("die_bank_from", &S::die_bank_from,
                 {.doc = "First month banked dies can be drawn. Absent: from the start."});
        v.scalar("margin", &S::margin,
                 {.doc = "Mark-up over unit cost for its SKUs that give one.", .unit = "share",
                  .range = Range::at_least(0)});
        v.scalar("design_around", &S::design_around,
                 {.doc = "Whether it offers compliant variants after a lag."});
        v.scalar("design_around_lag_months", &S::design_around_lag_months,
                 {.doc = "Months from a rule to its compliant variants.", .unit = "months",
                  .range = Range::at_least(0)});
        v.list("skus", &S::skus, {.doc = "Its chips."});
    }
};

template <>
struct Keys<model::Holding> {
    using S = model::Holding;
    static constexpr std::string_view title = "labs[].stock[]";
    static constexpr std::string_view doc = "Chips of one SKU a lab holds at the start.";
    template <class V>
    static void visit(V& v) {
        v.scalar("sku", &S::sku, {.doc = "The SKU; at most one entry per SKU.",
                                  .need = Need::required, .refers = Entity::sku});
        v.scalar("units", &S::units, {.doc = "Number of chips.", .unit = "chips",
                                      .range = Range::closed(0, limits::kMaxChips)});
    }
};

template <>
struct Keys<model::Lab> {
    using S = model::Lab;
    static constexpr std::string_view title = "labs[]";
    static constexpr std::string_view doc = "An AI lab (or an aggregate of smaller ones).";
    template <class V>
    static void visit(V& v) {
        v.scalar("name", &S::name, {.doc = "Unique lab name.", .need = Need::required,
                                    .defines = Entity::lab});
        v.scalar("nation", &S::nation, {.doc = "Where it is.", .need = Need::required,
                                        .refers = Entity::nation});
        v.list("stock", &S::stock, {.doc = "Chips held at the start."});
        v.scalar("funding_usd_per_month", &S::funding_usd_per_month,
                 {.doc = "Outside capital at the start.", .unit = "USD/month",
                  .range = Range::closed(0, limits::kMaxUsd)});
        v.scalar("funding_growth_per_year", &S::funding_growth_per_year,
                 {.doc = "Growth of outside capital.", .unit = "1/year",
                  .range = Range::open_closed(-1, limits::kMaxGrowthPerYear)});
        v.scalar("cash_usd", &S::cash_usd, {.doc = "Cash at the start.", .unit = "USD",
                                            .range = Range::closed(0, limits::kMaxUsd)});
        v.scalar("capex_share", &S::capex_share,
                 {.doc = "Share of available money spent on chips each month.", .unit = "share",
                  .range = Range::unit()});
        v.scalar("reinvest_share", &S::reinvest_share,
                 {.doc = "Share of revenue kept for capex.", .unit = "share",
                  .range = Range::unit()});
        v.scalar("algorithmic_efficiency_log10", &S::algorithmic_efficiency_log10,
                 {.doc = "Algorithmic efficiency at the start.", .unit = "log10"});
        v.scalar("risk_appetite", &S::risk_appetite,
                 {.doc = "Share of its demand it will buy on the gray market.", .unit = "share",
                  .range = Range::unit()});
        v.scalar("training_share", &S::training_share,
                 {.doc = "Share of compute used for training.", .unit = "share",
                  .range = Range::unit()});
        v.scalar("research_share", &S::research_share,
                 {.doc = "Share of compute used for research; training_share + research_share "
                         "<= 1, the rest serves customers.",
                  .unit = "share", .range = Range::unit()});
        v.list("markets", &S::markets,
               {.doc = "Blocs it may sell in (absent or empty: its own bloc).",
                .refers = Entity::bloc});
        v.scalar("frontier", &S::frontier,
                 {.doc = "Whether its models count toward its bloc's frontier (false for "
                         "aggregates such as \"other clouds\")."});
    }
};

template <>
struct Keys<model::ChipCriteria> {
    using S = model::ChipCriteria;
    static constexpr std::string_view title = "policy.rules[].chips";
    static constexpr std::string_view doc =
        "Which chips a rule covers: the named SKUs, those meeting every given threshold of the "
        "first test (tpp_at_least, interconnect_at_least_gbps), and those meeting the density "
        "test. At least one key must be given.";
    /// A rule covering no chips is always a mistake (an allow with no chips would silently do
    /// nothing): the loader and the schema require at least one of the keys below, a list not empty.
    static constexpr bool at_least_one_key = true;
    template <class V>
    static void visit(V& v) {
        v.list("skus", &S::skus, {.doc = "SKUs covered by name.", .refers = Entity::sku});
        v.scalar("tpp_at_least", &S::tpp_at_least,
                 {.doc = "First test: TPP at least this.", .unit = "TPP",
                  .range = Range::at_least(0)});
        v.scalar("interconnect_at_least_gbps", &S::interconnect_at_least_gbps,
                 {.doc = "First test: interconnect at least this.", .unit = "GB/s",
                  .range = Range::at_least(0)});
        v.scalar("density_tpp_at_least", &S::density_tpp_at_least,
                 {.doc = "Density test: TPP at least this...", .unit = "TPP",
                  .range = Range::at_least(0)});
        v.scalar("performance_density_at_least", &S::performance_density_at_least,
                 {.doc = "...and performance density at least this.", .unit = "TPP/mm^2",
                  .range = Range::at_least(0)});
    }
};

template <>
struct Keys<model::ExportRule> {
    using S = model::ExportRule;
    static constexpr std::string_view title = "policy.rules[]";
    static constexpr std::string_view doc = "A dated export rule.";
    template <class V>
    static void visit(V& v) {
        v.scalar("name", &S::name, {.doc = "Unique rule name.", .need = Need::required,
                                    .defines = Entity::rule});
        v.scalar("title", &S::title, {.doc = "Readable title for reports, e.g. \"October 2023 advanced-computing rule\". "
                                             "Absent: the name."});
        v.scalar("start", &S::start, {.doc = "First month in force.", .need = Need::required});
        v.scalar("end", &S::end, {.doc = "First month no longer in force (after start). "
                                         "Absent: never ends."});
        v.scalar("enabled", &S::enabled, {.doc = "false: the rule never comes into force (a counterfactual without "
                                                 "it, e.g. --set policy.rules.NAME.enabled=false)."});
        v.scalar("jurisdiction", &S::jurisdiction,
                 {.doc = "The controlling nation.", .need = Need::required,
                  .refers = Entity::nation});
        v.scalar("foreign_direct_product", &S::foreign_direct_product,
                 {.doc = "Whether it also reaches suppliers that use the jurisdiction's "
                         "technology."});
        v.list("destinations", &S::destinations,
               {.doc = "Where it applies: nation or bloc names, tier1/tier2/tier3, or all.",
                .need = Need::non_empty, .refers = Entity::destination});
        v.section("chips", &S::chips,
                  {.doc = "The chips it covers.",
                   .need = Need::required});
        v.scalar("action", &S::action, {.doc = "What it does to covered sales.",
                                        .need = Need::required});
        v.scalar("quota_units_per_month", &S::quota_units_per_month,
                 {.doc = "Licences per destination nation per month (license rules).",
                  .unit = "chips/month", .range = Range::closed(0, limits::kMaxChips)});
        v.scalar("approval_rate", &S::approval_rate,
                 {.doc = "Share of licence requests approved (license rules).", .unit = "share",
                  .range = Range::unit()});
        v.scalar("revenue_share", &S::revenue_share,
                 {.doc = "Share of licensed revenue paid to the controlling government.",
                  .unit = "share", .range = Range::unit()});
        v.scalar("enforcement", &S::enforcement,
                 {.doc = "How hard the rule is enforced against gray routes.", .unit = "share",
                  .range = Range::unit()});
    }
};

template <>
struct Keys<model::ToolControl> {
    using S = model::ToolControl;
    static constexpr std::string_view title = "policy.tool_controls[]";
    static constexpr std::string_view doc = "Controls on chipmaking tools sold to a nation's fabs.";
    template <class V>
    static void visit(V& v) {
        v.scalar("name", &S::name, {.doc = "Unique tool-control name.", .need = Need::required,
                                    .defines = Entity::tool_control});
        v.scalar("start", &S::start, {.doc = "First month in force.", .need = Need::required});
        v.scalar("end", &S::end, {.doc = "First month no longer in force (after start). "
                                         "Absent: never ends."});
        v.list("targets", &S::targets, {.doc = "Nations whose suppliers are hit.",
                                        .need = Need::non_empty, .refers = Entity::nation});
        v.scalar("capacity_growth_factor", &S::capacity_growth_factor,
                 {.doc = "Multiplies the targets' capacity growth.", .unit = "factor",
                  .range = Range::unit()});
        v.scalar("yield_factor", &S::yield_factor,
                 {.doc = "Multiplies the targets' yield.", .unit = "factor",
                  .range = Range::open_closed(0, 1)});
        v.scalar("yield_learning_factor", &S::yield_learning_factor,
                 {.doc = "Multiplies the targets' yield-learning rate.", .unit = "factor",
                  .range = Range::unit()});
        v.scalar("hbm_import_factor", &S::hbm_import_factor,
                 {.doc = "Multiplies the HBM the targets' suppliers buy abroad (0: banned).",
                  .unit = "factor", .range = Range::unit()});
    }
};

template <>
struct Keys<model::RemoteAccessSwitch> {
    using S = model::RemoteAccessSwitch;
    static constexpr std::string_view title = "policy.remote_access[]";
    static constexpr std::string_view doc =
        "Renting compute abroad; the latest started entry is in force.";
    template <class V>
    static void visit(V& v) {
        v.scalar("start", &S::start, {.doc = "Month it takes effect.", .need = Need::required});
        v.scalar("open", &S::open, {.doc = "Whether restricted nations may rent abroad."});
        v.scalar("capacity_units_per_month", &S::capacity_units_per_month,
                 {.doc = "Chips clouds may rent to each restricted nation.",
                  .unit = "chips/month", .range = Range::closed(0, limits::kMaxChips)});
    }
};

template <>
struct Keys<model::AdaptiveRule> {
    using S = model::AdaptiveRule;
    static constexpr std::string_view title = "policy.adaptive[]";
    static constexpr std::string_view doc = "Adaptive enforcement of one controlling nation.";
    template <class V>
    static void visit(V& v) {
        v.scalar("controller", &S::controller,
                 {.doc = "Nation whose enforcement effort adapts.", .need = Need::required,
                  .refers = Entity::nation});
        v.scalar("rival_bloc", &S::rival_bloc, {.doc = "The bloc it watches.",
                                                .need = Need::required, .refers = Entity::bloc});
        v.scalar("tighten_below_lag_months", &S::tighten_below_lag_months,
                 {.doc = "Effort rises while the rival's lag is below this.", .unit = "months",
                  .range = Range::at_least(0)});
        v.scalar("loosen_above_lag_months", &S::loosen_above_lag_months,
                 {.doc = "Effort falls while the lag is above this (industry pressure); at "
                         "least tighten_below_lag_months.",
                  .unit = "months", .range = Range::at_least(0)});
        v.scalar("step", &S::step, {.doc = "Change in effort per month.", .unit = "1/month",
                                    .range = Range::unit()});
    }
};

template <>
struct Keys<model::Policy> {
    using S = model::Policy;
    static constexpr std::string_view title = "policy";
    static constexpr std::string_view doc = "The export-control regime.";
    template <class V>
    static void visit(V& v) {
        v.list("rules", &S::rules, {.doc = "Dated export rules."});
        v.list("tool_controls", &S::tool_controls,
               {.doc = "Controls on fabs."});
        v.list("remote_access", &S::remote_access,
               {.doc = "Remote-access regime over time."});
        v.list("adaptive", &S::adaptive,
               {.doc = "Adaptive enforcement."});
        v.scalar("enforcement_scale", &S::enforcement_scale,
                 {.doc = "Multiplies every rule's enforcement.", .unit = "factor",
                  .range = Range::closed(0, 10)});
        v.scalar("design_around", &S::design_around,
                 {.doc = "Global switch for compliant variants."});
    }
};

/// Whether a calibration metric is measured at one month (`at`) rather than over a period
/// (`from`, `to`). The loader and the schema both derive a target's required keys from it.
[[nodiscard]] constexpr bool measured_at_a_month(model::CalibrationMetric m) {
    using M = model::CalibrationMetric;
    return m == M::lab_stock_units || m == M::lag_months || m == M::frontier_compute_h100e ||
           m == M::pretraining_lag_months || m == M::compute_h100e || m == M::compute_share;
}

/// Whether a calibration metric may measure the whole world (a target without `bloc`). The
/// loader and the schema both derive whether `bloc` is required from it.
[[nodiscard]] constexpr bool measures_the_world(model::CalibrationMetric m) {
    using M = model::CalibrationMetric;
    return m == M::compute_growth || m == M::compute_h100e;
}

template <>
struct Keys<model::CalibrationTarget> {
    using S = model::CalibrationTarget;
    static constexpr std::string_view title = "calibration[]";
    static constexpr std::string_view doc =
        "A published estimate the model should reproduce (see docs/calibration.md). `at` is "
        "required for lab_stock_units, lag_months, pretraining_lag_months, "
        "frontier_compute_h100e, compute_h100e and compute_share; `from` and `to` "
        "for frontier_compute_growth, share_of_new_compute, gray_units, gray_h100e, "
        "production_units and compute_growth; `skus` for lab_stock_units, "
        "which alone may name a `lab`; `bloc` for every metric but compute_growth and "
        "compute_h100e, which measure the world without it. Keys a metric does not use are "
        "rejected.";
    template <class V>
    static void visit(V& v) {
        v.scalar("name", &S::name, {.doc = "Unique target name.", .need = Need::required,
                                    .defines = Entity::calibration_target});
        v.scalar("metric", &S::metric, {.doc = "What is measured.", .need = Need::required});
        v.scalar("bloc", &S::bloc, {.doc = "The bloc measured (absent: the world, for "
                                           "compute_growth and compute_h100e only).",
                                    .refers = Entity::bloc});
        v.scalar("at", &S::at, {.doc = "Month measured (lab_stock_units, lag_months, "
                                       "pretraining_lag_months, frontier_compute_h100e, "
                                       "compute_h100e, compute_share)."});
        v.scalar("from", &S::from, {.doc = "First month of the period (frontier_compute_growth, "
                                           "share_of_new_compute, gray_units, gray_h100e, "
                                           "production_units, compute_growth)."});
        v.scalar("to", &S::to, {.doc = "Last month of the period, inclusive; not before from."});
        v.list("skus", &S::skus, {.doc = "SKUs counted (lab_stock_units; other metrics: "
                                         "empty).",
                                  .refers = Entity::sku});
        v.scalar("lab", &S::lab, {.doc = "The lab counted, a lab of the bloc (lab_stock_units; "
                                         "absent: the bloc's leading lab).",
                                  .refers = Entity::lab});
        v.interval("range", &S::low, &S::high,
                   {.doc = "The published range [low, high], low <= high, in the metric's unit.",
                    .need = Need::required});
        v.scalar("published", &S::published,
                 {.doc = "The published figure and its source, in words."});
        v.scalar("out_of_sample", &S::out_of_sample,
                 {.doc = "Whether it is reported only, not fitted to."});
        v.scalar("forecast", &S::forecast,
                 {.doc = "Whether it lies where no data exist yet: the range is a published "
                         "forecast's, and the defaults must land inside it. Not with "
                         "out_of_sample."});
    }
};

template <>
struct Keys<model::Scenario> {
    using S = model::Scenario;
    static constexpr std::string_view title = "Top level";
    static constexpr std::string_view doc = "A Polarity scenario.";
    // Sections are listed in dependency order (blocs, nations, suppliers and their SKUs, labs,
    // policy, calibration): names are defined before anything refers to them, whatever the
    // order of the keys in the file.
    template <class V>
    static void visit(V& v) {
        // The version comes first: a file written for another schema would otherwise fail on
        // whatever key changed, with a misleading message.
        v.version("schema_version", kSchemaVersion,
                  {.doc = "Version of the scenario format; this engine reads 1.",
                   .need = Need::required});
        v.scalar("name", &S::name, {.doc = "Name of the scenario.", .need = Need::non_empty});
        v.scalar("description", &S::description, {.doc = "What the scenario represents."});
        v.section("run", &S::run, {.doc = "The simulated period and the seed.",
                                   .need = Need::required});
        v.section("world", &S::world, {.doc = "Global physical and economic constants."});
        v.section("algorithms", &S::algorithms, {.doc = "Algorithmic progress."});
        v.section("paradigm", &S::paradigm, {.doc = "The RL-on-reasoning paradigm."});
        v.section("market", &S::market, {.doc = "Trade routes and demand."});
        v.list("blocs", &S::blocs,
               {.doc = "Names of the blocs.",
                .need = Need::non_empty, .defines = Entity::bloc});
        v.list("nations", &S::nations, {.doc = "The nations.",
                                        .need = Need::non_empty});
        v.list("suppliers", &S::suppliers, {.doc = "Chip suppliers."});
        v.list("labs", &S::labs, {.doc = "AI labs.", .need = Need::non_empty});
        v.section("question", &S::question,
                  {.doc = "The leader and rival blocs the outcome is about."});
        v.section("policy", &S::policy, {.doc = "The export-control regime."});
        v.list("calibration", &S::calibration,
               {.doc = "Calibration targets."});
    }
};

}  // namespace polarity::model::keys
