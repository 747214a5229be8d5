#pragma once
/// @file
/// The answer of one run to the question the scenario declares (`question:`): does the leader
/// bloc hold powerful AI alone with a durable lead (unipolar), does the rival follow within the
/// durable-lead window (bipolar), does the rival cross first by more than the window
/// (rival_first), does neither cross (none), or did the run end too soon to tell (open)?
///
/// Everything here is a pure function of capability trajectories and crossing months, so the
/// classification and the lag are tested on hand-made trajectories (docs/model.md, "Outcome").

#include <string>
#include <vector>

namespace polarity::model {

/// The outcome classes, in the order they are stored (HDF5 enumerations, study tables).
enum class OutcomeClass : int { none = 0, unipolar = 1, bipolar = 2, rival_first = 3, open = 4 };
inline constexpr int kOutcomeClasses = 5;
[[nodiscard]] const char* to_string(OutcomeClass c);
/// One sentence saying what a class means, for tables and docs.
[[nodiscard]] const char* describe(OutcomeClass c);

/// How the crossing delay is known.
enum class Censoring : int {
    none = 0,      ///< both crossed: the delay is exact
    at_least = 1,  ///< the rival had not crossed by the horizon: the true delay is at least the value
    at_most = 2,   ///< the leader had not crossed by the horizon: the true delay is at most the value
    unknown = 3,   ///< neither crossed: no delay (value NaN)
};
inline constexpr int kCensoringKinds = 4;
[[nodiscard]] const char* to_string(Censoring c);

/// Rival crossing month minus leader crossing month, censored at the horizon.
struct CrossingDelay {
    double months = 0;
    Censoring censoring = Censoring::unknown;
};

/// Which side of the declared pair holds powerful AI in a month: a bit each.
inline constexpr int kLeaderHolds = 1;
inline constexpr int kRivalHolds = 2;

/// A maximal run of months in which exactly one side of the pair held powerful AI.
struct UnipolarSpell {
    int holder = kLeaderHolds;   ///< kLeaderHolds or kRivalHolds
    int start_month_index = 0;
    int months = 0;
    bool ongoing = false;        ///< still held in the last month run
};

/// Classifies a run of `months_run` months. Crossing months are month indices, -1 when the
/// side never crossed. With W = durable_lead_months: unipolar when the leader crossed and the
/// rival had not crossed W months later (rival - leader > W, or never, with month leader + W
/// observed); bipolar when both crossed within W of each other; rival_first when the rival
/// crossed more than W months before the leader (or the leader never did, with month rival + W
/// observed); none when neither crossed; open otherwise (the window had not elapsed).
[[nodiscard]] OutcomeClass classify(int leader_crossing, int rival_crossing, int months_run,
                                    int durable_lead_months);

/// The crossing delay, censored at the horizon (`months_run` months observed).
[[nodiscard]] CrossingDelay crossing_delay(int leader_crossing, int rival_crossing, int months_run);

/// The spells of one-sided holding, from the month-by-month holders (kLeaderHolds | kRivalHolds bits).
[[nodiscard]] std::vector<UnipolarSpell> unipolar_spells(const std::vector<int>& holders);

/// Months since `history` (a non-decreasing monthly trajectory, months 0..t) first reached
/// `value`, at month t = history.size() - 1, interpolated linearly within the month. When
/// even month 0 was past `value`, the trajectory is extrapolated back before the start at
/// `prehistory_per_month`. Zero when `value` is at or above the last point.
/// A measure of time, not of slope: a step in the trajectory's growth does not move it.
[[nodiscard]] double months_since_reached(const std::vector<double>& history, double value,
                                          double prehistory_per_month);

/// The lag of a bloc behind the leader's frontier, in months: months since the leader's frontier
/// first stood where the bloc stands now; negative when the bloc is ahead (minus the months since
/// the bloc first stood where the leader stands now).
[[nodiscard]] double lag_months(const std::vector<double>& leader_frontier, const std::vector<double>& bloc_frontier,
                                double prehistory_per_month);

/// What one run settled into, with the continuous measures that show how close the call was.
struct Outcome {
    OutcomeClass label = OutcomeClass::open;
    std::string leader;                        ///< the declared leader bloc
    std::string rival;                         ///< the declared rival bloc
    int durable_lead_months = 12;
    int months_run = 0;
    int leader_crossing_month = -1;            ///< the leader's sphere past the threshold, -1 never
    int rival_crossing_month = -1;             ///< the rival's sphere past the threshold, -1 never
    CrossingDelay delay;
    std::vector<UnipolarSpell> spells;
    std::vector<int> year_end_month_index;     ///< every December run
    std::vector<double> rival_lag_at_year_end; ///< months, at each of those Decembers
    double rival_lag_months = 0;               ///< at the horizon
    double compute_ratio_h100e = 0;            ///< leader / rival sphere, at the horizon (inf when the rival holds none)
    double chip_ratio = 0;
    double effective_compute_ratio = 0;
    double rival_compute_share = 0;            ///< rival sphere's share of world H100e, at the horizon
    std::string frontier_bloc;                 ///< bloc with the best model at the horizon
    // Per bloc, every bloc reported (only the pair decides the label).
    std::vector<std::string> blocs;
    std::vector<int> crossing_month_index;     ///< -1 when never crossed
    std::vector<double> final_capability;      ///< log10 effective FLOP
    std::vector<double> final_lag_months;      ///< behind the leader's frontier (negative: ahead)
    std::vector<double> final_compute_share;   ///< share of world effective compute

    /// Total months of the spells held by `holder` (kLeaderHolds or kRivalHolds).
    [[nodiscard]] int spell_months(int holder) const;
    /// The bloc name of a holder bit.
    [[nodiscard]] const std::string& holder_name(int holder) const { return holder == kRivalHolds ? rival : leader; }
};

}  // namespace polarity::model
