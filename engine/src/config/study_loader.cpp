#include "polarity/config/study_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "polarity/model/run_outputs.hpp"
#include "polarity/model/simulation.hpp"

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

const std::vector<std::string> kDistributionKinds = {"uniform", "normal", "lognormal", "triangular", "choice"};

bool has_distribution(const MapReader& r) {
    return std::any_of(kDistributionKinds.begin(), kDistributionKinds.end(), [&](const auto& k) { return r.has(k); });
}

/// Exactly one of the distribution keys, with its parameters.
study::Distribution read_distribution(MapReader& r) {
    const auto& kinds = kDistributionKinds;
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

/// One CSV field as a number; errors name the design file's line and column.
double csv_number(const std::string& field, const std::string& file, int line, int column, const std::string& name) {
    char* end = nullptr;
    const double v = std::strtod(field.c_str(), &end);
    if (field.empty() || end == field.c_str() || *end != '\0' || !std::isfinite(v))
        throw ConfigError(file, line, column, "design_file", "column '" + name + "': expected a finite number, got '" +
                                                                 field + "'");
    return v;
}

/// The cells of one CSV line (commas; surrounding spaces trimmed) with each cell's 1-based column.
std::vector<std::pair<std::string, int>> csv_cells(const std::string& line) {
    std::vector<std::pair<std::string, int>> cells;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        std::string cell = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        std::size_t first = cell.find_first_not_of(" \t\r"), offset = first == std::string::npos ? 0 : first;
        cell = first == std::string::npos ? "" : cell.substr(first, cell.find_last_not_of(" \t\r") - first + 1);
        cells.emplace_back(cell, static_cast<int>(start + offset) + 1);
        if (comma == std::string::npos) return cells;
        start = comma + 1;
    }
}

/// `design_file`: a header of parameter names (a listed parameter's name, or else a scenario key
/// path), then one row of values per sample. Lines that are empty or start with '#' are skipped.
/// Each column becomes a parameter whose "distribution" spans the column's values, so binding
/// checks every value against the key's range.
study::UserDesign read_design_file(const Value& where, const std::string& dir, std::vector<study::UncertainParameter>& params) {
    study::UserDesign d;
    d.path = (std::filesystem::path(dir) / where.as<std::string>()).lexically_normal().string();
    std::string reason;
    if (!detail::read_text_file(d.path, d.text, reason)) where.fail("cannot read the design file " + d.path + ": " + reason);
    std::istringstream in(d.text);
    std::string line;
    int line_no = 0;
    std::vector<std::pair<std::string, int>> header;
    std::vector<std::vector<double>> rows;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
        auto cells = csv_cells(line);
        if (header.empty()) {
            header = std::move(cells);
            continue;
        }
        if (cells.size() != header.size())
            throw ConfigError(d.path, line_no, 1, "design_file", "expected " + std::to_string(header.size()) +
                                                                    " values (one per header column), got " +
                                                                    std::to_string(cells.size()));
        std::vector<double> row;
        for (std::size_t c = 0; c < cells.size(); ++c)
            row.push_back(csv_number(cells[c].first, d.path, line_no, cells[c].second, header[c].first));
        rows.push_back(std::move(row));
        d.lines.push_back(line_no);
    }
    if (header.empty() || rows.empty()) where.fail("the design file " + d.path + " needs a header line and at least one row");

    // Columns in header order; listed parameters give their path, others are key paths.
    std::vector<study::UncertainParameter> ordered;
    for (const auto& [name, column] : header) {
        if (name.empty()) throw ConfigError(d.path, 1, column, "design_file", "empty column name in the header");
        for (const auto& o : ordered)
            if (o.name == name) throw ConfigError(d.path, 1, column, "design_file", "column '" + name + "' is given twice");
        // A copy for the lambda: clang 14 (the fuzz preset) cannot capture a structured binding.
        const std::string& column_name = name;
        const auto listed = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.name == column_name; });
        study::UncertainParameter p;
        if (listed != params.end()) {
            p = *listed;
        } else {
            p.name = p.path = name;
            p.origin = {d.path, 1, column, name};
        }
        ordered.push_back(std::move(p));
    }
    for (const auto& p : params)
        if (std::none_of(ordered.begin(), ordered.end(), [&](const auto& o) { return o.name == p.name; }))
            throw ConfigError(p.origin.file, p.origin.line, p.origin.column, p.origin.key_path,
                              "parameter '" + p.name + "' has no column in the design file " + d.path);
    d.values = study::Matrix(rows.size(), ordered.size());
    for (std::size_t j = 0; j < ordered.size(); ++j) {
        double lo = rows[0][j], hi = rows[0][j];
        for (std::size_t i = 0; i < rows.size(); ++i) {
            d.values(i, j) = rows[i][j];
            lo = std::min(lo, rows[i][j]), hi = std::max(hi, rows[i][j]);
        }
        if (lo < hi)
            ordered[j].distribution.params = study::Uniform{lo, hi};
        else
            ordered[j].distribution.params = study::Choice{{lo}, {1.0}};
    }
    params = std::move(ordered);
    return d;
}

