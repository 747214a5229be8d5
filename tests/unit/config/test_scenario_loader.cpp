// Tests of the YAML scenario loader: one valid scenario read field by field, and a table of
// malformed fixtures in tests/data/bad/, each pinned to its file:line:col, key path and message.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "polarity/config/scenario_loader.hpp"

namespace {

using polarity::ConfigError;
using polarity::config::load_scenario_file;
using polarity::config::load_scenario_text;
using polarity::model::CalendarMonth;
using polarity::model::RuleAction;

const std::string kData = POLARITY_TEST_DATA;

/// The smallest valid scenario; inline tests append or substitute single lines.
const std::string kTiny = R"(schema_version: 1
name: tiny
run:
  seed: 7
  start: 2023-01
blocs: [west, east]
nations:
  - {name: usa, bloc: west}
  - {name: prc, bloc: east}
labs:
  - {name: lab_a, nation: usa}
  - {name: lab_b, nation: prc}
)";

/// The ConfigError thrown by loading @p text (fails the test if none is thrown).
ConfigError error_of_text(const std::string& text) {
    try {
        (void)load_scenario_text(text, "inline.yaml");
    } catch (const ConfigError& e) {
        return e;
    }
    FAIL("expected a ConfigError");
    throw std::logic_error("unreachable");
}

struct BadCase {
    const char* file;
    int line;
    int column;
    const char* key_path;
    const char* fragment;
};

