#include "polarity/serve/playground.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "levers.hpp"
#include "memory_journal.hpp"
#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/io/summary.hpp"
#include "polarity/model/recorder.hpp"
#include "polarity/model/run_outputs.hpp"
#include "polarity/model/scenario_keys.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/summary.hpp"
#include "request.hpp"

namespace polarity::serve {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

Reply reply(const json& j, int status = 200) { return {status, j.dump()}; }

/// The first sentence of @p text (to its first '.', '?' or '!' and a space), or "" when it is
/// longer than a title should be.
std::string first_sentence(const std::string& text) {
    std::size_t end = std::string::npos;
    for (const char* stop : {". ", "? ", "! "}) end = std::min(end, text.find(stop));
    const std::string s = end == std::string::npos ? text : text.substr(0, end + 1);
    return s.size() <= 90 ? s : "";
}

std::string question_of(const model::Scenario& s) {
    if (!s.question.text.empty()) return s.question.text;
    return "Does " + io::readable_name(s.question.leader) + " hold powerful AI alone for more than " +
           std::to_string(s.question.durable_lead_months) + " months, or does " + io::readable_name(s.question.rival) +
           " follow?";
}

std::string month_text(const model::CalendarMonth& start, int index) {
    return model::keys::format_month(model::CalendarMonth::from_serial(start.serial() + index));
}

json month_or_null(const model::CalendarMonth& start, int index) {
    return index >= 0 ? json(month_text(start, index)) : json(nullptr);
}

json lever_json(const detail::Lever& l) {
    json j = {{"id", l.id},       {"label", l.label}, {"kind", l.kind == detail::LeverKind::number ? "number" : "toggle"},
              {"paths", l.paths}, {"unit", l.unit},   {"description", l.description},
              {"value", l.value}};
    if (l.kind == detail::LeverKind::number) {
        // JSON has no infinity: an unbounded end is null.
        j["range"] = {{"low", std::isfinite(l.low) ? json(l.low) : json(nullptr)},
                      {"high", std::isfinite(l.high) ? json(l.high) : json(nullptr)},
                      {"low_open", l.low_open},
                      {"high_open", l.high_open}};
        j["slider"] = {{"min", l.slider_min}, {"max", l.slider_max}, {"step", l.step}};
    }
    return j;
}

/// The series the page draws, each [entity][month] (or [month] when scalar).
json series_json(const model::MemoryRecorder& rec) {
    json out = json::object();
    for (std::size_t i = 0; i < rec.header.series.size(); ++i) {
        const auto& spec = rec.header.series[i];
        const bool wanted = spec.name == "bloc_frontier_capability" || spec.name == "rival_lag_months" ||
                            spec.name == "bloc_compute_h100e" || spec.name.rfind("bloc_delivered_", 0) == 0;
        if (!wanted) continue;
        const std::size_t width = rec.months.empty() ? 0 : rec.months.front().values[i].size();
        json values = json::array();
        for (std::size_t e = 0; e < width; ++e) {
            std::vector<double> v;
            v.reserve(rec.months.size());
            for (const auto& m : rec.months) v.push_back(m.values[i][e]);
            values.push_back(std::move(v));
        }
        out[spec.name] = {{"units", spec.units},
                          {"description", spec.description},
                          {"axis", spec.axis},
                          {"values", spec.axis.empty() ? values[0] : values}};
    }
    return out;
}

json outcome_json(const model::RunHeader& h, const model::Outcome& o) {
    json blocs = json::array();
    for (std::size_t b = 0; b < o.blocs.size(); ++b)
        blocs.push_back({{"id", o.blocs[b]},
                         {"name", io::readable_name(o.blocs[b])},
                         {"crossing", month_or_null(h.start, o.crossing_month_index[b])},
                         {"final_capability", o.final_capability[b]},
                         {"final_lag_months", o.final_lag_months[b]},
                         {"final_compute_share", o.final_compute_share[b]}});
    return {{"class", model::to_string(o.label)},
            {"meaning", model::describe(o.label)},
            {"answer", io::format_answer(h, o)},
            {"leader", o.leader},
            {"rival", o.rival},
            {"leader_name", io::readable_name(o.leader)},
            {"rival_name", io::readable_name(o.rival)},
            {"durable_lead_months", o.durable_lead_months},
            {"leader_crossing", month_or_null(h.start, o.leader_crossing_month)},
            {"rival_crossing", month_or_null(h.start, o.rival_crossing_month)},
            {"delay_months", o.delay.months},
            {"delay_censoring", model::to_string(o.delay.censoring)},
            {"leader_alone_months", o.spell_months(model::kLeaderHolds)},
            {"rival_lag_months", o.rival_lag_months},
            {"compute_ratio", std::isfinite(o.compute_ratio_h100e) ? json(o.compute_ratio_h100e) : json(nullptr)},
            {"blocs", blocs}};
}

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/// A run, or study, that stops when its time is up.
void check_time(Clock::time_point t0, std::chrono::milliseconds cap, const char* what) {
    if (Clock::now() - t0 > cap)
        throw RequestError(422, std::string(what) + " took longer than " + std::to_string(cap.count()) +
                                    " ms, the playground's limit; shorten run.horizon_months");
}

void check_horizon(const model::Scenario& s, const Limits& limits) {
    if (s.run.horizon_months > limits.max_horizon_months)
        throw RequestError(413, "run.horizon_months: the playground runs at most " +
                                    std::to_string(limits.max_horizon_months) + " months, got " +
                                    std::to_string(s.run.horizon_months));
}

/// The request's overrides, then those that take its rules_off out of force (named rules only).
std::vector<std::string> overrides_for(const Preset& preset, const detail::ScenarioRequest& r) {
    std::vector<std::string> out = r.overrides;
    for (const auto& name : r.rules_off) {
        bool known = false;
        for (const auto& rule : preset.scenario.policy.rules) known = known || rule.name == name;
        if (!known) throw RequestError(400, "rules_off: '" + name + "' is not a rule of preset '" + preset.id + "'");
        for (auto& o : detail::rule_off_overrides(name)) out.push_back(std::move(o));
    }
    return out;
}

/// The preset with overrides, from its resolved text (read once, `extends` already applied), so a
/// request reads no file; override errors read as `--set` errors.
model::Scenario load_preset(const Preset& p, const std::vector<std::string>& overrides) {
    return config::load_scenario_text(p.scenario.source_text, p.path.string(), overrides);
}

/// Counts a study in for as long as it runs.
class StudySlot {
public:
    StudySlot(std::atomic<std::size_t>& running, std::size_t max) : running_(running) {
        if (running_.fetch_add(1) >= max) {
            running_.fetch_sub(1);
            throw RequestError(503, "the server is already running " + std::to_string(max) +
                                        " studies; try again in a moment");
        }
    }
    ~StudySlot() { running_.fetch_sub(1); }
    StudySlot(const StudySlot&) = delete;
    StudySlot& operator=(const StudySlot&) = delete;

private:
    std::atomic<std::size_t>& running_;
};

template <class F>
Reply answer(F&& f) {
    try {
        return f();
    } catch (const RequestError& e) {
        return reply({{"error", e.what()}}, e.status());
    } catch (const ConfigError& e) {
        return reply({{"error", e.what()}, {"key_path", e.key_path()}}, 400);
    }
}

}  // namespace

