#pragma once
/// @file
/// Phase 9: polarity metrics per month and the settled outcome at the horizon.
///
///  - frontier capability of a bloc = the best model any of its frontier labs has trained;
///  - lag of a bloc = (leader's capability - its capability) / leader's trailing growth rate
///    (capability points per month over the last 12 months, floored at min_growth so the lag
///    stays finite), capped at max_lag_months;
///  - effective number of poles = 1 / sum of squared shares of world effective compute;
///  - state = how many blocs are past the powerful-AI threshold (none/unipolar/bipolar/multipolar);
///  - outcome = the state if it held through the settling window, else unsettled.

#include <vector>

#include "polarity/model/recorder.hpp"
#include "polarity/model/world.hpp"

namespace polarity::model {

inline constexpr double min_growth_per_month = 0.01;  ///< capability points
inline constexpr double max_lag_months = 600;

struct BlocMetrics {
    std::vector<double> capability;       ///< log10 effective FLOP of the best model
    std::vector<double> compute_h100e;    ///< usable training-equivalent compute
    std::vector<double> effective_share;  ///< share of world effective compute
    std::vector<double> lag_months;
    std::vector<double> strategic_h100e;
    std::vector<int> past_threshold;
    double effective_poles = 0;
    int leader = 0;
    PolarityState state = PolarityState::none;
};

[[nodiscard]] PolarityState state_from_count(int blocs_past_threshold);

/// Phase 9: measure this month; appends to each bloc's history and records crossings.
[[nodiscard]] BlocMetrics measure_polarity(World& world);

/// The outcome after the last month, from the state of every month.
[[nodiscard]] Outcome settle_outcome(const World& world, const std::vector<PolarityState>& states,
                                     const BlocMetrics& last);

}  // namespace polarity::model