// Every fixture in tests/data/bad/ with the error it must produce. Line and column are
// 1-based and point at the offending value (or key, for unknown/duplicate keys; or the
// enclosing map, for missing keys).
const std::vector<BadCase> kBadCases = {
    // File level: YAML syntax (the parser's own mark), empty and multi-document files.
    {"bad_syntax_unclosed_flow.yaml", 6, 8, "",
     "invalid YAML: end of sequence flow not found"},
    {"bad_syntax_tab_indent.yaml", 6, 1, "",
     "invalid YAML: illegal tab when looking for indentation"},
    {"bad_empty.yaml", 1, 1, "",
     "expected a scenario map, got an empty document"},
    {"bad_two_documents.yaml", 11, 1, "",
     "expected a single YAML document, got 2"},
    // Schema version.
    {"bad_schema_version_wrong.yaml", 2, 17, "schema_version",
     "expected 1 (the only schema version this engine reads), got 2"},
    {"bad_schema_version_missing.yaml", 2, 1, "schema_version",
     "missing required key 'schema_version'"},
    // Keys: unknown (with and without a suggestion), duplicate, missing.
    {"bad_unknown_key_suggestion.yaml", 7, 3, "run.horizon_month",
     "unknown key 'horizon_month'; did you mean 'horizon_months'?"},
    {"bad_unknown_top_key.yaml", 10, 1, "polcy",
     "unknown key 'polcy'; did you mean 'policy'?"},
    {"bad_unknown_key_no_suggestion.yaml", 11, 5, "labs[0].headcount",
     "unknown key 'headcount' (expected one of: name, nation, stock,"},
    {"bad_duplicate_key.yaml", 7, 3, "run.seed",
     "duplicate key 'seed' (first defined at line 5)"},
    {"bad_missing_seed.yaml", 5, 3, "run.seed",
     "missing required key 'seed'"},
    {"bad_missing_nation_bloc.yaml", 9, 5, "nations[1].bloc",
     "missing required key 'bloc'"},
    {"bad_rule_missing_destinations.yaml", 16, 7, "policy.rules[0].destinations",
     "missing required key 'destinations' (is 'destination' a misspelling"},
    // Node kinds.
    {"bad_wrong_kind_map.yaml", 5, 8, "world",
     "expected a map, got '5'"},
    {"bad_wrong_kind_list.yaml", 5, 8, "blocs",
     "expected a list, got 'west'"},
    {"bad_wrong_kind_scalar.yaml", 8, 11, "nations[0].bloc",
     "expected a string, got a list"},
    // Conversions and non-finite numbers.
    {"bad_not_a_number.yaml", 7, 19, "run.horizon_months",
     "expected an integer, got 'ten'"},
    {"bad_int_fraction.yaml", 7, 35, "nations[0].tier",
     "expected an integer, got '1.5'"},
    {"bad_seed_negative.yaml", 4, 13, "run.seed",
     "expected a non-negative integer, got -1"},
    {"bad_bool.yaml", 11, 18, "policy.design_around",
     "expected true or false, got 'maybe'"},
    {"bad_nan.yaml", 6, 16, "world.utilization",
     "expected a finite number, got .nan"},
    {"bad_inf.yaml", 14, 20, "suppliers[0].skus[0].price_usd",
     "expected a finite number, got .inf"},
    // Ranges: each kind of interval, and the cross-field ones.
    {"bad_range_unit.yaml", 11, 20, "labs[0].risk_appetite",
     "expected a number in [0, 1], got 1.5"},
    {"bad_range_open_closed.yaml", 6, 16, "world.utilization",
     "expected a number in (0, 1], got 0"},
    {"bad_range_closed_open.yaml", 6, 26, "world.depreciation_per_year",
     "expected a number in [0, 1), got 1"},
    {"bad_range_negative.yaml", 11, 31, "suppliers[0].capacity_units_per_month",
     "expected a number in [0, 1e+10], got -5"},
    {"bad_range_positive.yaml", 12, 52, "suppliers[0].skus[0].flop_per_s",
     "expected a number > 0, got 0"},
    {"bad_horizon.yaml", 7, 19, "run.horizon_months",
     "expected an integer in [1, 1200], got 1201"},
    {"bad_training_run_months.yaml", 5, 30, "world.training_run_months",
     "expected an integer in [1, 24], got 30"},
    {"bad_tier.yaml", 9, 11, "nations[0].tier",
     "expected an integer in [1, 3], got 4"},
    {"bad_jump_multiplier.yaml", 8, 20, "algorithms.jumps[1].multiplier",
     "expected a number > 1, got 1.0"},
    {"bad_price_ratio.yaml", 7, 24, "world.price_ceiling_ratio",
     "expected a number >= 1, got 0.8"},
    {"bad_hbm.yaml", 11, 27, "suppliers[0].hbm_stacks_per_month",
     "expected -1 (unlimited) or a number in [0, 1e+10], got -2"},
    {"bad_enforcement_scale.yaml", 11, 22, "policy.enforcement_scale",
     "expected a number in [0, 10], got 11"},
    {"bad_yield_factor.yaml", 16, 21, "policy.tool_controls[0].yield_factor",
     "expected a number in (0, 1], got 0"},
    {"bad_share_sum.yaml", 12, 21, "labs[0].research_share",
     "expected training_share + research_share <= 1, got 0.7 + 0.5"},
    {"bad_research_factor.yaml", 6, 24, "algorithms.research_factor_min",
     "expected research_factor_min <= research_factor_max (4), got 5"},
    {"bad_acceleration.yaml", 7, 33, "algorithms.acceleration_full_capability",
     "expected acceleration_full_capability > acceleration_start_capability (29), got 28"},
    // Dates and enumerations.
    {"bad_date_month.yaml", 6, 10, "run.start",
     "expected a date \"YYYY-MM\" with month 01-12, got '2023-13'"},
    {"bad_date_format.yaml", 13, 18, "suppliers[0].skus[0].release",
     "expected a date \"YYYY-MM\" with month 01-12, got 'Sep 2022'"},
    {"bad_rule_end_before_start.yaml", 15, 12, "policy.rules[0].end",
     "expected a month after start (2023-10), got 2023-10"},
    {"bad_rule_action.yaml", 18, 15, "policy.rules[0].action",
     "expected one of deny, license, allow, got 'ban'"},
    {"bad_market_clearing.yaml", 6, 13, "market.clearing",
     "expected one of priority, min_cost_flow, got 'auction'"},
    {"bad_rule_no_chips.yaml", 17, 14, "policy.rules[0].chips",
     "expected at least one of skus, tpp_at_least,"},
    // Uniqueness and name clashes.
    {"bad_duplicate_bloc.yaml", 5, 21, "blocs[2]",
     "duplicate bloc name 'west' (first defined at line 5)"},
    {"bad_duplicate_nation.yaml", 9, 12, "nations[2].name",
     "duplicate nation name 'usa' (first defined at line 7)"},
    {"bad_duplicate_sku.yaml", 17, 16, "suppliers[1].skus[0].name",
     "duplicate SKU name 'h100' (first defined at line 13)"},
    {"bad_duplicate_lab.yaml", 10, 12, "labs[1].name",
     "duplicate lab name 'lab_a' (first defined at line 9)"},
    {"bad_duplicate_rule.yaml", 15, 14, "policy.rules[1].name",
     "duplicate rule name 'r1' (first defined at line 13)"},
    {"bad_name_clash.yaml", 8, 12, "nations[1].name",
     "nation name 'china' is also a bloc name"},
    {"bad_reserved_name.yaml", 5, 15, "blocs[1]",
     "'tier2' is reserved for rule destinations"},
    // Dangling references.
    {"bad_ref_nation_bloc.yaml", 8, 23, "nations[1].bloc",
     "'chnia' is not a bloc; did you mean 'china'?"},
    {"bad_ref_supplier_nation.yaml", 10, 13, "suppliers[0].nation",
     "'taiwan' is not a nation (expected one of: usa)"},
    {"bad_ref_uses_technology.yaml", 12, 31, "suppliers[0].uses_technology_of[1]",
     "'netherlands' is not a nation (expected one of: usa, prc)"},
    {"bad_ref_lab_nation.yaml", 13, 13, "labs[2].nation",
     "'france' is not a nation (expected one of: usa, prc)"},
    {"bad_ref_lab_market.yaml", 12, 21, "labs[0].markets[1]",
     "'prc' is not a bloc (expected one of: west, east)"},
    {"bad_ref_stock_sku.yaml", 18, 15, "labs[0].stock[1].sku",
     "'h200' is not a SKU; did you mean 'h100'?"},
    {"bad_ref_rule_jurisdiction.yaml", 15, 21, "policy.rules[0].jurisdiction",
     "'us' is not a nation; did you mean 'usa'?"},
    {"bad_ref_rule_destination.yaml", 16, 28, "policy.rules[0].destinations[1]",
     "'tier4' is not a nation, bloc, tier1/tier2/tier3 or all; did you mean 'tier1'?"},
    {"bad_ref_rule_chip_sku.yaml", 23, 22, "policy.rules[0].chips.skus[1]",
     "'h800' is not a SKU; did you mean 'h100'?"},
    {"bad_ref_tool_target.yaml", 15, 22, "policy.tool_controls[0].targets[1]",
     "'russia' is not a nation (expected one of: usa, prc)"},
    {"bad_ref_adaptive_controller.yaml", 13, 19, "policy.adaptive[0].controller",
     "'west' is not a nation (expected one of: usa, prc)"},
    {"bad_ref_adaptive_rival.yaml", 13, 37, "policy.adaptive[0].rival_bloc",
     "'prc' is not a bloc (expected one of: west, east)"},
    {"bad_variant_unknown.yaml", 13, 61, "suppliers[0].skus[1].compliant_variant_of",
     "'h10' is not a SKU; did you mean 'h100'?"},
    {"bad_variant_other_supplier.yaml", 19, 31, "suppliers[1].skus[0].compliant_variant_of",
     "expected a SKU of supplier 'huawei'; 'h100' belongs to 'nvidia'"},
    {"bad_variant_self.yaml", 12, 61, "suppliers[0].skus[0].compliant_variant_of",
     "expected a different SKU; 'h20' is this SKU"},
    // At least one of each.
    {"bad_no_nations.yaml", 6, 1, "nations",
     "expected at least one nation"},
    {"bad_no_labs.yaml", 8, 7, "labs",
     "expected at least one lab"},
    // Calibration targets: keys, the keys each metric needs or forbids, ranges, references.
    {"bad_calibration_metric.yaml", 19, 13, "calibration[0].metric",
     "expected one of frontier_compute_growth, lab_stock_units, lag_months, "
     "share_of_new_compute, frontier_compute_h100e, pretraining_lag_months, gray_units, production_units, "
     "compute_growth, compute_h100e, compute_share, gray_h100e, got 'lag'"},
    {"bad_calibration_missing_bloc.yaml", 18, 5, "calibration[0].bloc",
     "missing required key 'bloc' for metric lag_months"},
    {"bad_calibration_forecast_out_of_sample.yaml", 22, 15, "calibration[0].forecast",
     "expected forecast or out_of_sample, not both: a forecast has no data yet, an out-of-sample "
     "target has data the fit did not use"},
    {"bad_calibration_missing_at.yaml", 18, 5, "calibration[0].at",
     "missing required key 'at' for metric lag_months"},
    {"bad_calibration_from_for_point.yaml", 22, 11, "calibration[0].from",
     "'from' does not apply to metric lag_months"},
    {"bad_calibration_to_before_from.yaml", 22, 9, "calibration[0].to",
     "expected a month not before from (2024-06), got 2024-01"},
    {"bad_calibration_range_order.yaml", 22, 12, "calibration[0].range",
     "expected low <= high, got [12, 5]"},
    {"bad_calibration_range_length.yaml", 22, 12, "calibration[0].range",
     "expected two numbers [low, high], got a list of 1"},
    {"bad_calibration_missing_range.yaml", 18, 5, "calibration[0].range",
     "missing required key 'range'"},
    {"bad_calibration_bloc.yaml", 20, 11, "calibration[0].bloc",
     "'eats' is not a bloc; did you mean 'east'?"},
    {"bad_calibration_missing_skus.yaml", 18, 5, "calibration[0].skus",
     "missing required key 'skus' for metric lab_stock_units"},
    {"bad_calibration_empty_skus.yaml", 22, 11, "calibration[0].skus",
     "expected at least one SKU"},
    {"bad_calibration_sku_unknown.yaml", 22, 18, "calibration[0].skus[1]",
     "'h800' is not a SKU; did you mean 'h100'?"},
    {"bad_calibration_skus_for_lag.yaml", 22, 11, "calibration[0].skus",
     "'skus' does not apply to metric lag_months"},
    {"bad_calibration_lab_other_bloc.yaml", 21, 10, "calibration[0].lab",
     "expected a lab of bloc 'east'; 'lab_a' is in 'west'"},
    {"bad_calibration_duplicate_name.yaml", 19, 12, "calibration[1].name",
     "duplicate calibration target name 't' (first defined at line 18)"},
};