Playground::Playground(const std::vector<std::filesystem::path>& preset_files,
                       const std::filesystem::path& futures_file, Limits limits)
    : futures_(config::load_study_file(futures_file.string())), limits_(limits) {
    if (preset_files.empty()) throw std::invalid_argument("the playground needs at least one preset");
    for (const auto& path : preset_files) {
        Preset p;
        p.id = path.stem().string(), p.path = path, p.scenario = config::load_scenario_file(path.string());
        p.title = first_sentence(p.scenario.description);
        if (p.title.empty()) p.title = io::readable_name(p.scenario.name);
        p.question = question_of(p.scenario);
        p.description = p.scenario.description;
        presets_.push_back(std::move(p));
    }
}

const Preset& Playground::find(const std::string& id) const {
    for (const auto& p : presets_)
        if (p.id == id) return p;
    std::string names;
    for (const auto& p : presets_) names += (names.empty() ? "" : ", ") + p.id;
    throw RequestError(404, "preset: no preset '" + id.substr(0, 100) + "' (expected one of: " + names + ")");
}

Reply Playground::presets() const {
    json list = json::array();
    for (const auto& p : presets_)
        list.push_back({{"id", p.id}, {"title", p.title}, {"question", p.question}, {"description", p.description}});
    return reply({{"presets", list},
                  {"limits",
                   {{"default_study_runs", limits_.default_study_runs}, {"max_study_runs", limits_.max_study_runs}}}});
}

Reply Playground::levers(const std::string& id) const {
    return answer([&] {
        const Preset& p = find(id);
        const detail::LeverSet set = detail::levers_for(p.scenario);
        json levers = json::array(), rules = json::array();
        for (const auto& l : set.levers) levers.push_back(lever_json(l));
        for (const auto& r : set.rules) rules.push_back({{"name", r.name}, {"summary", r.summary}});
        return reply({{"preset", p.id}, {"levers", levers}, {"rules", rules}, {"rules_note", set.rule_description}});
    });
}

Reply Playground::run(const std::string& body) const {
    return answer([&] {
        const auto t0 = Clock::now();
        const auto request = detail::parse_request(body, false, limits_);
        const Preset& p = find(request.preset);
        const auto overrides = overrides_for(p, request);
        const model::Scenario scenario = load_preset(p, overrides);
        check_horizon(scenario, limits_);
        model::MemoryRecorder rec;
        (void)model::run_scenario(scenario, rec,
                                  [&](const model::Simulation&) { check_time(t0, limits_.max_run_time, "the run"); });
        json months = json::array();
        for (const auto& m : rec.months) months.push_back(model::keys::format_month(m.date));
        return reply({{"preset", p.id},
                      {"question", p.question},
                      {"overrides", overrides},
                      {"months", months},
                      {"blocs", rec.header.axes.empty() ? json::array() : json(rec.outcome.blocs)},
                      {"threshold", scenario.world.powerful_ai_capability},
                      {"series", series_json(rec)},
                      {"outcome", outcome_json(rec.header, rec.outcome)},
                      {"elapsed_ms", ms_since(t0)}});
    });
}

