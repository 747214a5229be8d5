// The scenario schema: one read function per struct of polarity/model/scenario.hpp, in the same
// order as the structs. Cross references are resolved while the referring node is in hand, so
// every error points at the exact line. Sections are read in dependency order (blocs, nations,
// suppliers and their SKUs, labs, policy) whatever their order in the file.

#include "polarity/config/scenario_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unordered_map>

#include "yaml_reader.hpp"

namespace polarity::config {
namespace {

using detail::MapReader;
using detail::NameRegistry;
using detail::Range;
using detail::Value;
using namespace model;

constexpr int kSchemaVersion = 1;

// Rule destinations are plain names; these mean something besides nations and blocs, so no
// nation or bloc may take them.
const std::vector<std::string> kReservedDestinations = {"tier1", "tier2", "tier3", "all"};

std::string format_number(double x) {
    std::ostringstream s;
    s << x;
    return s.str();
}

std::string format_month(const CalendarMonth& m) {
    std::ostringstream s;
    s << m.year << '-' << (m.month < 10 ? "0" : "") << m.month;
    return s.str();
}

/// Every name defined so far, for uniqueness and reference checks.
struct Names {
    NameRegistry blocs{"bloc"};
    NameRegistry nations{"nation"};
    NameRegistry suppliers{"supplier"};
    NameRegistry skus{"SKU"};
    NameRegistry labs{"lab"};
    NameRegistry rules{"rule"};
    NameRegistry tool_controls{"tool control"};
    std::unordered_map<std::string, std::string> supplier_of_sku;
    std::unordered_map<std::string, std::string> bloc_of_nation;
};

/// A `compliant_variant_of` reference, checked once every supplier's SKUs are known.
struct PendingVariant {
    Value ref;
    std::string sku;
    std::string supplier;
};

/// A required list that must not be empty.
std::vector<Value> non_empty_list(MapReader& r, std::string_view key, const std::string& what) {
    const Value v = r.need(key);
    auto items = v.items();
    if (items.empty()) v.fail("expected at least one " + what);
    return items;
}

/// An optional `end` month, which must come after @p start.
void read_end(MapReader& r, const CalendarMonth& start, std::optional<CalendarMonth>& end) {
    if (r.optional("end", end) && end->serial() <= start.serial()) {
        r.at("end").fail("expected a month after start (" + format_month(start) + "), got " +
                         format_month(*end));
    }
}

void read_run(MapReader r, RunSettings& run) {
    run.seed = r.required<std::uint64_t>("seed");
    run.start = r.required<CalendarMonth>("start");
    r.optional("horizon_months", run.horizon_months, Range::closed(1, 1200));
    const bool window_given = r.optional("settling_window_months", run.settling_window_months,
                                         Range::closed(1, run.horizon_months));
    if (!window_given && run.settling_window_months > run.horizon_months) {
        r.at("horizon_months")
            .fail("horizon_months " + std::to_string(run.horizon_months) +
                  " is shorter than the default settling_window_months (" +
                  std::to_string(run.settling_window_months) + "); set settling_window_months");
    }
    r.finish();
}

void read_world(MapReader r, WorldSettings& w) {
    r.optional("h100_flop_per_s", w.h100_flop_per_s, Range::above(0));
    r.optional("utilization", w.utilization, Range::open_closed(0, 1));
    r.optional("depreciation_per_year", w.depreciation_per_year, Range::closed_open(0, 1));
    r.optional("interconnect_reference_gbps", w.interconnect_reference_gbps, Range::above(0));
    r.optional("interconnect_exponent", w.interconnect_exponent, Range::at_least(0));
    r.optional("memory_bandwidth_reference_tbps", w.memory_bandwidth_reference_tbps,
               Range::above(0));
    r.optional("training_run_months", w.training_run_months, Range::closed(1, 24));
    r.optional("powerful_ai_capability", w.powerful_ai_capability);
    r.optional("price_adjustment_rate", w.price_adjustment_rate, Range::at_least(0));
    r.optional("price_floor_ratio", w.price_floor_ratio, Range::open_closed(0, 1));
    r.optional("price_ceiling_ratio", w.price_ceiling_ratio, Range::at_least(1));
    r.optional("max_inventory_months", w.max_inventory_months, Range::at_least(0));
    r.optional("funding_growth_halflife_years", w.funding_growth_halflife_years, Range::at_least(0));
    r.finish();
}

void read_algorithms(MapReader r, AlgorithmSettings& a) {
    r.optional("drift_log10_per_year", a.drift_log10_per_year);
    for (const Value& item : r.list("jumps")) {
        MapReader j(item);
        Jump jump;
        j.optional("multiplier", jump.multiplier, Range::above(1));
        j.optional("per_year", jump.per_year, Range::at_least(0));
        j.finish();
        a.jumps.push_back(jump);
    }
    r.optional("research_reference_h100e", a.research_reference_h100e, Range::above(0));
    r.optional("research_elasticity", a.research_elasticity, Range::at_least(0));
    r.optional("research_factor_min", a.research_factor_min, Range::above(0));
    r.optional("research_factor_max", a.research_factor_max, Range::above(0));
    if (a.research_factor_min > a.research_factor_max) {
        r.at("research_factor_min")
            .fail("expected research_factor_min <= research_factor_max (" +
                  format_number(a.research_factor_max) + "), got " +
                  format_number(a.research_factor_min));
    }
    r.optional("diffusion_per_month", a.diffusion_per_month, Range::unit());
    r.optional("acceleration_start_capability", a.acceleration_start_capability);
    r.optional("acceleration_full_capability", a.acceleration_full_capability);
    if (a.acceleration_full_capability <= a.acceleration_start_capability) {
        r.at("acceleration_full_capability")
            .fail("expected acceleration_full_capability > acceleration_start_capability (" +
                  format_number(a.acceleration_start_capability) + "), got " +
                  format_number(a.acceleration_full_capability));
    }
    r.optional("acceleration_max_multiplier", a.acceleration_max_multiplier, Range::at_least(0));
    r.finish();
}

void read_paradigm(MapReader r, ParadigmSettings& p) {
    r.optional("enabled", p.enabled);
    r.optional("start", p.start);
    r.optional("max_gain", p.max_gain, Range::at_least(0));
    r.optional("saturation_flop", p.saturation_flop, Range::above(0));
    r.optional("rl_share_of_training", p.rl_share_of_training, Range::unit());
    r.finish();
}

void read_market(MapReader r, MarketSettings& m) {
    r.optional("gray_premium", m.gray_premium, Range::at_least(0));
    r.optional("gray_premium_per_enforcement", m.gray_premium_per_enforcement,
               Range::at_least(0));
    r.optional("gray_detection_scale_units", m.gray_detection_scale_units, Range::above(0));
    r.optional("remote_markup", m.remote_markup, Range::at_least(0));
    r.optional("revenue_per_serving_h100e_usd", m.revenue_per_serving_h100e_usd,
               Range::at_least(0));
    r.optional("quality_gap_scale", m.quality_gap_scale, Range::above(0));
    r.optional("rationing_step", m.rationing_step, Range::at_least(0));
    r.optional("training_weight", m.training_weight, Range::unit());
    r.finish();
}

void reject_reserved(const Value& name_value, const std::string& name, const char* kind) {
    if (std::find(kReservedDestinations.begin(), kReservedDestinations.end(), name) !=
        kReservedDestinations.end()) {
        name_value.fail(std::string("'") + name + "' is reserved for rule destinations; choose "
                        "another " + kind + " name");
    }
}

std::string read_bloc(const Value& item, Names& names) {
    auto name = names.blocs.add(item);
    reject_reserved(item, name, "bloc");
    return name;
}

Nation read_nation(MapReader r, Names& names) {
    Nation n;
    const Value name_value = r.need("name");
    n.name = names.nations.add(name_value);
    reject_reserved(name_value, n.name, "nation");
    if (names.blocs.contains(n.name)) {
        name_value.fail("nation name '" + n.name + "' is also a bloc name; rule destinations "
                        "refer to both by name, so they must differ");
    }
    n.bloc = names.blocs.resolve(r.need("bloc"));
    names.bloc_of_nation[n.name] = n.bloc;
    r.optional("tier", n.tier, Range::closed(1, 3));
    r.optional("gdp_usd", n.gdp_usd, Range::at_least(0));
    r.optional("state_ai_funding_usd_per_month", n.state_ai_funding_usd_per_month,
               Range::at_least(0));
    r.optional("enforcement_capacity", n.enforcement_capacity, Range::unit());
    r.optional("hub_capacity_units_per_month", n.hub_capacity_units_per_month,
               Range::at_least(0));
    r.optional("subsidy_growth_per_year", n.subsidy_growth_per_year, Range::at_least(0));
    r.optional("military_compute_share", n.military_compute_share, Range::closed_open(0, 1));
    r.finish();
    return n;
}

ChipSku read_sku(MapReader r, const std::string& supplier, Names& names,
                 std::vector<PendingVariant>& variants) {
    ChipSku k;
    k.name = names.skus.add(r.need("name"));
    names.supplier_of_sku[k.name] = supplier;
    k.release = r.required<CalendarMonth>("release");
    if (r.optional("discontinued", k.discontinued) &&
        k.discontinued->serial() <= k.release.serial()) {
        r.at("discontinued").fail("expected a month after release (" + format_month(k.release) +
                                  "), got " + format_month(*k.discontinued));
    }
    r.optional("flop_per_s", k.flop_per_s, Range::above(0));
    r.optional("tpp", k.tpp, Range::at_least(0));
    r.optional("performance_density", k.performance_density, Range::at_least(0));
    r.optional("interconnect_gbps", k.interconnect_gbps, Range::above(0));
    r.optional("memory_bandwidth_tbps", k.memory_bandwidth_tbps, Range::above(0));
    r.optional("price_usd", k.price_usd, Range::above(0));
    r.optional("production_weight", k.production_weight, Range::at_least(0));
    if (const auto parent = r.find("compliant_variant_of")) {
        k.compliant_variant_of = parent->as<std::string>();
        variants.push_back({*parent, k.name, supplier});
    }
    r.finish();
    return k;
}

Supplier read_supplier(MapReader r, Names& names, std::vector<PendingVariant>& variants) {
    Supplier s;
    s.name = names.suppliers.add(r.need("name"));
    s.nation = names.nations.resolve(r.need("nation"));
    for (const Value& item : r.list("uses_technology_of")) {
        s.uses_technology_of.push_back(names.nations.resolve(item));
    }
    r.optional("capacity_units_per_month", s.capacity_units_per_month, Range::at_least(0));
    // Growth rates may be negative, but not -100 %/yr or worse.
    r.optional("capacity_growth_per_year", s.capacity_growth_per_year, Range::above(-1));
    r.optional("yield", s.yield, Range::open_closed(0, 1));
    if (r.optional("hbm_units_per_month", s.hbm_units_per_month) && s.hbm_units_per_month < 0 &&
        s.hbm_units_per_month != -1) {
        r.at("hbm_units_per_month")
            .fail("expected -1 (unlimited) or a number >= 0, got " +
                  format_number(s.hbm_units_per_month));
    }
    r.optional("hbm_growth_per_year", s.hbm_growth_per_year, Range::above(-1));
    r.optional("die_bank_units", s.die_bank_units, Range::at_least(0));
    r.optional("die_bank_draw_per_month", s.die_bank_draw_per_month, Range::at_least(0));
    r.optional("design_around", s.design_around);
    r.optional("design_around_lag_months", s.design_around_lag_months, Range::at_least(0));
    for (const Value& item : r.list("skus")) {
        s.skus.push_back(read_sku(MapReader(item), s.name, names, variants));
    }
    r.finish();
    return s;
}

void check_variant(const PendingVariant& v, const Names& names) {
    const std::string parent = names.skus.resolve(v.ref);
    if (parent == v.sku) v.ref.fail("expected a different SKU; '" + parent + "' is this SKU");
    const std::string& owner = names.supplier_of_sku.at(parent);
    if (owner != v.supplier) {
        v.ref.fail("expected a SKU of supplier '" + v.supplier + "'; '" + parent +
                   "' belongs to '" + owner + "'");
    }
}

Lab read_lab(MapReader r, Names& names) {
    Lab lab;
    lab.name = names.labs.add(r.need("name"));
    lab.nation = names.nations.resolve(r.need("nation"));
    std::unordered_map<std::string, int> stock_lines;
    for (const Value& item : r.list("stock")) {
        MapReader h(item);
        Holding holding;
        const Value sku = h.need("sku");
        holding.sku = names.skus.resolve(sku);
        if (const auto [it, fresh] = stock_lines.emplace(holding.sku, sku.line()); !fresh) {
            sku.fail("duplicate stock entry for SKU '" + holding.sku + "' (first at line " +
                     std::to_string(it->second) + ")");
        }
        h.optional("units", holding.units, Range::at_least(0));
        h.finish();
        lab.stock.push_back(holding);
    }
    r.optional("funding_usd_per_month", lab.funding_usd_per_month, Range::at_least(0));
    r.optional("funding_growth_per_year", lab.funding_growth_per_year, Range::above(-1));
    r.optional("cash_usd", lab.cash_usd, Range::at_least(0));
    r.optional("capex_share", lab.capex_share, Range::unit());
    r.optional("reinvest_share", lab.reinvest_share, Range::unit());
    r.optional("algorithmic_efficiency_log10", lab.algorithmic_efficiency_log10);
    r.optional("risk_appetite", lab.risk_appetite, Range::unit());
    r.optional("frontier", lab.frontier);
    r.optional("training_share", lab.training_share, Range::unit());
    r.optional("research_share", lab.research_share, Range::unit());
    // A small tolerance so that shares written as decimals (0.7 + 0.3) still sum to 1.
    if (lab.training_share + lab.research_share > 1 + 1e-9) {
        r.at("research_share")
            .fail("expected training_share + research_share <= 1, got " +
                  format_number(lab.training_share) + " + " + format_number(lab.research_share));
    }
    for (const Value& item : r.list("markets")) lab.markets.push_back(names.blocs.resolve(item));
    if (lab.markets.empty()) lab.markets.push_back(names.bloc_of_nation.at(lab.nation));
    r.finish();
    return lab;
}

std::string read_destination(const Value& v, const Names& names) {
    auto name = v.as<std::string>();
    const auto& reserved = kReservedDestinations;
    if (names.nations.contains(name) || names.blocs.contains(name) ||
        std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
        return name;
    }
    std::vector<std::string> candidates = names.nations.names();
    candidates.insert(candidates.end(), names.blocs.names().begin(), names.blocs.names().end());
    candidates.insert(candidates.end(), reserved.begin(), reserved.end());
    v.fail(detail::not_found_message(name, "nation, bloc, tier1/tier2/tier3 or all", candidates));
}

ChipCriteria read_chips(const Value& v, const Names& names) {
    MapReader r(v);
    ChipCriteria c;
    for (const Value& item : r.list("skus")) c.skus.push_back(names.skus.resolve(item));
    r.optional("tpp_at_least", c.tpp_at_least, Range::at_least(0));
    r.optional("interconnect_at_least_gbps", c.interconnect_at_least_gbps, Range::at_least(0));
    r.optional("density_tpp_at_least", c.density_tpp_at_least, Range::at_least(0));
    r.optional("performance_density_at_least", c.performance_density_at_least,
               Range::at_least(0));
    r.finish();
    // A rule covering no chips is always a mistake (allow rules included: an allow with no
    // chips would silently do nothing).
    if (c.skus.empty() && !c.tpp_at_least && !c.interconnect_at_least_gbps &&
        !c.density_tpp_at_least && !c.performance_density_at_least) {
        v.fail("expected at least one of skus, tpp_at_least, interconnect_at_least_gbps, "
               "density_tpp_at_least, performance_density_at_least");
    }
    return c;
}

ExportRule read_rule(MapReader r, Names& names) {
    ExportRule rule;
    rule.name = names.rules.add(r.need("name"));
    rule.start = r.required<CalendarMonth>("start");
    read_end(r, rule.start, rule.end);
    rule.jurisdiction = names.nations.resolve(r.need("jurisdiction"));
    r.optional("foreign_direct_product", rule.foreign_direct_product);
    for (const Value& item : non_empty_list(r, "destinations", "destination")) {
        rule.destinations.push_back(read_destination(item, names));
    }
    rule.chips = read_chips(r.need("chips"), names);
    rule.action = r.need("action").as_choice<RuleAction>(
        {{"deny", RuleAction::deny},
         {"license", RuleAction::license},
         {"allow", RuleAction::allow}});
    r.optional("quota_units_per_month", rule.quota_units_per_month, Range::at_least(0));
    r.optional("approval_rate", rule.approval_rate, Range::unit());
    r.optional("revenue_share", rule.revenue_share, Range::unit());
    r.optional("enforcement", rule.enforcement, Range::unit());
    r.finish();
    return rule;
}

ToolControl read_tool_control(MapReader r, Names& names) {
    ToolControl t;
    t.name = names.tool_controls.add(r.need("name"));
    t.start = r.required<CalendarMonth>("start");
    read_end(r, t.start, t.end);
    for (const Value& item : non_empty_list(r, "targets", "target nation")) {
        t.targets.push_back(names.nations.resolve(item));
    }
    r.optional("capacity_growth_factor", t.capacity_growth_factor, Range::unit());
    r.optional("yield_factor", t.yield_factor, Range::open_closed(0, 1));
    r.finish();
    return t;
}

RemoteAccessSwitch read_remote_access(MapReader r) {
    RemoteAccessSwitch s;
    s.start = r.required<CalendarMonth>("start");
    r.optional("open", s.open);
    r.optional("capacity_units_per_month", s.capacity_units_per_month, Range::at_least(0));
    r.finish();
    return s;
}

AdaptiveRule read_adaptive(MapReader r, const Names& names) {
    AdaptiveRule a;
    a.controller = names.nations.resolve(r.need("controller"));
    a.rival_bloc = names.blocs.resolve(r.need("rival_bloc"));
    r.optional("tighten_below_lag_months", a.tighten_below_lag_months, Range::at_least(0));
    r.optional("loosen_above_lag_months", a.loosen_above_lag_months, Range::at_least(0));
    if (a.loosen_above_lag_months < a.tighten_below_lag_months) {
        r.at("loosen_above_lag_months")
            .fail("expected loosen_above_lag_months >= tighten_below_lag_months (" +
                  format_number(a.tighten_below_lag_months) + "), got " +
                  format_number(a.loosen_above_lag_months));
    }
    r.optional("step", a.step, Range::unit());
    r.finish();
    return a;
}

void read_policy(MapReader r, Names& names, Policy& p) {
    for (const Value& item : r.list("rules")) p.rules.push_back(read_rule(MapReader(item), names));
    for (const Value& item : r.list("tool_controls")) {
        p.tool_controls.push_back(read_tool_control(MapReader(item), names));
    }
    for (const Value& item : r.list("remote_access")) {
        p.remote_access.push_back(read_remote_access(MapReader(item)));
    }
    for (const Value& item : r.list("adaptive")) {
        p.adaptive.push_back(read_adaptive(MapReader(item), names));
    }
    r.optional("enforcement_scale", p.enforcement_scale, Range::closed(0, 10));
    r.optional("design_around", p.design_around);
    r.finish();
}

Scenario read_scenario(const Value& root) {
    MapReader top(root);
    Scenario s;
    // The version comes first: a file written for another schema would otherwise fail on
    // whatever key changed, with a misleading message.
    const Value version = top.need("schema_version");
    if (version.as<int>() != kSchemaVersion) {
        version.fail("expected " + std::to_string(kSchemaVersion) + " (the only schema version "
                     "this engine reads), got " + version.node().Scalar());
    }
    const Value name = top.need("name");
    s.name = name.as<std::string>();
    if (s.name.empty()) name.fail("expected a non-empty scenario name");
    top.optional("description", s.description);
    read_run(MapReader(top.need("run")), s.run);
    read_world(top.section("world"), s.world);
    read_algorithms(top.section("algorithms"), s.algorithms);
    read_paradigm(top.section("paradigm"), s.paradigm);
    read_market(top.section("market"), s.market);

    Names names;
    for (const Value& item : non_empty_list(top, "blocs", "bloc")) {
        s.blocs.push_back(read_bloc(item, names));
    }
    for (const Value& item : non_empty_list(top, "nations", "nation")) {
        s.nations.push_back(read_nation(MapReader(item), names));
    }
    std::vector<PendingVariant> variants;
    for (const Value& item : top.list("suppliers")) {
        s.suppliers.push_back(read_supplier(MapReader(item), names, variants));
    }
    for (const auto& v : variants) check_variant(v, names);
    for (const Value& item : non_empty_list(top, "labs", "lab")) {
        s.labs.push_back(read_lab(MapReader(item), names));
    }
    read_policy(top.section("policy"), names, s.policy);
    top.finish();
    return s;
}

}  // namespace

Scenario load_scenario_text(const std::string& yaml_text, const std::string& file_label) {
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(yaml_text);
    } catch (const YAML::Exception& e) {
        throw detail::make_error(file_label, e.mark, "", "invalid YAML: " + e.msg);
    }
    if (documents.empty()) {
        throw detail::make_error(file_label, YAML::Mark(), "",
                                 "expected a scenario map, got an empty document");
    }
    if (documents.size() > 1) {
        throw detail::make_error(file_label, documents[1].Mark(), "",
                                 "expected a single YAML document, got " +
                                     std::to_string(documents.size()));
    }
    const YAML::Node& root = documents.front();
    try {
        Scenario s = read_scenario(
            Value(root, "", file_label, root.Mark().is_null() ? YAML::Mark() : root.Mark()));
        s.source_text = yaml_text;
        return s;
    } catch (const YAML::Exception& e) {
        // The readers avoid every yaml-cpp call that throws; this is a safety net so that
        // callers only ever see ConfigError.
        throw detail::make_error(file_label, e.mark, "", e.msg);
    }
}

Scenario load_scenario_file(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        const std::string reason = std::filesystem::exists(path, ec) ? "not a regular file"
                                                                      : "no such file";
        throw ConfigError(path, 0, 0, "", "cannot read scenario file: " + reason);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(path, 0, 0, "", std::string("cannot read scenario file: ") +
                                              std::strerror(errno));
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw ConfigError(path, 0, 0, "", "cannot read scenario file: read failed");
    Scenario s = load_scenario_text(text, path);
    s.source_path = path;
    return s;
}

}  // namespace polarity::config