// Hostile and careless input (issue 13): each class of input that once crashed, hung, ate
// memory or was accepted as nonsense, now a located error. Same columns as kBadCases.
const std::vector<BadCase> kHostileCases = {
    {"hostile_alias_enclosing.yaml", 6, 10, "run",
     "alias *r refers to a node that contains it, which would never end"},
    {"hostile_alias_fanout.yaml", 5, 2500, "x1",
     "aliases expand the document past 500000 nodes (the limit)"},
    {"hostile_alias_in_sequence.yaml", 5, 12, "blocs[0]",
     "alias *b refers to a node that contains it, which would never end"},
    {"hostile_alias_self.yaml", 3, 11, "name",
     "alias *a refers to a node that contains it, which would never end"},
    {"hostile_alias_undefined.yaml", 3, 7, "",
     "invalid YAML: the referenced anchor is not defined"},
    {"hostile_billion_laughs.yaml", 9, 25, "l5",
     "aliases expand the document past 500000 nodes (the limit)"},
    {"hostile_binary.yaml", 1, 1, "",
     "expected text, got the control character byte 0x1f"},
    {"hostile_capacity_9e18.yaml", 11, 31, "suppliers[0].capacity_units_per_month",
     "expected a number in [0, 1e+10], got 9e18"},
    {"hostile_cash_huge.yaml", 12, 42, "labs[0].cash_usd",
     "expected a number in [0, 1e+15], got 1e16"},
    {"hostile_chips_past_int64.yaml", 11, 31, "suppliers[0].capacity_units_per_month",
     "expected a number in [0, 1e+10], got 1e19"},
    {"hostile_comma_after_document.yaml", 1, 7, "",
     "invalid YAML: unexpected ','"},
    {"hostile_comma_value.yaml", 4, 7, "run.seed",
     "expected a non-negative integer, got nothing"},
    {"hostile_complex_key.yaml", 3, 1, "",
     "expected a plain key, got a list"},
    {"hostile_control_bytes.yaml", 2, 9, "",
     "expected text, got the control character byte 0x01"},
    {"hostile_date_1900.yaml", 4, 23, "run.start",
     "expected a year from 1970 to 2200, got '1900-01'"},
    {"hostile_date_far_future.yaml", 4, 23, "run.start",
     "expected a year from 1970 to 2200, got '9999-12'"},
    {"hostile_deep_block.yaml", 35, 65, 
     "k0.k1.k2.k3.k4.k5.k6.k7.k8.k9.k10.k11.k12.k13.k14.k15."
     "k16.k17.k18.k19.k20.k21.k22.k23.k24.k25.k26.k27.k28.k29.k30",
     "lists and maps nest deeper than 32 levels (the limit)"},
    {"hostile_deep_flow.yaml", 3, 38, 
     "name[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
     "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
     "lists and maps nest deeper than 32 levels (the limit)"},
    {"hostile_double_overflow.yaml", 11, 31, "suppliers[0].capacity_units_per_month",
     "expected a number within double precision range, got 1e999"},
    {"hostile_duplicate_in_flow.yaml", 4, 16, "run.seed",
     "duplicate key 'seed' (first defined at line 4)"},
    {"hostile_escape_sequence.yaml", 2, 3, "",
     "expected text, got the control character byte 0x1b"},
    {"hostile_funding_1e300.yaml", 12, 55, "labs[0].funding_usd_per_month",
     "expected a number in [0, 1e+15], got 1e300"},
    {"hostile_growth_huge.yaml", 11, 31, "suppliers[0].capacity_growth_per_year",
     "expected a number in (-1, 10], got 1e300"},
    {"hostile_hbm_huge.yaml", 11, 27, "suppliers[0].hbm_stacks_per_month",
     "expected -1 (unlimited) or a number in [0, 1e+10], got 1e30"},
    {"hostile_int_overflow.yaml", 4, 13, "run.seed",
     "expected a non-negative integer in range, got 123456789012345678901234"},
    {"hostile_latin1_name.yaml", 2, 10, "",
     "expected UTF-8 text, got byte 0xe9 (save the file as UTF-8)"},
    {"hostile_leading_comma.yaml", 1, 1, "",
     "invalid YAML: unexpected ','"},
    {"hostile_long_list.yaml", 4, 300009, "blocs",
     "the list has more than 100000 items (the limit)"},
    {"hostile_nul_byte.yaml", 2, 11, "",
     "expected text, got the control character byte 0x00"},
    {"hostile_null_key.yaml", 3, 1, "",
     "expected a plain key, got nothing (a null key)"},
    {"hostile_only_commas.yaml", 1, 1, "",
     "invalid YAML: unexpected ','"},
    {"hostile_overlong_utf8.yaml", 2, 8, "",
     "expected UTF-8 text, got byte 0xc0 (save the file as UTF-8)"},
    {"hostile_price_huge.yaml", 12, 51, "suppliers[0].skus[0].price_usd",
     "expected a number in (0, 1e+15], got 1e20"},
    {"hostile_rule_1900.yaml", 19, 14, "policy.rules[0].start",
     "expected a year from 1970 to 2200, got '1900-01'"},
    {"rule_after_horizon.yaml", 19, 14, "policy.rules[0].start",
     "expected a month within the run (its last month is 2030-12), got 2035-01: the rule would never come into force"},
    {"hostile_stock_huge.yaml", 17, 28, "labs[0].stock[0].units",
     "expected a number in [0, 1e+10], got 1e12"},
    {"hostile_surrogate_utf8.yaml", 2, 8, "",
     "expected UTF-8 text, got byte 0xed (save the file as UTF-8)"},
    {"hostile_truncated_utf8.yaml", 2, 8, "",
     "expected UTF-8 text, got byte 0xe2 (save the file as UTF-8)"},
    {"hostile_utf16.yaml", 1, 1, "",
     "expected UTF-8 text, got byte 0xff (save the file as UTF-8)"},
    {"hostile_wide_map.yaml", 4, 2203, "world",
     "the map has more than 256 keys (the limit)"},
};

}  // namespace

