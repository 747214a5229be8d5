#include "polarity/study/distributions.hpp"
#include "polarity/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>
#include <string>

#include "detail.hpp"

namespace polarity::study {

namespace {

using detail::phi;
using detail::phi_inv;

[[noreturn]] void fail(const std::string& message) { throw polarity::StudyError(message); }

void require_finite(const char* dist, const char* name, double v) {
    if (!std::isfinite(v))
        fail(std::string(dist) + ": " + name + " must be finite, got " + detail::num(v));
}

void check(const Uniform& d) {
    require_finite("uniform", "low", d.low);
    require_finite("uniform", "high", d.high);
    if (!(d.low < d.high))
        fail("uniform: low (" + detail::num(d.low) + ") must be less than high (" +
             detail::num(d.high) + ")");
}

void check(const Normal& d) {
    require_finite("normal", "mean", d.mean);
    require_finite("normal", "sd", d.sd);
    if (!(d.sd > 0)) fail("normal: sd must be positive, got " + detail::num(d.sd));
}

void check(const LogNormal& d) {
    require_finite("lognormal", "mu", d.mu);
    require_finite("lognormal", "sigma", d.sigma);
    if (!(d.sigma > 0)) fail("lognormal: sigma must be positive, got " + detail::num(d.sigma));
}

void check(const Triangular& d) {
    require_finite("triangular", "low", d.low);
    require_finite("triangular", "mode", d.mode);
    require_finite("triangular", "high", d.high);
    if (!(d.low < d.high))
        fail("triangular: low (" + detail::num(d.low) + ") must be less than high (" +
             detail::num(d.high) + ")");
    if (d.mode < d.low || d.mode > d.high)
        fail("triangular: mode (" + detail::num(d.mode) + ") must lie in [low, high] = [" +
             detail::num(d.low) + ", " + detail::num(d.high) + "]");
}

void check(const Choice& d) {
    if (d.values.empty()) fail("choice: needs at least one value");
    for (double v : d.values) require_finite("choice", "every value", v);
    if (d.weights.empty()) return;
    if (d.weights.size() != d.values.size())
        fail("choice: " + std::to_string(d.weights.size()) + " weights for " +
             std::to_string(d.values.size()) + " values");
    double total = 0.0;
    for (double w : d.weights) {
        require_finite("choice", "every weight", w);
        if (w < 0) fail("choice: weights must be non-negative, got " + detail::num(w));
        total += w;
    }
    if (!(total > 0)) fail("choice: weights must not all be zero");
}

// (value, weight) pairs sorted by value (stable, so equal values keep their order).
std::vector<std::pair<double, double>> sorted_atoms(const Choice& d) {
    std::vector<std::pair<double, double>> atoms(d.values.size());
    for (std::size_t i = 0; i < atoms.size(); ++i)
        atoms[i] = {d.values[i], d.weights.empty() ? 1.0 : d.weights[i]};
    std::stable_sort(atoms.begin(), atoms.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return atoms;
}

double quantile_of(const Uniform& d, double u) {
    // Written as a convex combination so u near 1 cannot overshoot `high`.
    return (1.0 - u) * d.low + u * d.high;
}
double quantile_of(const Normal& d, double u) { return d.mean + d.sd * phi_inv(u); }
double quantile_of(const LogNormal& d, double u) { return std::exp(d.mu + d.sigma * phi_inv(u)); }
double quantile_of(const Triangular& d, double u) {
    const double a = d.low, b = d.high, c = d.mode;
    const double fc = (c - a) / (b - a);
    if (u < fc) return a + std::sqrt(u * (b - a) * (c - a));
    return b - std::sqrt((1.0 - u) * (b - a) * (b - c));
}
double quantile_of(const Choice& d, double u) {
    const auto atoms = sorted_atoms(d);
    double total = 0.0;
    for (const auto& a : atoms) total += a.second;
    // Compare cumulative weight with u·Σw rather than normalising each weight, so the
    // comparison involves one rounding on each side.
    const double target = u * total;
    double cum = 0.0;
    for (const auto& a : atoms) {
        cum += a.second;
        if (cum >= target && a.second > 0) return a.first;
    }
    // Rounding can leave cum slightly below target for u near 1: the largest positive atom.
    for (auto it = atoms.rbegin(); it != atoms.rend(); ++it)
        if (it->second > 0) return it->first;
    return atoms.back().first;  // unreachable after validation
}

double cdf_of(const Uniform& d, double x) {
    if (x <= d.low) return 0.0;
    if (x >= d.high) return 1.0;
    return (x - d.low) / (d.high - d.low);
}
double cdf_of(const Normal& d, double x) {
    if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
    return phi((x - d.mean) / d.sd);
}
double cdf_of(const LogNormal& d, double x) {
    if (x <= 0) return 0.0;
    if (std::isinf(x)) return 1.0;
    return phi((std::log(x) - d.mu) / d.sigma);
}
double cdf_of(const Triangular& d, double x) {
    const double a = d.low, b = d.high, c = d.mode;
    if (x <= a) return 0.0;
    if (x >= b) return 1.0;
    if (x <= c) return (x - a) * (x - a) / ((b - a) * (c - a));
    return 1.0 - (b - x) * (b - x) / ((b - a) * (b - c));
}
double cdf_of(const Choice& d, double x) {
    double total = 0.0, below = 0.0;
    for (std::size_t i = 0; i < d.values.size(); ++i) {
        const double w = d.weights.empty() ? 1.0 : d.weights[i];
        total += w;
        if (d.values[i] <= x) below += w;
    }
    return below / total;
}

void check_tolerance(const char* fn, double tolerance) {
    if (!(tolerance >= 0 && tolerance < 1))
        fail(std::string(fn) + ": tolerance must lie in [0, 1), got " + detail::num(tolerance));
}

}  // namespace

void validate(const Distribution& d) {
    std::visit([](const auto& p) { check(p); }, d.params);
}

double quantile(const Distribution& d, double u) {
    if (!(u > 0.0 && u < 1.0))
        fail("quantile: u must lie in the open interval (0, 1), got " + detail::num(u));
    validate(d);
    return std::visit([u](const auto& p) { return quantile_of(p, u); }, d.params);
}

double cdf(const Distribution& d, double x) {
    if (std::isnan(x)) fail("cdf: x is NaN");
    validate(d);
    return std::visit([x](const auto& p) { return cdf_of(p, x); }, d.params);
}

Distribution lognormal_from_percentiles(double p5, double p50, double p95, double tolerance) {
    check_tolerance("lognormal_from_percentiles", tolerance);
    if (!(std::isfinite(p5) && std::isfinite(p50) && std::isfinite(p95)))
        fail("lognormal_from_percentiles: percentiles must be finite");
    if (!(p5 > 0 && p5 < p50 && p50 < p95))
        fail("lognormal_from_percentiles: need 0 < p5 < p50 < p95, got p5=" + detail::num(p5) +
             ", p50=" + detail::num(p50) + ", p95=" + detail::num(p95));
    const double lo = std::log(p50) - std::log(p5);
    const double hi = std::log(p95) - std::log(p50);
    const double asymmetry = std::abs(lo - hi) / (lo + hi);
    if (asymmetry > tolerance)
        fail("lognormal_from_percentiles: p5=" + detail::num(p5) + ", p50=" + detail::num(p50) +
             ", p95=" + detail::num(p95) + " are not consistent with a lognormal: p50/p5 = " +
             detail::num(p50 / p5) + " but p95/p50 = " + detail::num(p95 / p50) +
             " (a lognormal has equal ratios; asymmetry " + detail::num(asymmetry) +
             " > tolerance " + detail::num(tolerance) + ")");
    return Distribution{LogNormal{std::log(p50), (lo + hi) / (2.0 * z95)}};
}

Distribution normal_from_percentiles(double p5, double p50, double p95, double tolerance) {
    check_tolerance("normal_from_percentiles", tolerance);
    if (!(std::isfinite(p5) && std::isfinite(p50) && std::isfinite(p95)))
        fail("normal_from_percentiles: percentiles must be finite");
    if (!(p5 < p50 && p50 < p95))
        fail("normal_from_percentiles: need p5 < p50 < p95, got p5=" + detail::num(p5) +
             ", p50=" + detail::num(p50) + ", p95=" + detail::num(p95));
    const double lo = p50 - p5;
    const double hi = p95 - p50;
    const double asymmetry = std::abs(lo - hi) / (lo + hi);
    if (asymmetry > tolerance)
        fail("normal_from_percentiles: p5=" + detail::num(p5) + ", p50=" + detail::num(p50) +
             ", p95=" + detail::num(p95) + " are not consistent with a normal: p50 - p5 = " +
             detail::num(lo) + " but p95 - p50 = " + detail::num(hi) +
             " (a normal is symmetric; asymmetry " + detail::num(asymmetry) + " > tolerance " +
             detail::num(tolerance) + ")");
    return Distribution{Normal{p50, (p95 - p5) / (2.0 * z95)}};
}

}  // namespace polarity::study
