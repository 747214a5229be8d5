#include "polarity/model/outcome.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace polarity::model {

const char* to_string(OutcomeClass c) {
    switch (c) {
        case OutcomeClass::none: return "none";
        case OutcomeClass::unipolar: return "unipolar";
        case OutcomeClass::bipolar: return "bipolar";
        case OutcomeClass::rival_first: return "rival_first";
        case OutcomeClass::open: return "open";
    }
    return "invalid";  // only through a cast of an out-of-range integer; callers print it
}

const char* describe(OutcomeClass c) {
    switch (c) {
        case OutcomeClass::none: return "neither the leader nor the rival reached powerful AI by the horizon";
        case OutcomeClass::unipolar: return "the leader reached powerful AI and the rival did not follow within the durable-lead window";
        case OutcomeClass::bipolar: return "both reached powerful AI within the durable-lead window of each other";
        case OutcomeClass::rival_first: return "the rival reached powerful AI first, by more than the durable-lead window";
        case OutcomeClass::open: return "one side crossed, but the run ended before the durable-lead window elapsed";
    }
    return "invalid";
}

const char* to_string(Censoring c) {
    switch (c) {
        case Censoring::none: return "exact";
        case Censoring::at_least: return "at_least";
        case Censoring::at_most: return "at_most";
        case Censoring::unknown: return "unknown";
    }
    return "invalid";
}

OutcomeClass classify(int leader, int rival, int months_run, int window) {
    const int last = months_run - 1;
    if (leader >= 0 && rival >= 0) {
        const int d = rival - leader;
        if (d > window) return OutcomeClass::unipolar;
        if (d < -window) return OutcomeClass::rival_first;
        return OutcomeClass::bipolar;
    }
    if (leader >= 0) return leader + window <= last ? OutcomeClass::unipolar : OutcomeClass::open;
    if (rival >= 0) return rival + window <= last ? OutcomeClass::rival_first : OutcomeClass::open;
    return OutcomeClass::none;
}

CrossingDelay crossing_delay(int leader, int rival, int months_run) {
    if (leader >= 0 && rival >= 0) return {static_cast<double>(rival - leader), Censoring::none};
    // The side that has not crossed would cross at month months_run at the earliest.
    if (leader >= 0) return {static_cast<double>(months_run - leader), Censoring::at_least};
    if (rival >= 0) return {static_cast<double>(rival - months_run), Censoring::at_most};
    return {std::numeric_limits<double>::quiet_NaN(), Censoring::unknown};
}

std::vector<UnipolarSpell> unipolar_spells(const std::vector<int>& holders) {
    std::vector<UnipolarSpell> spells;
    for (std::size_t m = 0; m < holders.size(); ++m) {
        const int h = holders[m];
        const bool alone = h == kLeaderHolds || h == kRivalHolds;
        if (!alone) continue;
        if (!spells.empty() && spells.back().holder == h &&
            spells.back().start_month_index + spells.back().months == static_cast<int>(m)) {
            ++spells.back().months;
        } else {
            spells.push_back({h, static_cast<int>(m), 1, false});
        }
    }
    if (!spells.empty() && spells.back().start_month_index + spells.back().months == static_cast<int>(holders.size()))
        spells.back().ongoing = true;
    return spells;
}

double months_since_reached(const std::vector<double>& history, double value, double prehistory_per_month) {
    if (history.empty()) return 0;
    const double now = static_cast<double>(history.size() - 1);
    if (value >= history.back()) return 0;
    // First month at or past the value; the trajectory is non-decreasing.
    const auto it = std::lower_bound(history.begin(), history.end(), value);
    const auto k = static_cast<std::size_t>(it - history.begin());
    if (k == 0) return now + (history.front() - value) / prehistory_per_month;
    const double before = history[k - 1], after = history[k];
    const double fraction = after > before ? (value - before) / (after - before) : 1.0;
    return now - (static_cast<double>(k - 1) + fraction);
}

double lag_months(const std::vector<double>& leader, const std::vector<double>& bloc, double prehistory_per_month) {
    if (leader.empty() || bloc.empty()) return 0;
    const double own = bloc.back(), front = leader.back();
    if (own <= front) return months_since_reached(leader, own, prehistory_per_month);
    return -months_since_reached(bloc, front, prehistory_per_month);
}

int Outcome::spell_months(int holder) const {
    int n = 0;
    for (const auto& s : spells)
        if (s.holder == holder) n += s.months;
    return n;
}

}  // namespace polarity::model