TEST_CASE("minimal.yaml loads with its values and the defaults of omitted keys", "[config]") {
    const std::string path = kData + "/minimal.yaml";
    const auto s = load_scenario_file(path);

    CHECK(s.name == "minimal");
    CHECK(s.description == "Three blocs, four nations, two suppliers, three labs.");
    CHECK(s.source_path == path);
    CHECK_THAT(s.source_text, Catch::StartsWith("# A small but complete scenario"));

    SECTION("run") {
        CHECK(s.run.seed == 42);
        CHECK(s.run.start == CalendarMonth{2023, 1});
        CHECK(s.run.horizon_months == 36);
        CHECK(s.run.run_index == 0);
    }
    SECTION("global settings: given values and defaults") {
        CHECK(s.world.utilization == Approx(0.35));
        CHECK(s.world.training_run_months == 3);
        CHECK(s.world.depreciation_per_year == Approx(0.2));  // default
        CHECK(s.world.h100_flop_per_s == Approx(989.4e12));   // default
        REQUIRE(s.algorithms.jumps.size() == 2);
        CHECK(s.algorithms.jumps[0].multiplier == Approx(1.5));
        CHECK(s.algorithms.jumps[0].per_year == Approx(0.5));
        CHECK(s.algorithms.jumps[1].multiplier == Approx(3.0));
        CHECK(s.algorithms.jumps[1].per_year == Approx(3.0));  // default
        CHECK(s.algorithms.drift_log10_per_year == Approx(0.05));
        CHECK(s.algorithms.research_factor_max == Approx(4.0));  // default
        CHECK(s.paradigm.enabled);
        CHECK(s.paradigm.start == CalendarMonth{2024, 9});
        CHECK(s.paradigm.max_gain == Approx(0.5));
        CHECK(s.market.gray_premium == Approx(0.4));
        CHECK(s.market.remote_markup == Approx(0.3));  // default
    }
    SECTION("blocs and nations") {
        CHECK(s.blocs == std::vector<std::string>{"us_aligned", "china", "nonaligned"});
        REQUIRE(s.nations.size() == 4);
        CHECK(s.nations[0].name == "usa");
        CHECK(s.nations[0].gdp_usd == Approx(2.5e13));
        CHECK(s.nations[1].bloc == "china");
        CHECK(s.nations[1].tier == 3);
        CHECK(s.nations[1].military_compute_share == Approx(0.1));
        CHECK(s.nations[2].name == "singapore");
        CHECK(s.nations[2].hub_capacity_units_per_month == Approx(20000));
        CHECK(s.nations[3].enforcement_capacity == 0);  // default
        CHECK(s.nations[3].hub_capacity_units_per_month == 0);
    }
    SECTION("suppliers and SKUs") {
        REQUIRE(s.suppliers.size() == 2);
        const auto& nvidia = s.suppliers[0];
        CHECK(nvidia.nation == "usa");
        CHECK(nvidia.hbm_stacks_per_month == -1);  // default: unlimited
        CHECK(nvidia.design_around);
        REQUIRE(nvidia.skus.size() == 2);
        CHECK(nvidia.skus[0].release == CalendarMonth{2022, 9});
        CHECK_FALSE(nvidia.skus[0].discontinued.has_value());
        CHECK(nvidia.skus[0].compliant_variant_of.empty());
        CHECK(nvidia.skus[1].name == "h20");
        CHECK(nvidia.skus[1].compliant_variant_of == "h100");
        CHECK(nvidia.skus[1].tpp == Approx(2368));
        CHECK(nvidia.skus[1].interconnect_gbps == Approx(900));  // default
        const auto& huawei = s.suppliers[1];
        CHECK(huawei.uses_technology_of == std::vector<std::string>{"usa"});
        CHECK(huawei.yield == Approx(0.5));
        CHECK(huawei.hbm_stacks_per_month == Approx(15000));
        REQUIRE(huawei.skus.size() == 1);
        CHECK(huawei.skus[0].discontinued == CalendarMonth{2026, 1});
        CHECK(huawei.skus[0].memory_bandwidth_tbps == Approx(1.6));
    }
    SECTION("labs; markets default to the lab's own bloc") {
        REQUIRE(s.labs.size() == 3);
        CHECK(s.labs[0].markets == std::vector<std::string>{"us_aligned", "nonaligned"});
        CHECK(s.labs[0].funding_usd_per_month == Approx(1.0e9));
        REQUIRE(s.labs[0].stock.size() == 1);
        CHECK(s.labs[0].stock[0].sku == "h100");
        CHECK(s.labs[0].stock[0].units == Approx(50000));
        CHECK(s.labs[1].markets == std::vector<std::string>{"china"});
        CHECK(s.labs[1].stock.size() == 2);
        CHECK(s.labs[1].risk_appetite == Approx(0.7));
        CHECK(s.labs[1].capex_share == Approx(0.6));  // default
        CHECK(s.labs[2].markets == std::vector<std::string>{"nonaligned"});
        CHECK(s.labs[2].stock.empty());
    }
    SECTION("policy") {
        const auto& p = s.policy;
        CHECK(p.enforcement_scale == Approx(1.5));
        CHECK(p.design_around);
        REQUIRE(p.rules.size() == 2);
        const auto& deny = p.rules[0];
        CHECK(deny.start == CalendarMonth{2022, 10});
        CHECK(deny.end == CalendarMonth{2023, 11});
        CHECK(deny.foreign_direct_product);
        CHECK(deny.destinations == std::vector<std::string>{"china"});
        CHECK(deny.chips.tpp_at_least == Approx(4800));
        CHECK(deny.chips.interconnect_at_least_gbps == Approx(600));
        CHECK_FALSE(deny.chips.density_tpp_at_least.has_value());
        CHECK(deny.action == RuleAction::deny);
        CHECK(deny.enforcement == Approx(0.6));
        const auto& license = p.rules[1];
        CHECK_FALSE(license.end.has_value());
        CHECK(license.destinations == std::vector<std::string>{"tier2"});
        CHECK(license.chips.skus == std::vector<std::string>{"h100"});
        CHECK(license.action == RuleAction::license);
        CHECK(license.quota_units_per_month == Approx(5000));
        CHECK(license.approval_rate == Approx(0.8));
        CHECK(license.revenue_share == Approx(0.15));
        CHECK(license.enforcement == Approx(0.5));  // default
        REQUIRE(p.tool_controls.size() == 1);
        CHECK(p.tool_controls[0].targets == std::vector<std::string>{"prc"});
        CHECK(p.tool_controls[0].capacity_growth_factor == Approx(0.4));
        CHECK(p.tool_controls[0].yield_factor == Approx(0.9));  // default
        REQUIRE(p.remote_access.size() == 1);
        CHECK(p.remote_access[0].start == CalendarMonth{2023, 1});
        CHECK(p.remote_access[0].open);
        CHECK(p.remote_access[0].capacity_units_per_month == Approx(2000));
        REQUIRE(p.adaptive.size() == 1);
        CHECK(p.adaptive[0].controller == "usa");
        CHECK(p.adaptive[0].rival_bloc == "china");
        CHECK(p.adaptive[0].step == Approx(0.02));
        CHECK(p.adaptive[0].tighten_below_lag_months == Approx(6));  // default
    }
    SECTION("calibration targets") {
        using polarity::model::CalibrationMetric;
        REQUIRE(s.calibration.size() == 2);
        const auto& stock = s.calibration[0];
        CHECK(stock.name == "cn_stock_2024");
        CHECK(stock.metric == CalibrationMetric::lab_stock_units);
        CHECK(stock.bloc == "china");
        CHECK(stock.lab == "cn_frontier");
        CHECK(stock.at == CalendarMonth{2024, 1});
        CHECK_FALSE(stock.from.has_value());
        CHECK(stock.skus == std::vector<std::string>{"h100", "ascend_910b"});
        CHECK(stock.low == 10000);
        CHECK(stock.high == 50000);
        CHECK(stock.published == "A made-up figure for the loader test");
        CHECK_FALSE(stock.out_of_sample);  // default
        const auto& growth = s.calibration[1];
        CHECK(growth.metric == CalibrationMetric::frontier_compute_growth);
        CHECK_FALSE(growth.at.has_value());
        CHECK(growth.from == CalendarMonth{2023, 1});
        CHECK(growth.to == CalendarMonth{2024, 12});
        CHECK(growth.skus.empty());
        CHECK(growth.lab.empty());
        CHECK(growth.low == 3);
        CHECK(growth.high == 6);
        CHECK(growth.published.empty());
        CHECK(growth.out_of_sample);
    }
}

