#pragma once
/// @file
/// Phase 9: polarity metrics per month, and the outcome after the last month.
///
///  - frontier capability of a bloc = the best model any of its frontier labs has trained; of a
///    sphere (the declared leader or rival with the nations aligned to it) = the best in it;
///  - lag of a bloc = months since the leader's frontier first stood where the bloc stands now
///    (outcome.hpp, lag_months): a measure of time, not of slope;
///  - effective number of poles = 1 / sum of squared shares of world effective compute;
///  - holders = which side of the declared pair is past the powerful-AI threshold;
///  - the outcome classifies the pair's crossing months (outcome.hpp, classify).

#include <vector>

#include "polarity/model/outcome.hpp"
#include "polarity/model/world.hpp"

namespace polarity::model {

struct BlocMetrics {
    std::vector<double> capability;       ///< log10 effective FLOP of the best model
    std::vector<double> compute_h100e;    ///< usable training-equivalent compute
    std::vector<double> compute_share;    ///< share of world usable compute (H100e)
    std::vector<double> chips_units;      ///< chips held, at home and rented abroad
    std::vector<double> effective_share;  ///< share of world effective compute
    std::vector<double> lag_months;       ///< behind the leader's frontier (negative: ahead)
    std::vector<double> strategic_h100e;
    std::vector<int> past_threshold;
    double effective_poles = 0;
    int frontier_bloc = 0;                ///< the bloc with the best model
    // The declared pair's spheres.
    double leader_capability = 0, rival_capability = 0;
    double leader_h100e = 0, rival_h100e = 0;
    double leader_chips = 0, rival_chips = 0;
    double leader_effective = 0, rival_effective = 0;
    double rival_lag_months = 0;
    double rival_compute_share = 0;       ///< rival sphere's share of world H100e
    int holders = 0;                      ///< kLeaderHolds | kRivalHolds
};

/// leader / rival, +inf when the rival holds none and the leader some, 1 when neither holds any.
[[nodiscard]] double pair_ratio(double leader, double rival);

/// Phase 9: measure this month; appends to the histories and records crossings.
[[nodiscard]] BlocMetrics measure_polarity(World& world);

/// The outcome after the last month run.
[[nodiscard]] Outcome settle_outcome(const World& world, const BlocMetrics& last);

}  // namespace polarity::model
