#include "polarity/study/runner.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "polarity/core/error.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/batch_scheduler.hpp"
#include "polarity/study/sample_rules.hpp"
#include "polarity/study/sampling.hpp"
#include "polarity/study/statistics.hpp"

namespace polarity::study {

namespace {

/// The indicator of a unipolar outcome, for the precision rule.
const std::size_t kUnipolarOutput = model::run_output_index("unipolar");

std::vector<Override> with(std::vector<Override> base, const std::vector<Override>& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

/// The sample design in (0,1): [samples][parameters]. `n` counts the sampler's unit (samples,
/// base samples, grid repetitions, trajectories or design-file rows).
Matrix make_design(const StudySpec& spec, std::size_t n, StudyPlan& plan) {
    const std::size_t k = spec.parameters.size();
    if (k == 0) return Matrix(n, 0);  // arms only: every sample is the arm's scenario with its own draws
    Matrix u;
    switch (spec.sampler) {
        case Sampler::full_factorial: {
            std::vector<std::size_t> levels;
            for (const auto& p : spec.parameters) levels.push_back(std::get<Choice>(p.distribution.params).values.size());
            u = full_factorial(levels, n);
            break;
        }
        case Sampler::morris:
            plan.morris = morris(n, k, static_cast<std::size_t>(spec.morris_levels), spec.seed);
            u = plan.morris.matrix;
            break;
        case Sampler::user: {
            // The file gives values; u is their place in each column's span (for the record only).
            const Matrix& x = spec.design->values;
            if (n > x.rows())
                throw StudyError("the design file " + spec.design->path + " has " + std::to_string(x.rows()) +
                                            " rows, fewer than the " + std::to_string(n) + " runs asked for");
            u = Matrix(n, k);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < k; ++j) u(i, j) = cdf(spec.parameters[j].distribution, x(i, j));
            return u;
        }
        case Sampler::random: u = random_sample(n, k, spec.seed); break;
        case Sampler::latin_hypercube: u = latin_hypercube(n, k, spec.seed); break;
        case Sampler::sobol: u = sobol_shifted(n, k, spec.seed); break;
        case Sampler::saltelli:
            plan.saltelli = saltelli(n, k, spec.seed);
            u = plan.saltelli.matrix;
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
        // A key path's own errors carry no file: the study file's line is where it was written.
        const std::string what = e.file().empty() ? e.key_path() + ": " + e.message() : e.what();
        throw ConfigError(origin.file, origin.line, origin.column, origin.key_path, context + what);
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
        case Sampler::full_factorial: return "full_factorial";
        case Sampler::morris: return "morris";
        case Sampler::user: return "user";
    }
    return "?";
}

const std::vector<std::string>& bandable_series() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& d : model::series_table())
            if (d.spec.bandable) v.push_back(d.spec.name);
        return v;
    }();
    return names;
}

std::size_t RecordLayout::output_width(std::size_t i) const {
    return model::output_width(model::run_outputs()[i], blocs, year_ends);
}

RecordLayout RecordLayout::make(std::size_t parameters, std::size_t blocs, std::size_t months, std::size_t year_ends,
                                const std::vector<std::string>& bands, const std::vector<StudyOutputSlot>& study_outputs) {
    RecordLayout L;
    L.parameters = parameters, L.blocs = blocs, L.months = months, L.year_ends = year_ends;
    std::size_t at = 2 + parameters;
    for (const auto& o : model::run_outputs()) {
        L.output_offset.push_back(at);
        at += model::output_width(o, blocs, year_ends);
    }
    L.study_outputs = study_outputs;
    L.study_output_offset = at;
    at += study_outputs.size();
    for (const auto& name : bands) {
        const std::size_t i = model::series_index(name);
        if (i == model::series_table().size() || !model::series_table()[i].spec.bandable)
            throw StudyError("bands: '" + name + "' cannot be banded");
        const std::size_t width = model::series_table()[i].spec.axis.empty() ? 1 : blocs;
        L.band_series.push_back(i);
        L.band_width.push_back(width);
        L.band_offset.push_back(at);
        at += months * width;
    }
    L.record_size = at;
    return L;
}

