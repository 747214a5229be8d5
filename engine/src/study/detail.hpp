#pragma once
// Private helpers shared by the study sources.

#include <boost/math/distributions/normal.hpp>
#include <boost/math/policies/policy.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "polarity/core/random.hpp"

namespace polarity::study::detail {

/// A number for an error message: up to 10 significant digits, no trailing zeros.
/// A number in full (17 significant digits): reads back as exactly the value, for messages
/// about sampled values.
inline std::string exact(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

inline std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

/// Largest double below 1 and the smallest u we hand out: 2^-53 keeps Φ⁻¹(u) near ±8.2.
inline constexpr double below_one = 1.0 - std::numeric_limits<double>::epsilon() / 2;
inline constexpr double above_zero = std::numeric_limits<double>::epsilon() / 2;

/// Clamps into [2^-53, 1 - 2^-53], the open unit interval every quantile() accepts.
inline double clamp_open(double u) { return std::clamp(u, above_zero, below_one); }

// No promotion to long double: its width differs between x86 (80-bit) and other targets, and
// Boost's double-precision erf/erf⁻¹ approximations are already accurate to a few ulp.
using NoPromotion = boost::math::policies::policy<boost::math::policies::promote_float<false>,
                                                  boost::math::policies::promote_double<false>>;
using StdNormal = boost::math::normal_distribution<double, NoPromotion>;

/// Standard normal quantile Φ⁻¹(u), u in (0, 1).
inline double phi_inv(double u) { return boost::math::quantile(StdNormal(0.0, 1.0), u); }
/// Standard normal CDF Φ(z).
inline double phi(double z) { return boost::math::cdf(StdNormal(0.0, 1.0), z); }

/// Unbiased integer in [0, bound): reject the lowest 2^64 mod bound raw values so the rest
/// split into equal residue classes. Expected draws < 2 for any bound.
inline std::uint64_t uniform_below(core::Stream& s, std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        const std::uint64_t r = s.next();
        if (r >= threshold) return r % bound;
    }
}

/// Row indices ordered by value, ties by index (so the order is total and deterministic).
inline std::vector<std::size_t> order_of(const std::vector<double>& v) {
    std::vector<std::size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::stable_sort(idx.begin(), idx.end(), [&v](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    return idx;
}

}  // namespace polarity::study::detail
