#pragma once
/// @file
/// The interval of numbers a scenario key accepts. The key table (scenario_keys.hpp) gives each
/// numeric key one; the loader, the JSON Schema and sampled study runs all check against it.

#include <limits>
#include <string>

namespace polarity::model::keys {

/// An allowed numeric interval; its description completes "expected a number ...".
class Range {
public:
    [[nodiscard]] static Range any() { return {}; }
    [[nodiscard]] static Range at_least(double lo) { return {lo, kInf, false, false}; }
    [[nodiscard]] static Range above(double lo) { return {lo, kInf, true, false}; }
    [[nodiscard]] static Range closed(double lo, double hi) { return {lo, hi, false, false}; }
    [[nodiscard]] static Range open_closed(double lo, double hi) { return {lo, hi, true, false}; }
    [[nodiscard]] static Range closed_open(double lo, double hi) { return {lo, hi, false, true}; }
    /// The share ranges [0, 1] that most of the scenario uses.
    [[nodiscard]] static Range unit() { return closed(0, 1); }

    [[nodiscard]] bool contains(double x) const;
    /// "", ">= 0", "> 0" or "in (0, 1]".
    [[nodiscard]] std::string describe() const;

    // The bounds, for the JSON Schema; an absent bound is infinite.
    [[nodiscard]] double low() const { return lo_; }
    [[nodiscard]] double high() const { return hi_; }
    [[nodiscard]] bool low_open() const { return lo_open_; }
    [[nodiscard]] bool high_open() const { return hi_open_; }

private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();
    Range() = default;
    Range(double lo, double hi, bool lo_open, bool hi_open)
        : lo_(lo), hi_(hi), lo_open_(lo_open), hi_open_(hi_open) {}
    double lo_ = -kInf;
    double hi_ = kInf;
    bool lo_open_ = false;
    bool hi_open_ = false;
};

}  // namespace polarity::model::keys