StudyPlan plan_arms(const StudySpec& spec, const ScenarioResolver& resolve) {
    StudyPlan plan;
    plan.spec = &spec;
    std::vector<Arm> arms = spec.arms;
    if (arms.empty()) arms.push_back({"base", {}, {}});
    for (const auto& a : arms) {
        plan.arms.push_back(at(a.origin, "arm '" + a.name + "': ", [&] { return resolve(with(spec.overrides, a.overrides)); }));
    }
    const model::Scenario& first = plan.arms.front();
    plan.blocs = first.blocs;
    for (const auto& sc : plan.arms)
        if (sc.blocs != plan.blocs || sc.run.horizon_months != first.run.horizon_months)
            throw StudyError("arms must keep the base scenario's blocs and horizon");
    for (const auto& sc : plan.arms)
        if (sc.question.leader != first.question.leader || sc.question.rival != first.question.rival)
            throw StudyError("arms must keep the base scenario's question (leader and rival blocs)");
    plan.year_ends = model::year_end_months(first.run.start, first.run.horizon_months);

    // The study's own outputs: the entity by its label on the series' axis and the date within
    // the run, the same in every arm (arms may reshape lists, so each arm is checked).
    for (const auto& o : spec.outputs) {
        StudyOutputSlot slot;
        slot.series = model::series_index(o.series);
        const int month = model::CalendarMonth{o.year, o.month}.serial() - first.run.start.serial();
        if (month < 0 || month >= first.run.horizon_months) {
            const auto last = model::CalendarMonth::from_serial(first.run.start.serial() + first.run.horizon_months - 1);
            throw ConfigError(o.origin.file, o.origin.line, o.origin.column, o.origin.key_path + ".date",
                              "output '" + o.name + "': " + std::to_string(o.year) + "-" + (o.month < 10 ? "0" : "") +
                                  std::to_string(o.month) + " is outside the run (" + std::to_string(first.run.start.year) +
                                  "-" + (first.run.start.month < 10 ? "0" : "") + std::to_string(first.run.start.month) +
                                  " to " + std::to_string(last.year) + "-" + (last.month < 10 ? "0" : "") +
                                  std::to_string(last.month) + ")");
        }
        slot.month = static_cast<std::size_t>(month);
        const std::string& axis = model::series_table()[slot.series].spec.axis;
        for (std::size_t a = 0; a < plan.arms.size() && !axis.empty(); ++a) {
            const auto header = model::Simulation(plan.arms[a]).header();
            const auto ax = std::find_if(header.axes.begin(), header.axes.end(), [&](const auto& x) { return x.name == axis; });
            const auto& labels = ax->labels;
            const auto at_label = std::find(labels.begin(), labels.end(), o.entity);
            if (at_label == labels.end()) {
                std::string known;
                for (const auto& l : labels) known += (known.empty() ? "" : ", ") + l;
                throw ConfigError(o.origin.file, o.origin.line, o.origin.column, o.origin.key_path + ".entity",
                                  "output '" + o.name + "': '" + o.entity + "' is not a " + axis + " in arm '" +
                                      arms[a].name + "' (expected one of: " + known + ")");
            }
            const auto index = static_cast<std::size_t>(at_label - labels.begin());
            if (a > 0 && index != slot.entity)
                throw ConfigError(o.origin.file, o.origin.line, o.origin.column, o.origin.key_path + ".entity",
                                  "output '" + o.name + "': arm '" + arms[a].name + "' orders the " + axis +
                                      " axis differently; an output must name the same entity in every arm");
            slot.entity = index;
        }
        plan.study_outputs.push_back(slot);
    }

    // Bind each parameter in each arm (arms may reshape lists): once, by key path.
    plan.bindings.resize(plan.arms.size());
    for (std::size_t a = 0; a < arms.size(); ++a) {
        for (const auto& p : spec.parameters) {
            plan.bindings[a].push_back(
                at(p.origin, "in arm '" + arms[a].name + "': ", [&] { return bind_parameter(plan.arms[a], p); }));
        }
    }
    return plan;
}

