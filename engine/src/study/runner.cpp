#include "polarity/study/runner.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "polarity/core/error.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/sampling.hpp"
#include "polarity/study/statistics.hpp"

namespace polarity::study {

namespace {

/// Design points are kept this far from 0 and 1, and supports are validated at these quantiles,
/// so every value a run can draw has been through the scenario's validation.
constexpr double kUnitMargin = 1e-9;

std::string format_value(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::vector<Override> with(std::vector<Override> base, const std::vector<Override>& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

/// The sample design in (0,1): [samples][parameters].
Matrix make_design(const StudySpec& spec, std::size_t n, SaltelliDesign& saltelli_design) {
    const std::size_t k = spec.parameters.size();
    if (k == 0) return Matrix(n, 0);  // arms only: every sample is the arm's scenario with its own draws
    Matrix u;
    switch (spec.sampler) {
        case Sampler::random: u = random_sample(n, k, spec.seed); break;
        case Sampler::latin_hypercube: u = latin_hypercube(n, k, spec.seed); break;
        case Sampler::sobol: u = sobol_shifted(n, k, spec.seed); break;
        case Sampler::saltelli:
            saltelli_design = saltelli(n, k, spec.seed);
            u = saltelli_design.matrix;
            break;
    }
    if (!spec.correlations.empty()) {
        Matrix target = Matrix::identity(k);
        for (const auto& c : spec.correlations) target(c.a, c.b) = target(c.b, c.a) = c.rho;
        u = impose_rank_correlation(u, target);
    }
    for (std::size_t i = 0; i < u.rows(); ++i)
        for (std::size_t j = 0; j < u.cols(); ++j) u(i, j) = std::clamp(u(i, j), kUnitMargin, 1.0 - kUnitMargin);
    return u;
}

/// Runs `f`, turning any failure into a ConfigError at `origin` (the study file's line).
template <class F>
auto at(const Origin& origin, const std::string& context, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const ConfigError& e) {
        throw ConfigError(origin.file, origin.line, origin.column, origin.key_path, context + e.what());
    } catch (const StudyError& e) {
        throw ConfigError(origin.file, origin.line, origin.column, origin.key_path, context + e.what());
    } catch (const std::invalid_argument& e) {  // parameter_binding.cpp's, until it throws StudyError
        throw ConfigError(origin.file, origin.line, origin.column, origin.key_path, context + e.what());
    }
}

}  // namespace

const char* to_string(Sampler s) {
    switch (s) {
        case Sampler::random: return "random";
        case Sampler::latin_hypercube: return "latin_hypercube";
        case Sampler::sobol: return "sobol";
        case Sampler::saltelli: return "saltelli";
    }
    return "?";
}

const std::vector<std::string>& bandable_series() {
    static const std::vector<std::string> names = {"bloc_frontier_capability", "bloc_lag_months", "bloc_compute_h100e",
                                                   "bloc_effective_compute_share", "bloc_strategic_compute_h100e"};
    return names;
}

StudyPlan plan_study(const StudySpec& spec, const ScenarioResolver& resolve, int runs) {
    StudyPlan plan;
    plan.spec = &spec;
    std::vector<Arm> arms = spec.arms;
    if (arms.empty()) arms.push_back({"base", {}, {}});
    std::string fp = spec.source_text;
    for (const auto& a : arms) {
        plan.arms.push_back(at(a.origin, "arm '" + a.name + "': ", [&] { return resolve(with(spec.overrides, a.overrides)); }));
        fp += "\n--- arm " + a.name + "\n" + plan.arms.back().source_text;
    }
    const model::Scenario& first = plan.arms.front();
    plan.blocs = first.blocs;
    for (const auto& sc : plan.arms)
        if (sc.blocs != plan.blocs || sc.run.horizon_months != first.run.horizon_months)
            throw StudyError("arms must keep the base scenario's blocs and horizon");
    const auto rival = std::find(plan.blocs.begin(), plan.blocs.end(), spec.rival_bloc);
    if (rival == plan.blocs.end()) throw StudyError("rival_bloc '" + spec.rival_bloc + "' is not a bloc of the scenario");
    plan.rival = static_cast<int>(rival - plan.blocs.begin());

    // Bind each parameter in each arm (arms may reshape lists), and validate its support.
    const std::size_t k = spec.parameters.size();
    plan.bindings.resize(plan.arms.size());
    for (std::size_t a = 0; a < arms.size(); ++a) {
        for (const auto& p : spec.parameters) {
            const auto set = [&](double v) {
                return resolve(with(with(spec.overrides, arms[a].overrides), {p.path + "=" + format_value(v)}));
            };
            const std::string what = "in arm '" + arms[a].name + "': ";
            plan.bindings[a].push_back(at(p.origin, what, [&] {
                // Both ends of the support must pass the scenario's validation.
                const double lo = quantile(p.distribution, kUnitMargin), hi = quantile(p.distribution, 1 - kUnitMargin);
                (void)set(lo);
                (void)set(hi);
                const double qa = quantile(p.distribution, 0.3), qb = quantile(p.distribution, 0.7);
                return bind_parameter(p.path, qa != qb ? qa : lo, qa != qb ? qb : hi, set);
            }));
        }
    }

    const int per_arm = spec.precision ? spec.precision->max_runs : (runs > 0 ? runs : spec.runs);
    if (k == 0 && spec.sampler == Sampler::saltelli) throw StudyError("sampler saltelli needs uncertain parameters");
    plan.unit = make_design(spec, static_cast<std::size_t>(per_arm), plan.saltelli);
    plan.samples_per_arm = plan.unit.rows();
    plan.values = Matrix(plan.unit.rows(), k);
    for (std::size_t i = 0; i < plan.unit.rows(); ++i)
        for (std::size_t j = 0; j < k; ++j) plan.values(i, j) = quantile(spec.parameters[j].distribution, plan.unit(i, j));

    for (const auto& b : spec.bands) {
        const auto& names = bandable_series();
        const auto it = std::find(names.begin(), names.end(), b);
        if (it == names.end()) throw StudyError("bands: '" + b + "' cannot be banded");
        plan.band_fields.push_back(static_cast<int>(it - names.begin()));
    }
    plan.layout = {k, plan.blocs.size(), static_cast<std::size_t>(first.run.horizon_months), spec.bands.size()};
    fp += "\nruns " + std::to_string(plan.samples_per_arm) + " engine " POLARITY_VERSION;
    plan.fingerprint = fingerprint(fp);
    return plan;
}

model::Scenario scenario_for(const StudyPlan& plan, std::size_t g) {
    const std::size_t arm = g % plan.arms.size(), sample = g / plan.arms.size();
    model::Scenario sc = plan.arms[arm];
    // Common random numbers: every arm runs sample i with the same draws, so arm differences
    // are paired; otherwise each run has its own stream.
    sc.run.run_index = plan.spec->common_random_numbers ? sample : g;
    if (!plan.bindings[arm].empty()) {
        const auto fields = numeric_fields(sc);
        for (std::size_t j = 0; j < plan.layout.parameters; ++j)
            *fields[plan.bindings[arm][j].field] = plan.values(sample, j);
    }
    return sc;
}

std::vector<double> run_one(const StudyPlan& plan, std::size_t g) {
    const std::size_t arms = plan.arms.size();
    const std::size_t arm = g % arms, sample = g / arms;
    const RecordLayout& L = plan.layout;
    const model::Scenario sc = scenario_for(plan, g);

    std::vector<double> r(L.size(), 0.0);
    r[0] = static_cast<double>(arm);
    r[1] = static_cast<double>(sample);
    for (std::size_t j = 0; j < L.parameters; ++j) r[L.param(j)] = plan.values(sample, j);

    model::Simulation sim(sc);
    std::size_t m = 0;
    while (!sim.finished()) {
        sim.advance();
        const model::BlocMetrics& bm = sim.last_metrics();
        for (std::size_t s = 0; s < L.bands; ++s) {
            const std::vector<double>* field = nullptr;
            switch (plan.band_fields[s]) {
                case 0: field = &bm.capability; break;
                case 1: field = &bm.lag_months; break;
                case 2: field = &bm.compute_h100e; break;
                case 3: field = &bm.effective_share; break;
                default: field = &bm.strategic_h100e; break;
            }
            for (std::size_t b = 0; b < L.blocs; ++b) r[L.band(s, m, b)] = (*field)[b];
        }
        ++m;
    }
    const model::Outcome o = sim.outcome();
    r[L.outcome()] = static_cast<double>(o.state);
    r[L.final_state()] = static_cast<double>(o.final_state);
    r[L.unipolar_window()] = o.unipolar_window_months;
    for (std::size_t b = 0; b < L.blocs; ++b) {
        r[L.crossing(b)] = o.crossing_month_index[b];
        r[L.final_lag(b)] = o.final_lag_months[b];
        r[L.final_capability(b)] = o.final_capability[b];
        r[L.final_share(b)] = o.final_compute_share[b];
    }
    return r;
}

bool precision_reached(const StudyPlan& plan, const std::vector<std::size_t>& unipolar,
                       const std::vector<std::size_t>& runs) {
    const auto& p = plan.spec->precision;
    if (!p) return false;
    for (std::size_t a = 0; a < runs.size(); ++a) {
        if (runs[a] < static_cast<std::size_t>(p->min_runs)) return false;
        const Interval ci = wilson_interval(unipolar[a], runs[a]);
        if ((ci.upper - ci.lower) / 2 > p->halfwidth) return false;
    }
    return true;
}

std::size_t execute_study(const StudyPlan& plan, Journal& journal, const Progress& progress) {
    const std::size_t arms = plan.arms.size(), total = plan.total_runs();
    const std::size_t record = plan.layout.size();
    // Batches hold whole rounds of arms so that stopping leaves every arm with equal runs.
    const std::size_t batch = std::max<std::size_t>(1, static_cast<std::size_t>(plan.spec->batch_runs) / arms) * arms;

    // A kill in the middle of a batch's write leaves part of it; drop that part so decisions
    // (the precision rule) fall at the same batch boundaries as in an uninterrupted study.
    if (journal.completed() < total) journal.truncate(journal.completed() / batch * batch);
    std::vector<std::size_t> unipolar(arms, 0), runs(arms, 0);
    std::vector<double> chunk;
    for (std::size_t first = 0; first < journal.completed(); first += batch) {
        const std::size_t n = std::min(batch, journal.completed() - first);
        journal.read(first, n, chunk);
        for (std::size_t i = 0; i < n; ++i) {
            const auto a = static_cast<std::size_t>(chunk[i * record]);
            ++runs[a];
            unipolar[a] += chunk[i * record + plan.layout.outcome()] == static_cast<double>(model::PolarityState::unipolar);
        }
    }

    std::size_t done = journal.completed();
    if (progress) progress(done, total);
    while (done < total && !precision_reached(plan, unipolar, runs)) {
        const std::size_t n = std::min(batch, total - done);
        std::vector<double> results(n * record);
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1), [&](const auto& range) {
            for (std::size_t i = range.begin(); i != range.end(); ++i) {
                const auto r = run_one(plan, done + i);
                std::copy(r.begin(), r.end(), results.begin() + static_cast<std::ptrdiff_t>(i * record));
            }
        });
        journal.append(results);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t a = (done + i) % arms;
            ++runs[a];
            unipolar[a] += results[i * record + plan.layout.outcome()] == static_cast<double>(model::PolarityState::unipolar);
        }
        done += n;
        if (progress) progress(done, total);
    }
    return done;
}

}  // namespace polarity::study