TEST_CASE("each malformed fixture fails at the right line, column and key", "[config]") {
    std::vector<BadCase> cases = kBadCases;
    cases.insert(cases.end(), kHostileCases.begin(), kHostileCases.end());
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.file) {
            const std::string path = kData + "/bad/" + c.file;
            REQUIRE_THROWS_AS((void)load_scenario_file(path), ConfigError);
            try {
                (void)load_scenario_file(path);
            } catch (const ConfigError& e) {
                CHECK(e.file() == path);
                CHECK(e.line() == c.line);
                CHECK(e.column() == c.column);
                CHECK(e.key_path() == c.key_path);
                CHECK_THAT(e.message(), Catch::Contains(c.fragment));
                // what() is "file:line:col: key.path: message", for editors to jump to.
                const std::string key = *c.key_path ? std::string(c.key_path) + ": " : "";
                CHECK_THAT(std::string(e.what()),
                           Catch::Contains(std::string(c.file) + ":" + std::to_string(c.line) +
                                           ":" + std::to_string(c.column) + ": " + key +
                                           c.fragment));
            }
        }
    }
}

TEST_CASE("every fixture in tests/data/bad has a row in the table", "[config]") {
    std::set<std::string> listed;
    for (const auto& c : kBadCases) listed.insert(c.file);
    for (const auto& c : kHostileCases) listed.insert(c.file);
    CHECK(listed.size() == kBadCases.size() + kHostileCases.size());  // no fixture listed twice
    std::set<std::string> on_disk;
    for (const auto& entry : std::filesystem::directory_iterator(kData + "/bad")) {
        on_disk.insert(entry.path().filename().string());
    }
    CHECK(on_disk == listed);
    CHECK(kBadCases.size() >= 24);
    CHECK(kBadCases.size() + kHostileCases.size() >= 100);
}