StudyPlan plan_study(const StudySpec& spec, const ScenarioResolver& resolve, int runs) {
    StudyPlan plan = plan_arms(spec, resolve);
    const model::Scenario& first = plan.arms.front();
    const std::size_t k = spec.parameters.size();
    std::string fp = spec.source_text;
    for (std::size_t a = 0; a < plan.arms.size(); ++a)
        fp += "\n--- arm " + arm_name(plan, a) + "\n" + plan.arms[a].source_text;

    const int per_arm = spec.precision ? spec.precision->max_runs : (runs > 0 ? runs : spec.runs);
    if (k == 0 && spec.sampler == Sampler::saltelli) throw StudyError("sampler saltelli needs uncertain parameters");
    if (k == 0 && (spec.sampler == Sampler::full_factorial || spec.sampler == Sampler::morris))
        throw StudyError(std::string("sampler ") + to_string(spec.sampler) + " needs uncertain parameters");
    plan.unit = make_design(spec, static_cast<std::size_t>(per_arm), plan);
    plan.samples_per_arm = plan.unit.rows();
    plan.values = Matrix(plan.unit.rows(), k);
    for (std::size_t i = 0; i < plan.unit.rows(); ++i)
        for (std::size_t j = 0; j < k; ++j)
            plan.values(i, j) = spec.sampler == Sampler::user ? spec.design->values(i, j)
                                                              : quantile(spec.parameters[j].distribution, plan.unit(i, j));

    plan.layout = RecordLayout::make(k, plan.blocs.size(), static_cast<std::size_t>(first.run.horizon_months),
                                     plan.year_ends.size(), spec.bands, plan.study_outputs);
    if (spec.design) fp += "\n--- design file\n" + spec.design->text;
    // The record layout is part of what a journal means: a journal written by an engine with
    // other outputs must not be resumed.
    fp += "\nruns " + std::to_string(plan.samples_per_arm) + " record " + std::to_string(plan.layout.size()) +
          " outputs";
    for (const auto& o : model::run_outputs()) fp += " " + o.name;
    for (const auto& o : spec.outputs) fp += " " + o.name;
    fp += " engine " POLARITY_VERSION;
    plan.fingerprint = fingerprint(fp);
    check_sampled_runs(plan);
    return plan;
}

std::string arm_name(const StudyPlan& plan, std::size_t arm) {
    return plan.spec->arms.empty() ? "base" : plan.spec->arms[arm].name;
}

model::Scenario scenario_for(const StudyPlan& plan, std::size_t g) {
    const std::size_t arm = g % plan.arms.size(), sample = g / plan.arms.size();
    model::Scenario sc = plan.arms[arm];
    // Common random numbers: every arm runs sample i with the same draws, so arm differences
    // are paired; otherwise each run has its own stream.
    sc.run.run_index = plan.spec->common_random_numbers ? sample : g;
    for (std::size_t j = 0; j < plan.layout.parameters; ++j) apply(plan.bindings[arm][j], sc, plan.values(sample, j));
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
    std::vector<double> values;
    for (std::size_t m = 0; !sim.finished(); ++m) {
        sim.advance();
        for (std::size_t i = 0; i < L.study_outputs.size(); ++i) {
            if (L.study_outputs[i].month != m) continue;
            sim.read_series(L.study_outputs[i].series, values);
            r[L.study_output(i)] = values[L.study_outputs[i].entity];
        }
        for (std::size_t s = 0; s < L.bands(); ++s) {
            sim.read_series(L.band_series[s], values);
            std::copy(values.begin(), values.end(), r.begin() + static_cast<std::ptrdiff_t>(L.band(s, m, 0)));
        }
    }
    const model::Outcome o = sim.outcome();
    const auto& outputs = model::run_outputs();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        values.clear();
        outputs[i].values(o, values);
        std::copy(values.begin(), values.end(), r.begin() + static_cast<std::ptrdiff_t>(L.output(i)));
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

std::size_t batch_runs(const StudyPlan& plan) {
    const std::size_t arms = plan.arms.size();
    return std::max<std::size_t>(1, static_cast<std::size_t>(plan.spec->batch_runs) / arms) * arms;
}

void run_batch(const StudyPlan& plan, const Batch& batch, std::vector<double>& records) {
    const std::size_t record = plan.layout.size();
    records.assign(batch.runs * record, 0.0);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, batch.runs, 1), [&](const auto& range) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
            const auto r = run_one(plan, batch.first + i);
            std::copy(r.begin(), r.end(), records.begin() + static_cast<std::ptrdiff_t>(i * record));
        }
    });
}

StoppingRule::StoppingRule(const StudyPlan& plan)
    : plan_(&plan), unipolar_(plan.arms.size(), 0), runs_(plan.arms.size(), 0) {}

void StoppingRule::add(std::size_t first, std::size_t n, const double* records) {
    const std::size_t record = plan_->layout.size(), arms = plan_->arms.size();
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t a = (first + i) % arms;
        ++runs_[a];
        unipolar_[a] += records[i * record + plan_->layout.output(kUnipolarOutput)] == 1.0;
    }
}

bool StoppingRule::reached() const { return precision_reached(*plan_, unipolar_, runs_); }

std::size_t execute_study(const StudyPlan& plan, Journal& journal, const Progress& progress, const StudySlice& slice) {
    BatchScheduler scheduler(plan, journal, slice);
    if (progress) progress(scheduler.done(), scheduler.total());
    std::vector<double> records;
    while (const auto batch = scheduler.next()) {
        run_batch(plan, *batch, records);
        scheduler.complete(*batch, std::move(records));
        if (progress) progress(scheduler.done(), scheduler.total());
    }
    scheduler.finish();
    return scheduler.done();
}

}  // namespace polarity::study
