#include "polarity/study/parameter_binding.hpp"


#include "detail.hpp"
#include "polarity/core/error.hpp"

namespace polarity::study {

namespace {

using detail::exact;

}  // namespace

ParameterBinding bind_parameter(const model::Scenario& arm, const UncertainParameter& parameter) {
    ParameterBinding b{parameter.path, model::bind_number(arm, parameter.path),
                       quantile(parameter.distribution, kUnitMargin),
                       quantile(parameter.distribution, 1 - kUnitMargin)};
    for (const double end : {b.lowest, b.highest}) {
        if (!b.number.accepts(end)) {
            throw ConfigError("", 0, 0, b.number.key_path,
                              "expected a number " + b.number.range.describe() + ", but the distribution can draw " +
                                  exact(end));
        }
    }
    return b;
}

void apply(const ParameterBinding& binding, model::Scenario& scenario, double value) {
    binding.number.at(scenario) = value;
}

}  // namespace polarity::study