Reply Playground::study(const std::string& body) {
    return answer([&] {
        const auto t0 = Clock::now();
        const auto request = detail::parse_request(body, true, limits_);
        const Preset& p = find(request.preset);
        StudySlot slot(studies_running_, limits_.max_concurrent_studies);
        study::StudySpec spec = futures_;
        spec.scenario_path = p.path.string();
        spec.overrides = overrides_for(p, request);
        // A key the student set is not also sampled: the lever's value holds in every future.
        std::erase_if(spec.parameters, [&](const study::UncertainParameter& u) {
            return std::find(request.set_paths.begin(), request.set_paths.end(), u.path) != request.set_paths.end();
        });
        const int runs = request.runs > 0 ? request.runs : limits_.default_study_runs;
        const study::StudyPlan plan = study::plan_study(
            spec, [&](const std::vector<std::string>& o) { return load_preset(p, o); },
            runs);
        for (const auto& arm : plan.arms) check_horizon(arm, limits_);

        detail::MemoryJournal memory(plan.fingerprint, plan.layout.size());
        const std::size_t total = plan.total_runs();
        // Batches of whole rounds of arms, small enough to stop soon after the time cap.
        const std::size_t step = std::max<std::size_t>(plan.arms.size(), 50 - 50 % plan.arms.size());
        std::size_t done = 0;
        std::vector<double> records;
        bool stopped = false;
        while (done < total) {
            const std::size_t n = std::min(step, total - done);
            study::run_batch(plan, {done, n}, records);
            memory.journal().append(records);
            done += n;
            if (done < total && Clock::now() - t0 > limits_.max_study_time) {
                stopped = true;
                break;
            }
        }
        const study::StudySummary summary = study::summarize(plan, memory.journal(), done);
        const study::ArmSummary& arm = summary.arms.front();

        json classes = json::array();
        for (int c = 0; c < model::kOutcomeClasses; ++c) {
            const auto label = static_cast<model::OutcomeClass>(c);
            classes.push_back({{"class", model::to_string(label)},
                               {"meaning", model::describe(label)},
                               {"count", arm.count[c]},
                               {"probability", arm.probability[c]},
                               {"low", arm.low[c]},
                               {"high", arm.high[c]}});
        }
        json percentiles = json::object();
        const auto& outputs = model::run_outputs();
        for (std::size_t i = 0; i < study::percentile_outputs().size(); ++i) {
            const auto& o = outputs[study::percentile_outputs()[i]];
            percentiles[o.name] = {{"units", o.units}, {"description", o.description}, {"values", arm.percentiles[i]}};
        }
        json bands = json::object();
        const auto& L = plan.layout;
        for (std::size_t b = 0; b < L.bands(); ++b) {
            const std::size_t base = summary.band_block(L, 0, b), width = L.band_width[b];
            json per_percentile = json::array();
            for (std::size_t q = 0; q < study::kBandPercentiles.size(); ++q) {
                json per_entity = json::array();
                for (std::size_t e = 0; e < width; ++e) {
                    std::vector<double> v(L.months);
                    for (std::size_t m = 0; m < L.months; ++m)
                        v[m] = summary.bands[base + (q * L.months + m) * width + e];
                    per_entity.push_back(std::move(v));
                }
                per_percentile.push_back(width == 1 ? per_entity[0] : per_entity);
            }
            bands[spec.bands[b]] = {{"width", width}, {"values", per_percentile}};
        }
        json parameters = json::array();
        for (const auto& u : spec.parameters) parameters.push_back({{"name", u.name}, {"path", u.path}});
        json months = json::array();
        const model::CalendarMonth start = plan.arms.front().run.start;
        for (std::size_t m = 0; m < L.months; ++m) months.push_back(month_text(start, static_cast<int>(m)));
        return reply({{"preset", p.id},
                      {"runs", done},
                      {"runs_asked", total},
                      {"stopped_at_time_limit", stopped},
                      {"parameters", parameters},
                      {"overrides", spec.overrides},
                      {"blocs", plan.blocs},
                      {"months", months},
                      {"percentiles", study::kBandPercentiles},
                      {"classes", classes},
                      {"outputs", percentiles},
                      {"delay_median_months", std::isfinite(arm.delay_median) ? json(arm.delay_median) : json(nullptr)},
                      {"leader_crossed", arm.leader_crossed},
                      {"bands", bands},
                      {"elapsed_ms", ms_since(t0)}});
    });
}

}  // namespace polarity::serve
