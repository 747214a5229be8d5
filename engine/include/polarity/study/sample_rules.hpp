#pragma once
/// @file
/// The scenario's cross-key rules (polarity/model/scenario_rules.hpp) applied to a study's
/// sampled values. A study varies numbers one by one, so a pair of parameters (training_share
/// 0.7 with research_share 0.6) can break a rule that no single value breaks. Two checks:
/// - check_sampled_runs(): every sampled run of a plan, before any runs; the first that breaks
///   a rule stops the study with its parameters and values (plan_study() calls it).
/// - corner_breaches(): what `polarity validate` reports: the combinations of the ends of the
///   parameters' supports (every value of a `choice`) that break a rule. The rules compare keys
///   with <=, < or a sum, so each is monotone in each key and the corners decide whether any
///   value inside the ranges breaks it.
/// Only rules that read a sampled number are evaluated: the others held when the arm loaded.

#include <string>
#include <vector>

#include "polarity/study/runner.hpp"

namespace polarity::study {

/// A combination of parameter values that breaks a rule.
struct CornerBreach {
    std::vector<std::string> arms;   ///< the arms in which it does
    std::string key_path;            ///< the rule's key, as the loader spells it: `labs[3].research_share`
    std::string message;             ///< "expected training_share + research_share <= 1, got 0.7 + 0.6"
    std::vector<std::size_t> parameters;  ///< indices into spec.parameters
    std::vector<double> values;           ///< their values, one each
};

/// Every corner combination that breaks a rule, merged across arms, in arm and rule order.
/// @p plan needs only arms and bindings (plan_arms()).
[[nodiscard]] std::vector<CornerBreach> corner_breaches(const StudyPlan& plan);

/// One breach as `validate` prints it: the rule, then each parameter involved with the
/// file:line:col of its entry in the study file and its value.
[[nodiscard]] std::string format_breach(const StudySpec& spec, const CornerBreach& breach);

/// Checks every sampled run of @p plan against the rules its sampled numbers enter.
/// @throws polarity::ConfigError at the first parameter involved in the first run that breaks a
///         rule, naming the run, its arm and sample, the rule and every parameter's value.
void check_sampled_runs(const StudyPlan& plan);

}  // namespace polarity::study
