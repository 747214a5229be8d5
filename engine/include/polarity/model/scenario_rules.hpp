#pragma once
/// @file
/// Checks across keys of the scenario, declared once.
///
/// Rules<S>::list holds every rule that relates two keys of struct S (the key table,
/// scenario_keys.hpp, checks each key alone). The YAML loader applies them with the file's
/// positions; the JSON Schema and docs/scenarios.md describe them; a study applies them to every
/// sampled run before it runs and `polarity validate` evaluates them at the corners of a study's
/// parameter ranges. What depends on the file rather than on values (which keys are present,
/// whether names resolve) stays in the loader.

#include <array>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "polarity/model/scenario.hpp"
#include "polarity/model/scenario_keys.hpp"

namespace polarity::model::keys {

/// One rule over two keys of S.
template <class S>
struct Rule {
    /// The keys it relates. Errors point at the first, or at the second when the first was not
    /// written (its default broke the rule).
    std::array<std::string_view, 2> keys;
    std::string_view doc;                  ///< the rule in words, for the schema and the docs
    bool (*holds)(const S&);
    std::string (*message)(const S&);      ///< "expected ..., got ..." when it does not hold
    /// The message when the first key was left at its default, if it needs its own words.
    std::string (*message_if_default)(const S&) = nullptr;
};

/// Rules<S>::list: the rules of struct S (none unless declared below).
template <class S>
struct Rules {
    static constexpr std::array<Rule<S>, 0> list{};
};

/// Numbers in rule messages, as the loader has always written them ("0.7", "4", "1e+06").
[[nodiscard]] inline std::string format_number(double x) {
    std::ostringstream s;
    s << x;
    return s.str();
}

/// "expected a month after start (2024-01), got 2023-06"
[[nodiscard]] inline std::string month_order_message(const char* what, const CalendarMonth& bound,
                                                     const CalendarMonth& got) {
    return std::string("expected a month ") + what + " (" + format_month(bound) + "), got " + format_month(got);
}

template <>
struct Rules<AlgorithmSettings> {
    using S = AlgorithmSettings;
    static constexpr std::array<Rule<S>, 2> list = {{
        {.keys = {"research_factor_min", "research_factor_max"},
         .doc = "research_factor_min <= research_factor_max",
         .holds = [](const S& a) { return a.research_factor_min <= a.research_factor_max; },
         .message =
             [](const S& a) {
                 return "expected research_factor_min <= research_factor_max (" +
                        format_number(a.research_factor_max) + "), got " + format_number(a.research_factor_min);
             }},
        {.keys = {"acceleration_full_capability", "acceleration_start_capability"},
         .doc = "acceleration_full_capability > acceleration_start_capability",
         .holds = [](const S& a) { return a.acceleration_full_capability > a.acceleration_start_capability; },
         .message =
             [](const S& a) {
                 return "expected acceleration_full_capability > acceleration_start_capability (" +
                        format_number(a.acceleration_start_capability) + "), got " +
                        format_number(a.acceleration_full_capability);
             }},
    }};
};

template <>
struct Rules<ChipSku> {
    static constexpr std::array<Rule<ChipSku>, 1> list = {{
        {.keys = {"discontinued", "release"},
         .doc = "discontinued after release",
         .holds = [](const ChipSku& k) { return !k.discontinued || k.discontinued->serial() > k.release.serial(); },
         .message = [](const ChipSku& k) { return month_order_message("after release", k.release, *k.discontinued); }},
    }};
};

template <>
struct Rules<Lab> {
    static constexpr std::array<Rule<Lab>, 1> list = {{
        // A small tolerance so that shares written as decimals (0.7 + 0.3) still sum to 1.
        {.keys = {"research_share", "training_share"},
         .doc = "training_share + research_share <= 1",
         .holds = [](const Lab& l) { return l.training_share + l.research_share <= 1 + 1e-9; },
         .message =
             [](const Lab& l) {
                 return "expected training_share + research_share <= 1, got " + format_number(l.training_share) +
                        " + " + format_number(l.research_share);
             }},
    }};
};

/// An `end` month, when given, after the `start` month (export rules, tool controls).
template <class S>
inline constexpr Rule<S> kEndAfterStart = {
    .keys = {"end", "start"},
    .doc = "end after start",
    .holds = [](const S& s) { return !s.end || s.end->serial() > s.start.serial(); },
    .message = [](const S& s) { return month_order_message("after start", s.start, *s.end); }};

template <>
struct Rules<ExportRule> {
    static constexpr std::array<Rule<ExportRule>, 1> list = {kEndAfterStart<ExportRule>};
};

template <>
struct Rules<ToolControl> {
    static constexpr std::array<Rule<ToolControl>, 1> list = {kEndAfterStart<ToolControl>};
};

template <>
struct Rules<AdaptiveRule> {
    using S = AdaptiveRule;
    static constexpr std::array<Rule<S>, 1> list = {{
        {.keys = {"loosen_above_lag_months", "tighten_below_lag_months"},
         .doc = "loosen_above_lag_months >= tighten_below_lag_months",
         .holds = [](const S& a) { return a.loosen_above_lag_months >= a.tighten_below_lag_months; },
         .message =
             [](const S& a) {
                 return "expected loosen_above_lag_months >= tighten_below_lag_months (" +
                        format_number(a.tighten_below_lag_months) + "), got " +
                        format_number(a.loosen_above_lag_months);
             }},
    }};
};

template <>
struct Rules<CalibrationTarget> {
    using S = CalibrationTarget;
    static constexpr std::array<Rule<S>, 2> list = {{
        {.keys = {"to", "from"},
         .doc = "to not before from",
         .holds = [](const S& t) { return !t.from || !t.to || t.to->serial() >= t.from->serial(); },
         .message = [](const S& t) { return month_order_message("not before from", *t.from, *t.to); }},
        // Three kinds of target: in sample (fitted), out of sample (data the fit did not use),
        // forecast (no data yet). A target is one of them.
        {.keys = {"forecast", "out_of_sample"},
         .doc = "not both forecast and out_of_sample",
         .holds = [](const S& t) { return !(t.forecast && t.out_of_sample); },
         .message = [](const S&) {
             return std::string("expected forecast or out_of_sample, not both: a forecast has no "
                                "data yet, an out-of-sample target has data the fit did not use");
         }},
    }};
};

/// One rule at one place of a scenario, bound to it: valid while the scenario lives and keeps
/// its shape (a study's working copy of an arm's scenario, whose numbers it changes).
struct RuleAt {
    std::string key_path;                      ///< of the key errors point at: `labs[3].research_share`
    std::array<std::string, 2> key_paths;      ///< of both keys
    std::array<const void*, 2> addresses;      ///< of both keys' members, to tell which numbers it reads
    std::function<bool()> holds;
    std::function<std::string()> message;
};

/// Every rule at every place of @p scenario, in the key table's order.
[[nodiscard]] std::vector<RuleAt> rules_of(const Scenario& scenario);

/// A rule a scenario breaks, or a value outside its key's range.
struct Breach {
    std::string key_path;  ///< `labs[3].research_share`
    std::string message;   ///< "expected training_share + research_share <= 1, got 0.7 + 0.6"
};

/// The first value of @p scenario outside its key's range or rule it breaks, if any: the checks
/// of the loader that depend only on values, for scenarios changed after loading (a study's
/// sampled runs).
[[nodiscard]] std::optional<Breach> validate_sampled(const Scenario& scenario);

}  // namespace polarity::model::keys