/// `outputs:` entry. The series must be recorded; the entity and date are checked against the
/// resolved scenario when the study is planned (they depend on its blocs, labs and horizon).
study::StudyOutput read_output(const Value& item, detail::NameRegistry& names) {
    MapReader o(item);
    study::StudyOutput out;
    out.name = names.add(o.need("name"));
    if (model::run_output_index(out.name) != model::run_outputs().size())
        o.at("name").fail("'" + out.name + "' is already a per-run output of every study; choose another name");
    const Value series = o.need("series");
    out.series = series.as<std::string>();
    const std::size_t i = model::series_index(out.series);
    if (i == model::series_table().size()) {
        std::vector<std::string> all;
        for (const auto& d : model::series_table()) all.push_back(d.spec.name);
        series.fail("'" + out.series + "' is not a recorded series; expected one of " + detail::join_names(all));
    }
    const std::string& axis = model::series_table()[i].spec.axis;
    if (axis.empty() && o.has("entity"))
        o.at("entity").fail("series '" + out.series + "' has no entity axis; remove entity");
    if (!axis.empty()) out.entity = o.need("entity", "series '" + out.series + "' is per " + axis).as<std::string>();
    const auto date = o.need("date").as<model::CalendarMonth>();
    out.year = date.year, out.month = date.month;
    out.origin = origin_of(item);
    o.finish();
    return out;
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
            {"saltelli", study::Sampler::saltelli},
            {"full_factorial", study::Sampler::full_factorial},
            {"morris", study::Sampler::morris},
            {"user", study::Sampler::user}});
    if (r.has("design_file")) {
        if (r.has("sampler") && s.sampler != study::Sampler::user)
            r.at("design_file").fail("a design file is the sampler `user`; remove sampler: " +
                                     std::string(study::to_string(s.sampler)));
        s.sampler = study::Sampler::user;
    } else if (s.sampler == study::Sampler::user) {
        r.at("sampler").fail("sampler user needs design_file: a CSV of parameter values, one row per sample");
    }
    // `runs` counts the design's own unit for these samplers.
    if (!r.has("runs") && s.sampler == study::Sampler::full_factorial) s.runs = 1;
    if (!r.has("runs") && s.sampler == study::Sampler::morris) s.runs = 20;
    if (s.sampler == study::Sampler::morris && s.runs < 2) r.at("runs").fail("sampler morris needs at least 2 trajectories");
    if (r.optional("morris_levels", s.morris_levels, Range::closed(2, 1000)) && s.morris_levels % 2 != 0)
        r.at("morris_levels").fail("expected an even number of levels (each step moves half of them)");
    if (r.has("morris_levels") && s.sampler != study::Sampler::morris)
        r.at("morris_levels").fail("morris_levels needs sampler: morris");
    const bool whole_design = s.sampler == study::Sampler::full_factorial || s.sampler == study::Sampler::morris ||
                              s.sampler == study::Sampler::user;
    r.optional("common_random_numbers", s.common_random_numbers);
    if (r.has("rival_bloc"))
        r.at("rival_bloc").fail("the rival is now declared by the scenario's question.rival (the study's "
                                "`set: {question.rival: ...}` changes it); remove rival_bloc");
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
        if (s.sampler == study::Sampler::saltelli || whole_design)
            r.at("precision").fail("precision stopping needs a sampler whose runs can stop anywhere; " +
                                   std::string(study::to_string(s.sampler)) + " cannot");
    }

    detail::NameRegistry arm_names("arm");
    for (const auto& item : r.list("arms")) {
        MapReader a(item);
        study::Arm arm;
        arm.name = arm_names.add(a.need("name"));
        a.optional("title", arm.title);
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
        u.origin = origin_of(p.at("path"));
        if (s.sampler == study::Sampler::user) {
            if (has_distribution(p)) item.fail("the design file gives this parameter's values; remove its distribution");
        } else {
            u.distribution = read_distribution(p);
        }
        if (s.sampler == study::Sampler::full_factorial) {
            const auto* c = std::get_if<study::Choice>(&u.distribution.params);
            if (!c) item.fail("sampler full_factorial grids listed values: give choice: {values: [...]}");
            if (std::adjacent_find(c->weights.begin(), c->weights.end(), std::not_equal_to<>()) != c->weights.end())
                p.at("choice").fail("a full-factorial grid runs every value equally often; remove the weights");
        }
        p.finish();
        s.parameters.push_back(std::move(u));
    }
    if (s.sampler == study::Sampler::user) {
        s.design = read_design_file(r.need("design_file"), dir.string(), s.parameters);
        if (!r.has("runs")) s.runs = static_cast<int>(s.design->values.rows());
    }
    detail::NameRegistry output_names("output");
    for (const auto& item : r.list("outputs")) s.outputs.push_back(read_output(item, output_names));
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
        if (s.sampler == study::Sampler::saltelli || whole_design)
            item.fail("correlations cannot be used with the " + std::string(study::to_string(s.sampler)) + " sampler");
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
    // PRCC needs k + 2 samples; full_factorial, morris and user designs set their own sample
    // counts (grid size, trajectories, CSV rows) and their own sensitivity method.
    const bool own_design = spec.sampler == study::Sampler::full_factorial || spec.sampler == study::Sampler::morris ||
                            spec.sampler == study::Sampler::user;
    const std::size_t least = spec.precision ? static_cast<std::size_t>(spec.precision->min_runs) : n;
    if (!saltelli && !own_design && k > 0 && least < k + 2)
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
