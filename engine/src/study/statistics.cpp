#include "polarity/study/statistics.hpp"
#include "polarity/core/error.hpp"

#include <algorithm>
#include <limits>
#include <cmath>
#include <stdexcept>
#include <string>

#include "detail.hpp"

namespace polarity::study {

Interval wilson_interval(std::uint64_t successes, std::uint64_t n, double z) {
    if (n == 0) throw polarity::StudyError("wilson_interval: n must be positive");
    if (successes > n)
        throw polarity::StudyError("wilson_interval: " + std::to_string(successes) +
                                    " successes in " + std::to_string(n) + " trials");
    if (!(z > 0 && std::isfinite(z)))
        throw polarity::StudyError("wilson_interval: z must be positive, got " + detail::num(z));
    const double dn = static_cast<double>(n);
    const double p = static_cast<double>(successes) / dn;
    const double z2 = z * z;
    const double denom = 1.0 + z2 / dn;
    const double centre = (p + z2 / (2.0 * dn)) / denom;
    const double half = z / denom * std::sqrt(p * (1.0 - p) / dn + z2 / (4.0 * dn * dn));
    Interval iv{std::max(0.0, centre - half), std::min(1.0, centre + half)};
    // The bounds are exactly 0 and 1 at the extremes; rounding would leave ~1e-17.
    if (successes == 0) iv.lower = 0.0;
    if (successes == n) iv.upper = 1.0;
    return iv;
}

std::vector<double> percentiles(std::vector<double> values, const std::vector<double>& ps) {
    if (values.empty()) throw polarity::StudyError("percentiles: no values");
    for (double v : values)
        if (std::isnan(v)) throw polarity::StudyError("percentiles: values include NaN");
    for (double p : ps)
        if (!(p >= 0 && p <= 100))
            throw polarity::StudyError("percentiles: " + detail::num(p) +
                                        " is not in [0, 100]");
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    std::vector<double> out;
    out.reserve(ps.size());
    for (double p : ps) {
        // numpy: q = p / 100; virtual index (n - 1) q; neighbours floor and floor + 1 (clipped).
        const double h = static_cast<double>(n - 1) * (p / 100.0);
        const double lo_f = std::floor(h);
        const auto lo = static_cast<std::size_t>(lo_f);
        const std::size_t hi = std::min(lo + 1, n - 1);
        const double g = h - lo_f;
        const double a = values[lo], b = values[hi];
        const double diff = b - a;
        // numpy's _lerp: a + diff·g, but b - diff·(1 - g) when g >= 0.5 (monotone, exact at 1).
        out.push_back(g >= 0.5 ? b - diff * (1.0 - g) : a + diff * g);
    }
    return out;
}

double mean(std::span<const double> x) {
    if (x.empty()) throw polarity::StudyError("mean: no values");
    double s = 0.0;
    for (double v : x) s += v;
    return s / static_cast<double>(x.size());
}

double pearson(std::span<const double> x, std::span<const double> y) {
    if (x.size() != y.size())
        throw polarity::StudyError("pearson: lengths differ (" + std::to_string(x.size()) +
                                    " and " + std::to_string(y.size()) + ")");
    if (x.size() < 2) throw polarity::StudyError("pearson: needs at least 2 pairs");
    // Shift by the first element before averaging, so a constant input centres to exact
    // zeros (0.1 + 0.1 + 0.1 averages to 0.10000000000000002, not 0.1) and returns 0.
    const double x0 = x[0], y0 = y[0];
    double mx = 0.0, my = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        mx += x[i] - x0;
        my += y[i] - y0;
    }
    mx /= static_cast<double>(x.size());
    my /= static_cast<double>(y.size());
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double dx = (x[i] - x0) - mx, dy = (y[i] - y0) - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx == 0.0 || syy == 0.0) return 0.0;
    // Clamp: rounding can push |r| a hair past 1 for (anti)collinear data.
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::vector<double> ranks(std::span<const double> x) {
    std::vector<double> v(x.begin(), x.end());
    for (double a : v)
        if (std::isnan(a)) throw polarity::StudyError("ranks: values include NaN");
    const auto order = detail::order_of(v);
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i + 1;
        while (j < order.size() && v[order[j]] == v[order[i]]) ++j;
        // Positions i..j-1 (0-based) tie: each gets the average 1-based rank (i + 1 + j) / 2.
        const double avg = static_cast<double>(i + 1 + j) / 2.0;
        for (std::size_t m = i; m < j; ++m) r[order[m]] = avg;
        i = j;
    }
    return r;
}

double spearman(std::span<const double> x, std::span<const double> y) {
    if (x.size() != y.size())
        throw polarity::StudyError("spearman: lengths differ (" + std::to_string(x.size()) +
                                    " and " + std::to_string(y.size()) + ")");
    const auto rx = ranks(x);
    const auto ry = ranks(y);
    return pearson(rx, ry);
}

double ks_statistic(std::vector<double> sample, const Distribution& d) {
    if (sample.empty()) throw polarity::StudyError("ks_statistic: empty sample");
    validate(d);
    for (double v : sample)
        if (std::isnan(v)) throw polarity::StudyError("ks_statistic: sample includes NaN");
    std::sort(sample.begin(), sample.end());
    const double n = static_cast<double>(sample.size());
    double dmax = 0.0;
    for (std::size_t i = 0; i < sample.size(); ++i) {
        const double f = cdf(d, sample[i]);
        dmax = std::max({dmax, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
    }
    return dmax;
}

namespace {

/// (event time, S just after it), in time order.
std::vector<std::pair<double, double>> survival_steps(std::vector<Observation> obs) {
    std::sort(obs.begin(), obs.end(), [](const Observation& a, const Observation& b) {
        return a.time != b.time ? a.time < b.time : a.event > b.event;
    });
    std::vector<std::pair<double, double>> steps;
    double s = 1.0;
    std::size_t at_risk = obs.size();
    for (std::size_t i = 0; i < obs.size();) {
        std::size_t j = i, events = 0;
        while (j < obs.size() && obs[j].time == obs[i].time) events += obs[j++].event ? 1 : 0;
        if (events > 0) {
            s *= 1.0 - static_cast<double>(events) / static_cast<double>(at_risk);
            steps.emplace_back(obs[i].time, s);
        }
        at_risk -= j - i;
        i = j;
    }
    return steps;
}

}  // namespace

std::vector<double> kaplan_meier(std::vector<Observation> observations, const std::vector<double>& at) {
    const auto steps = survival_steps(std::move(observations));
    std::vector<double> out;
    for (double t : at) {
        double s = 1.0;
        for (const auto& [time, value] : steps) {
            if (time > t) break;
            s = value;
        }
        out.push_back(s);
    }
    return out;
}

double kaplan_meier_median(std::vector<Observation> observations) {
    for (const auto& [time, value] : survival_steps(std::move(observations)))
        if (value <= 0.5) return time;
    return std::numeric_limits<double>::infinity();
}

}  // namespace polarity::study