TEST_CASE("a missing file is a ConfigError without a position", "[config]") {
    const std::string path = kData + "/no_such_scenario.yaml";
    REQUIRE_THROWS_AS((void)load_scenario_file(path), ConfigError);
    REQUIRE_THROWS_WITH((void)load_scenario_file(path),
                        Catch::StartsWith(path + ": ") && Catch::Contains("no such file"));
    try {
        (void)load_scenario_file(kData);
    } catch (const ConfigError& e) {
        CHECK(e.line() == 0);
        CHECK(e.column() == 0);
        CHECK_THAT(e.message(), Catch::Contains("not a regular file"));
    }
}

TEST_CASE("text loading names the label in errors and keeps the text", "[config]") {
    const auto s = load_scenario_text(kTiny, "inline.yaml");
    CHECK(s.source_text == kTiny);
    CHECK(s.source_path.empty());
    REQUIRE_THROWS_WITH(load_scenario_text("schema_version: 1\nname: [x]\n", "<inline>"),
                        Catch::StartsWith("<inline>:2:7: name: expected a string, got a list"));
}

TEST_CASE("absent and empty sections take the struct defaults", "[config]") {
    const auto s = load_scenario_text(kTiny + "world:\npolicy:\n", "inline.yaml");
    const polarity::model::Scenario defaults;
    CHECK(s.world.utilization == defaults.world.utilization);
    CHECK(s.world.price_ceiling_ratio == defaults.world.price_ceiling_ratio);
    CHECK(s.run.horizon_months == defaults.run.horizon_months);
    CHECK(s.algorithms.jumps.empty());
    CHECK(s.suppliers.empty());
    CHECK(s.policy.rules.empty());
    CHECK(s.policy.enforcement_scale == defaults.policy.enforcement_scale);
    REQUIRE(s.labs.size() == 2);
    CHECK(s.labs[0].markets == std::vector<std::string>{"west"});
    CHECK(s.labs[1].markets == std::vector<std::string>{"east"});
}

