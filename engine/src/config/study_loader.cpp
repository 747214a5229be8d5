#include "polarity/config/study_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>

#include "polarity/config/limits.hpp"
#include "source_tree.hpp"
#include "yaml_reader.hpp"

namespace polarity::config {

namespace {

using detail::MapReader;
using detail::Range;
using detail::SourceNode;
using detail::Value;

study::Origin origin_of(const Value& v) {
    return {v.file(), v.mark().line + 1, v.mark().column + 1, v.path()};
}

void emit(YAML::Emitter& out, const SourceNode& n) {
    switch (n.kind) {
        case SourceNode::Kind::null: out << YAML::Null; break;
        case SourceNode::Kind::scalar: out << n.text; break;
        case SourceNode::Kind::sequence:
            out << YAML::Flow << YAML::BeginSeq;
            for (const auto& i : n.items) emit(out, i);
            out << YAML::EndSeq;
            break;
        case SourceNode::Kind::map:
            out << YAML::Flow << YAML::BeginMap;
            for (const auto& e : n.entries) {
                out << YAML::Key << e.key << YAML::Value;
                emit(out, e.value);
            }
            out << YAML::EndMap;
            break;
    }
}

/// `set: {key.path: value, ...}` as "key.path=value" overrides, in file order.
std::vector<study::Override> read_set(MapReader& r) {
    std::vector<study::Override> out;
    const auto set = r.find("set");
    if (!set) return out;
    if (set->node().kind == SourceNode::Kind::null) return out;
    if (set->node().kind != SourceNode::Kind::map) set->fail("expected a map of key.path: value, got " + set->describe());
    for (const auto& e : set->node().entries) {
        YAML::Emitter y;
        emit(y, e.value);
        out.push_back(e.key + "=" + y.c_str());
    }
    return out;
}

double number(const Value& v, const Range& range = Range::any()) { return v.as<double>(range); }

std::vector<double> numbers(const Value& v, std::size_t count) {
    const auto items = v.items();
    if (items.size() != count) v.fail("expected a list of " + std::to_string(count) + " numbers, got " + v.describe());
    std::vector<double> out;
    for (const auto& i : items) out.push_back(number(i));
    return out;
}

/// Exactly one of the distribution keys, with its parameters.
study::Distribution read_distribution(MapReader& r) {
    static const std::vector<std::string> kinds = {"uniform", "normal", "lognormal", "triangular", "choice"};
    std::optional<Value> found;
    std::string kind;
    for (const auto& k : kinds)
        if (r.has(k)) {
            if (found) r.at(k).fail("give one distribution, not both '" + kind + "' and '" + k + "'");
            found = r.find(k);
            kind = k;
        }
    if (!found) r.self().fail("expected a distribution: one of uniform, normal, lognormal, triangular, choice");
    const Value& v = *found;
    study::Distribution d;
    try {
        if (kind == "uniform") {
            const auto x = numbers(v, 2);
            d.params = study::Uniform{x[0], x[1]};
        } else if (kind == "triangular") {
            const auto x = numbers(v, 3);
            d.params = study::Triangular{x[0], x[1], x[2]};
        } else if (kind == "choice") {
            MapReader c(v);
            study::Choice ch;
            for (const auto& i : c.list("values")) ch.values.push_back(number(i));
            for (const auto& i : c.list("weights")) ch.weights.push_back(number(i, Range::at_least(0)));
            if (ch.weights.empty()) ch.weights.assign(ch.values.size(), 1.0);
            c.finish();
            d.params = ch;
        } else {
            MapReader m(v);
            if (m.has("p50")) {
                const double p5 = number(m.need("p5")), p50 = number(m.need("p50")), p95 = number(m.need("p95"));
                m.finish();
                d = kind == "normal" ? study::normal_from_percentiles(p5, p50, p95)
                                     : study::lognormal_from_percentiles(p5, p50, p95);
            } else if (kind == "normal") {
                d.params = study::Normal{number(m.need("mean")), number(m.need("sd"), Range::above(0))};
                m.finish();
            } else {
                d.params = study::LogNormal{number(m.need("mu")), number(m.need("sigma"), Range::above(0))};
                m.finish();
            }
        }
        study::validate(d);
    } catch (const StudyError& e) {
        v.fail(e.what());
    }
    return d;
}

study::StudySpec read_study(const SourceNode& root, const std::string& path) {
    study::StudySpec s;
    MapReader r(Value(root, "", root.origin));
    const int version = r.required<int>("schema_version");
    if (version != 1) r.at("schema_version").fail("expected schema_version 1, got " + std::to_string(version));
    s.name = r.required<std::string>("name");
    r.optional("description", s.description);
    const Value scenario = r.need("scenario");
    const auto dir = std::filesystem::path(path).parent_path();
    s.scenario_path = (dir / scenario.as<std::string>()).lexically_normal().string();
    if (!std::filesystem::is_regular_file(s.scenario_path))
        scenario.fail("no scenario file at " + s.scenario_path);
    s.overrides = read_set(r);
    r.optional("seed", s.seed);
    r.optional("runs", s.runs, Range::closed(1, limits::kMaxStudyRunsPerArm));
    r.optional("batch_runs", s.batch_runs, Range::closed(1, 1'000'000));
    if (const auto v = r.find("sampler"))
        s.sampler = v->as_choice<study::Sampler>(std::vector<std::pair<std::string_view, study::Sampler>>{
            {"random", study::Sampler::random},
            {"latin_hypercube", study::Sampler::latin_hypercube},
            {"sobol", study::Sampler::sobol},
            {"saltelli", study::Sampler::saltelli}});
    r.optional("common_random_numbers", s.common_random_numbers);
    r.optional("rival_bloc", s.rival_bloc);
    r.optional("series_runs", s.series_runs, Range::at_least(0));
    if (r.has("bands")) {
        s.bands.clear();
        for (const auto& b : r.list("bands")) {
            const auto name = b.as<std::string>();
            const auto& ok = study::bandable_series();
            if (std::find(ok.begin(), ok.end(), name) == ok.end())
                b.fail("cannot band '" + name + "'; expected one of " + detail::join_names(ok));
            s.bands.push_back(name);
        }
    }
    if (r.has("precision")) {
        study::Precision p;
        MapReader m = r.section("precision");
        p.halfwidth = m.required<double>("halfwidth", Range::open_closed(0, 0.5));
        m.optional("min_runs", p.min_runs, Range::closed(1, limits::kMaxStudyRunsPerArm));
        m.optional("max_runs", p.max_runs, Range::closed(1, limits::kMaxStudyRunsPerArm));
        if (p.max_runs < p.min_runs) m.at("max_runs").fail("expected max_runs >= min_runs");
        m.finish();
        s.precision = p;
        if (s.sampler == study::Sampler::saltelli)
            r.at("precision").fail("precision stopping needs a sampler whose runs can stop anywhere; saltelli cannot");
    }

    detail::NameRegistry arm_names("arm");
    for (const auto& item : r.list("arms")) {
        MapReader a(item);
        study::Arm arm;
        arm.name = arm_names.add(a.need("name"));
        arm.overrides = read_set(a);
        arm.origin = origin_of(item);
        a.finish();
        s.arms.push_back(std::move(arm));
    }
    detail::NameRegistry param_names("parameter");
    for (const auto& item : r.list("parameters")) {
        MapReader p(item);
        study::UncertainParameter u;
        u.path = p.required<std::string>("path");
        u.name = p.has("name") ? param_names.add(p.need("name")) : u.path;
        if (!p.has("name") && param_names.contains(u.name)) item.fail("parameter '" + u.name + "' is given twice");
        u.distribution = read_distribution(p);
        u.origin = origin_of(p.at("path"));
        p.finish();
        s.parameters.push_back(std::move(u));
    }
    for (const auto& item : r.list("correlations")) {
        const auto x = item.items();
        if (x.size() != 3) item.fail("expected [parameter, parameter, rho], got " + item.describe());
        const auto index = [&](const Value& v) {
            const auto name = v.as<std::string>();
            for (std::size_t j = 0; j < s.parameters.size(); ++j)
                if (s.parameters[j].name == name) return j;
            v.fail("'" + name + "' is not a parameter of this study");
        };
        study::RankCorrelation c{index(x[0]), index(x[1]), x[2].as<double>(Range::closed(-1, 1))};
        if (c.a == c.b) item.fail("a parameter's correlation with itself is 1");
        if (s.sampler == study::Sampler::saltelli) item.fail("correlations cannot be used with the saltelli sampler");
        s.correlations.push_back(c);
    }
    r.finish();
    const auto* runs_key = s.precision ? "precision" : "runs";
    if (const auto problem = study_runs_problem(s, s.precision ? s.precision->max_runs : s.runs); !problem.empty())
        r.at(runs_key).fail(problem);
    return s;
}

}  // namespace

std::string study_runs_problem(const study::StudySpec& spec, int runs_per_arm) {
    const std::size_t k = spec.parameters.size();
    const auto n = static_cast<std::size_t>(std::max(runs_per_arm, 0));
    const bool saltelli = spec.sampler == study::Sampler::saltelli;
    const std::size_t arms = std::max<std::size_t>(1, spec.arms.size());
    const std::size_t per_arm = saltelli ? n * (k + 2) : n;  // Saltelli: N (k + 2) rows
    if (per_arm * arms > limits::kMaxStudyRuns)
        return std::to_string(arms) + " arm(s) x " + std::to_string(per_arm) + " runs is more than " +
               std::to_string(limits::kMaxStudyRuns) + " runs (the limit)";
    if (saltelli && n < 2) return "the saltelli sampler needs at least 2 base samples, got " + std::to_string(n);
    const std::size_t least = spec.precision ? static_cast<std::size_t>(spec.precision->min_runs) : n;
    if (!saltelli && k > 0 && least < k + 2)
        return std::to_string(least) + " runs per arm are too few to rank " + std::to_string(k) +
               " parameters (the sensitivity analysis needs at least " + std::to_string(k + 2) + ")";
    return {};
}

bool is_study_file(const std::string& path) {
    std::string text, reason;
    if (!detail::read_text_file(path, text, reason)) return false;
    try {
        const SourceNode root = detail::parse_document(text, path);
        return root.kind == SourceNode::Kind::map && root.find("scenario") != nullptr;
    } catch (...) {
        return false;  // not even YAML: let the scenario loader report it
    }
}

study::StudySpec load_study_file(const std::string& path, const std::vector<std::string>& overrides) {
    std::string text, reason;
    if (!detail::read_text_file(path, text, reason)) throw ConfigError(path, 0, 0, "", "cannot read study file: " + reason);
    try {
        SourceNode root = detail::parse_document(text, path);
        study::StudySpec s = read_study(root, path);
        s.overrides.insert(s.overrides.end(), overrides.begin(), overrides.end());
        s.source_text = text;
        s.source_path = path;
        return s;
    } catch (const YAML::Exception& e) {
        throw detail::make_error(path, e.mark, "", e.msg);
    }
}

}  // namespace polarity::config
