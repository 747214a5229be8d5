#include "levers.hpp"

#include <cmath>
#include <limits>

#include "key_spec.hpp"
#include "polarity/core/error.hpp"
#include "polarity/model/scenario_paths.hpp"

namespace polarity::serve::detail {
namespace {

/// The numeric levers the issue names; ranges, units and descriptions come from the key table.
struct NumberLeverDef {
    const char* id;
    const char* label;
    const char* path;
};
constexpr NumberLeverDef kNumberLevers[] = {
    {"enforcement", "Enforcement of the rules", "policy.enforcement_scale"},
    {"gray_premium", "Smuggling premium", "market.gray_premium"},
    {"huawei_yield", "China's chip yield (Huawei)", "suppliers.huawei.yield"},
    {"diffusion", "Algorithmic diffusion", "algorithms.diffusion_per_month"},
};

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out(1);
    for (char c : path) {
        if (c == '.') out.emplace_back();
        else out.back() += c;
    }
    return out;
}

void describe(Lever& lever, const std::string& path) {
    const auto key = describe_scenario_key(path);
    if (!key) throw ModelError("lever '" + lever.id + "': the key table has no key " + path);
    lever.unit = key->unit;
    lever.description = key->doc;
    lever.low = key->range.low(), lever.high = key->range.high();
    lever.low_open = key->range.low_open(), lever.high_open = key->range.high_open();
}

/// The slider's span: a share's whole range; otherwise from the key's lower bound to three times
/// the preset's value (at least one unit), within the key's range. Open ends are stepped inside.
void set_span(Lever& lever) {
    const double lo = std::isfinite(lever.low) ? lever.low : std::min(0.0, lever.value);
    double hi = 0;
    if (std::isfinite(lever.high) && lever.high <= 1 && lo >= 0) {
        hi = lever.high;
    } else {
        hi = std::max(3 * std::abs(lever.value), lo + 1);
        if (std::isfinite(lever.high)) hi = std::min(hi, lever.high);
    }
    lever.step = nice_step(hi - lo);
    lever.slider_min = lever.low_open ? lo + lever.step : lo;
    lever.slider_max = lever.high_open ? hi - lever.step : hi;
}

Lever toggle(const char* id, const char* label, std::vector<std::string> paths, bool value) {
    Lever lever;
    lever.id = id, lever.label = label, lever.kind = LeverKind::toggle, lever.paths = std::move(paths);
    describe(lever, lever.paths.front());
    lever.slider_min = 0, lever.slider_max = 1, lever.step = 1;
    lever.value = value ? 1 : 0;
    return lever;
}

std::string rule_summary(const model::ExportRule& rule) {
    std::string out(model::keys::spelling(rule.action));
    out += rule.action == model::RuleAction::deny ? " sales to " : " to ";
    for (std::size_t i = 0; i < rule.destinations.size(); ++i) out += (i ? ", " : "") + rule.destinations[i];
    out += ", from " + model::keys::format_month(rule.start);
    if (rule.end) out += " to " + model::keys::format_month(*rule.end);
    return out;
}

}  // namespace

std::optional<KeyDescription> describe_scenario_key(std::string_view dotted_path) {
    const auto parts = split(std::string(dotted_path));
    return describe_key<model::Scenario>(parts);
}

double nice_step(double span) {
    if (!(span > 0)) return 1;
    const double raw = span / 100;
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0})
        if (raw <= m * decade * (1 + 1e-9)) return m * decade;
    return 10 * decade;
}

LeverSet levers_for(const model::Scenario& scenario) {
    LeverSet set;
    model::Scenario copy = scenario;
    for (const auto& def : kNumberLevers) {
        model::NumberBinding binding;
        try {
            binding = model::bind_number(scenario, def.path);
        } catch (const ConfigError&) {
            continue;  // this preset has no such key (no such supplier): no such lever
        }
        Lever lever;
        lever.id = def.id, lever.label = def.label, lever.paths = {def.path};
        describe(lever, def.path);
        lever.value = binding.at(copy);
        set_span(lever);
        set.levers.push_back(std::move(lever));
    }
    set.levers.push_back(toggle("design_around", "Design-around chips for China", {"policy.design_around"},
                                scenario.policy.design_around));
    // Remote access changes over time (the latest started entry is in force); the lever opens or
    // closes every entry, so "closed" means closed for the whole run.
    if (!scenario.policy.remote_access.empty()) {
        std::vector<std::string> paths;
        bool open = false;
        for (std::size_t i = 0; i < scenario.policy.remote_access.size(); ++i) {
            paths.push_back("policy.remote_access." + std::to_string(i) + ".open");
            open = open || scenario.policy.remote_access[i].open;
        }
        set.levers.push_back(toggle("remote_access", "Remote cloud access", std::move(paths), open));
    }
    for (const auto& rule : scenario.policy.rules) set.rules.push_back({rule.name, rule_summary(rule)});
    set.rule_description = "A rule switched off never comes into force during the run.";
    return set;
}

std::vector<std::string> rule_off_overrides(const std::string& name) {
    return {"policy.rules." + name + ".enabled=false"};
}

}  // namespace polarity::serve::detail