TEST_CASE("scalar conversions are strict", "[config]") {
    const auto with_run = [](const std::string& extra) {
        std::string text = kTiny;
        text.insert(text.find("blocs:"), extra);
        return text;
    };
    SECTION("integers are decimal: a leading zero is not octal") {
        CHECK(load_scenario_text(with_run("  horizon_months: 024\n"), "x").run.horizon_months ==
              24);
    }
    SECTION("a leading plus and an exponent are numbers") {
        const auto s = load_scenario_text(kTiny + "world: {utilization: +5e-1}\n", "x");
        CHECK(s.world.utilization == Approx(0.5));
    }
    SECTION("an integer too large for its type") {
        const auto e = error_of_text(with_run("  horizon_months: 99999999999\n"));
        CHECK(e.key_path() == "run.horizon_months");
        CHECK_THAT(e.message(), Catch::Contains("expected an integer in range"));
    }
    SECTION("a number written as an underscore-separated literal") {
        const auto e = error_of_text(kTiny + "market: {gray_detection_scale_units: 200_000}\n");
        CHECK(e.key_path() == "market.gray_detection_scale_units");
        CHECK(e.line() == 13);
        CHECK_THAT(e.message(), Catch::Contains("expected a number, got '200_000'"));
    }
}

TEST_CASE("cross-field checks of the run section", "[config]") {
    SECTION("a missing run section is reported at the top-level map") {
        std::string text = kTiny;
        text.replace(text.find("run:"), text.find("blocs:") - text.find("run:"), "");
        const auto e = error_of_text(text);
        CHECK(e.line() == 1);
        CHECK(e.key_path() == "run");
        CHECK(e.message() == "missing required key 'run'");
    }
}

TEST_CASE("every scenario shipped in scenarios/ loads", "[config][scenarios]") {
    const std::filesystem::path dir = std::filesystem::path(POLARITY_SOURCE_DIR) / "scenarios";
    if (!std::filesystem::is_directory(dir)) return;  // none shipped yet
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        // scenarios/studies/ holds study files, which name a scenario rather than being one.
        if (entry.path().extension() != ".yaml" ||
            entry.path().parent_path().filename() == "studies") {
            continue;
        }
        DYNAMIC_SECTION(std::filesystem::relative(entry.path(), dir).string()) {
            CHECK_NOTHROW((void)load_scenario_file(entry.path().string()));
        }
    }
}
