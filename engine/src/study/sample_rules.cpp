#include "polarity/study/sample_rules.hpp"

#include <algorithm>

#include "detail.hpp"
#include "polarity/core/error.hpp"
#include "polarity/model/scenario_rules.hpp"

namespace polarity::study {

namespace {

using detail::exact;

std::string where(const Origin& o) {
    return o.file + ":" + std::to_string(o.line) + ":" + std::to_string(o.column);
}

/// A rule of one arm's working scenario that reads sampled numbers, and which ones.
struct SampledRule {
    model::keys::RuleAt rule;
    std::vector<std::size_t> parameters;
};

/// The rules of @p scenario (a working copy of arm @p arm) that read a parameter bound in it.
std::vector<SampledRule> sampled_rules(const StudyPlan& plan, std::size_t arm, model::Scenario& scenario) {
    std::vector<const void*> addresses;
    for (const auto& b : plan.bindings[arm]) addresses.push_back(&b.number.at(scenario));
    std::vector<SampledRule> out;
    for (auto& rule : model::keys::rules_of(scenario)) {
        std::vector<std::size_t> involved;
        for (std::size_t j = 0; j < addresses.size(); ++j)
            if (std::find(rule.addresses.begin(), rule.addresses.end(), addresses[j]) != rule.addresses.end())
                involved.push_back(j);
        if (!involved.empty()) out.push_back({std::move(rule), std::move(involved)});
    }
    return out;
}

/// The values of a parameter that decide a monotone rule: every choice, or the support's ends.
std::vector<double> deciding_values(const UncertainParameter& p, const ParameterBinding& b) {
    if (const auto* c = std::get_if<Choice>(&p.distribution.params)) {
        std::vector<double> v = c->values;
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
    }
    return {b.lowest, b.highest};
}

}  // namespace

std::vector<CornerBreach> corner_breaches(const StudyPlan& plan) {
    const StudySpec& spec = *plan.spec;
    std::vector<CornerBreach> out;
    for (std::size_t a = 0; a < plan.arms.size(); ++a) {
        model::Scenario w = plan.arms[a];
        const auto& bindings = plan.bindings[a];
        for (const SampledRule& r : sampled_rules(plan, a, w)) {
            std::vector<std::vector<double>> choices;
            std::vector<double> original;
            for (const std::size_t j : r.parameters) {
                choices.push_back(deciding_values(spec.parameters[j], bindings[j]));
                original.push_back(bindings[j].number.at(w));
            }
            // Every combination, as an odometer over the parameters' deciding values.
            std::vector<std::size_t> digit(r.parameters.size(), 0);
            for (bool more = true; more;) {
                std::vector<double> values;
                for (std::size_t i = 0; i < digit.size(); ++i) {
                    values.push_back(choices[i][digit[i]]);
                    apply(bindings[r.parameters[i]], w, values.back());
                }
                if (!r.rule.holds()) {
                    CornerBreach b{{arm_name(plan, a)}, r.rule.key_path, r.rule.message(), r.parameters, values};
                    const auto same = std::find_if(out.begin(), out.end(), [&](const CornerBreach& o) {
                        return o.key_path == b.key_path && o.parameters == b.parameters && o.values == b.values;
                    });
                    if (same == out.end()) out.push_back(std::move(b));
                    else same->arms.push_back(arm_name(plan, a));
                }
                more = false;
                for (std::size_t i = 0; i < digit.size() && !more; ++i) {
                    more = ++digit[i] < choices[i].size();
                    if (!more) digit[i] = 0;
                }
            }
            for (std::size_t i = 0; i < r.parameters.size(); ++i) apply(bindings[r.parameters[i]], w, original[i]);
        }
    }
    return out;
}

std::string format_breach(const StudySpec& spec, const CornerBreach& b) {
    std::string arms;
    for (const auto& a : b.arms) arms += (arms.empty() ? "" : ", ") + a;
    std::string out = spec.source_path + ": the parameters' ranges break a rule of the scenario at " + b.key_path +
                      " (arm" + (b.arms.size() > 1 ? "s " : " ") + arms + "): " + b.message + "\n";
    for (std::size_t i = 0; i < b.parameters.size(); ++i) {
        const UncertainParameter& p = spec.parameters[b.parameters[i]];
        out += "  " + where(p.origin) + ": " + p.origin.key_path + ": parameter '" + p.name + "' (" + p.path +
               ") = " + exact(b.values[i]) + "\n";
    }
    return out;
}

void check_sampled_runs(const StudyPlan& plan) {
    const StudySpec& spec = *plan.spec;
    for (std::size_t a = 0; a < plan.arms.size(); ++a) {
        model::Scenario w = plan.arms[a];
        const std::vector<SampledRule> rules = sampled_rules(plan, a, w);
        if (rules.empty()) continue;
        for (std::size_t i = 0; i < plan.samples_per_arm; ++i) {
            for (const SampledRule& r : rules) {
                for (const std::size_t j : r.parameters) apply(plan.bindings[a][j], w, plan.values(i, j));
                if (r.rule.holds()) continue;
                std::string values;
                for (const std::size_t j : r.parameters) {
                    const UncertainParameter& p = spec.parameters[j];
                    values += "; parameter '" + p.name + "' (" + where(p.origin) + ") = " +
                              exact(plan.values(i, j));
                }
                const Origin& o = spec.parameters[r.parameters.front()].origin;
                throw ConfigError(o.file, o.line, o.column, o.key_path,
                                  "run " + std::to_string(i * plan.arms.size() + a) + " (arm '" + arm_name(plan, a) +
                                      "', sample " + std::to_string(i) + ") breaks a rule of the scenario at " +
                                      r.rule.key_path + ": " + r.rule.message() + values +
                                      " (polarity validate lists the ranges' combinations that do)");
            }
        }
    }
}

}  // namespace polarity::study
