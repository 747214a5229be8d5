// Loading a scenario: compose the document (extends, --set), then read it with the key table of
// scenario_keys.hpp. Reader<S> is the table's validating visitor; checks across keys are the
// rules of scenario_rules.hpp, and the check() overloads below hold what needs the file (key
// presence, cross references that need more than a name lookup). Names are resolved while the referring node is in hand, so every error
// points at the exact line of the exact file.

#include "polarity/config/scenario_loader.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "polarity/config/scenario_writer.hpp"
#include "polarity/model/scenario_keys.hpp"
#include "polarity/model/scenario_rules.hpp"
#include "source_tree.hpp"
#include "yaml_reader.hpp"

namespace polarity::config {
namespace {

using detail::Entity;
using detail::format_number;
using detail::is_std_optional;
using detail::Keys;
using detail::MapReader;
using detail::NameRegistry;
using detail::Need;
using detail::Range;
using detail::SourceNode;
using detail::Spec;
using detail::Value;
using namespace model;

/// A `compliant_variant_of` reference, checked once every supplier's SKUs are known.
struct PendingVariant {
    Value ref;
    std::string sku;
    std::string supplier;
};

/// What reading has established so far: every name defined, for uniqueness and references.
struct Context {
    NameRegistry blocs{"bloc"};
    NameRegistry nations{"nation"};
    NameRegistry suppliers{"supplier"};
    NameRegistry skus{"SKU"};
    NameRegistry labs{"lab"};
    NameRegistry rules{"rule"};
    NameRegistry tool_controls{"tool control"};
    NameRegistry calibration_targets{"calibration target"};
    std::unordered_map<std::string, std::string> supplier_of_sku;
    std::unordered_map<std::string, std::string> bloc_of_nation;
    std::unordered_map<std::string, std::string> bloc_of_lab;
    std::string supplier;  // the supplier whose SKUs are being read
    std::vector<PendingVariant> variants;

    NameRegistry& registry(Entity e) {
        switch (e) {
            case Entity::bloc: return blocs;
            case Entity::nation: return nations;
            case Entity::supplier: return suppliers;
            case Entity::sku: return skus;
            case Entity::lab: return labs;
            case Entity::rule: return rules;
            case Entity::tool_control: return tool_controls;
            case Entity::calibration_target: return calibration_targets;
            default: break;
        }
        // The key table only defines and looks up kinds of named things.
        throw ModelError("scenario_keys.hpp: no names of this kind");
    }

    std::string define(Entity e, const Value& v) {
        std::string name = registry(e).add(v);
        if (e == Entity::bloc || e == Entity::nation) {
            const auto& reserved = detail::kReservedDestinations;
            if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
                v.fail("'" + name + "' is reserved for rule destinations; choose another " +
                       registry(e).kind() + " name");
            }
        }
        if (e == Entity::nation && blocs.contains(name)) {
            v.fail("nation name '" + name + "' is also a bloc name; rule destinations refer to "
                   "both by name, so they must differ");
        }
        if (e == Entity::supplier) supplier = name;
        if (e == Entity::sku) supplier_of_sku[name] = supplier;
        return name;
    }

    std::string resolve(Entity e, const Value& v) {
        // The parent may be a SKU listed later: check(ChipSku) queues it for check(Scenario).
        if (e == Entity::own_sku) return v.as<std::string>();
        if (e != Entity::destination) return registry(e).resolve(v);
        auto name = v.as<std::string>();
        const auto& reserved = detail::kReservedDestinations;
        if (nations.contains(name) || blocs.contains(name) ||
            std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
            return name;
        }
        std::vector<std::string> candidates = nations.names();
        candidates.insert(candidates.end(), blocs.names().begin(), blocs.names().end());
        candidates.insert(candidates.end(), reserved.begin(), reserved.end());
        v.fail(detail::not_found_message(name, "nation, bloc, tier1/tier2/tier3 or all",
                                         candidates));
    }
};

template <class S>
S read_map(MapReader r, Context& ctx);

/// One scalar as the table's Spec describes it.
template <class T>
T read_scalar(const Value& v, const Spec& spec, Context& ctx) {
    if constexpr (is_std_optional<T>::value) {
        return read_scalar<typename T::value_type>(v, spec, ctx);
    } else if constexpr (std::is_enum_v<T>) {
        return v.as_choice<T>(detail::Spellings<T>::values);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (spec.defines != Entity::none) return ctx.define(spec.defines, v);
        if (spec.refers != Entity::none) return ctx.resolve(spec.refers, v);
        auto text = v.as<std::string>();
        if (spec.need == Need::non_empty && text.empty()) v.fail("expected a non-empty string");
        return text;
    } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        if (!spec.sentinel) return v.as<T>(spec.range);
        const T x = v.as<T>();
        if (x != spec.sentinel->value && !spec.range.contains(static_cast<double>(x))) {
            v.fail("expected " + format_number(spec.sentinel->value) + " (" +
                   std::string(spec.sentinel->meaning) + ") or a number " + spec.range.describe() +
                   ", got " + v.text());
        }
        return x;
    } else {
        return v.as<T>();
    }
}

/// "nations" -> "nation", for "expected at least one nation".
std::string singular(std::string_view key) {
    std::string word(key);
    if (!word.empty() && word.back() == 's') word.pop_back();
    return word;
}

/// The table's visitor that reads and validates the map of one S.
template <class S>
class Reader {
public:
    Reader(MapReader& r, S& s, Context& ctx) : r_(r), s_(s), ctx_(ctx) {}

    void version(std::string_view key, int expected, const Spec&) {
        const Value v = r_.need(key);
        if (v.as<int>() != expected) {
            v.fail("expected " + std::to_string(expected) +
                   " (the only schema version this engine reads), got " + v.text());
        }
    }

    template <class T>
    void scalar(std::string_view key, T S::*member, const Spec& spec) {
        if (const auto v = value(key, spec)) s_.*member = read_scalar<T>(*v, spec, ctx_);
    }

    template <class T>
    void section(std::string_view key, T S::*member, const Spec& spec) {
        s_.*member = read_map<T>(spec.need == Need::optional ? r_.section(key)
                                                             : MapReader(r_.need(key)),
                                 ctx_);
    }

    template <class T>
    void list(std::string_view key, std::vector<T> S::*member, const Spec& spec) {
        const std::optional<Value> v = value(key, spec);
        if (!v) return;
        const std::vector<Value> items = v->items();
        if (spec.need == Need::non_empty && items.empty()) {
            v->fail("expected at least one " + singular(key));
        }
        auto& out = s_.*member;
        for (const Value& item : items) {
            if constexpr (std::is_same_v<T, std::string>) {
                out.push_back(read_scalar<std::string>(item, spec, ctx_));
            } else {
                out.push_back(read_map<T>(MapReader(item), ctx_));
            }
        }
    }

    void interval(std::string_view key, double S::*low, double S::*high, const Spec& spec) {
        const std::optional<Value> v = value(key, spec);
        if (!v) return;
        const std::vector<Value> items = v->items();
        if (items.size() != 2) {
            v->fail("expected two numbers [low, high], got " +
                    (v->node().kind == SourceNode::Kind::sequence
                         ? "a list of " + std::to_string(items.size())
                         : v->describe()));
        }
        const double lo = items[0].as<double>(spec.range);
        const double hi = items[1].as<double>(spec.range);
        if (lo > hi) {
            v->fail("expected low <= high, got [" + items[0].text() + ", " + items[1].text() + "]");
        }
        s_.*low = lo;
        s_.*high = hi;
    }

private:
    std::optional<Value> value(std::string_view key, const Spec& spec) {
        if (spec.need == Need::optional) return r_.find(key);
        return r_.need(key);
    }

    MapReader& r_;
    S& s_;
    Context& ctx_;
};

// ---- Checks that need the file (which keys are present, names and where they were defined), one
// overload per struct that needs any. They run after the struct's keys are read, then the
// struct's cross-key rules (scenario_rules.hpp), then unknown keys are rejected.

template <class S>
void check(S&, MapReader&, Context&) {}

void check(Nation& n, MapReader&, Context& ctx) { ctx.bloc_of_nation[n.name] = n.bloc; }

void check(ChipSku& k, MapReader& r, Context& ctx) {
    if (r.has("compliant_variant_of")) {
        ctx.variants.push_back({r.at("compliant_variant_of"), k.name, ctx.supplier});
    }
}

void check_variant(const PendingVariant& v, const Context& ctx) {
    const std::string parent = ctx.skus.resolve(v.ref);
    if (parent == v.sku) v.ref.fail("expected a different SKU; '" + parent + "' is this SKU");
    const std::string& owner = ctx.supplier_of_sku.at(parent);
    if (owner != v.supplier) {
        v.ref.fail("expected a SKU of supplier '" + v.supplier + "'; '" + parent +
                   "' belongs to '" + owner + "'");
    }
}

void check(Lab& lab, MapReader& r, Context& ctx) {
    std::unordered_map<std::string, int> stock_lines;
    for (const Value& item : r.has("stock") ? r.at("stock").items() : std::vector<Value>{}) {
        const Value sku = MapReader(item).at("sku");
        if (const auto [it, fresh] = stock_lines.emplace(sku.text(), sku.line()); !fresh) {
            sku.fail("duplicate stock entry for SKU '" + sku.text() + "' (first at line " +
                     std::to_string(it->second) + ")");
        }
    }
    const std::string& bloc = ctx.bloc_of_nation.at(lab.nation);
    if (lab.markets.empty()) lab.markets.push_back(bloc);
    ctx.bloc_of_lab[lab.name] = bloc;
}

void check(CalibrationTarget& t, MapReader& r, Context& ctx) {
    using M = CalibrationMetric;
    const std::string metric(detail::spelling(t.metric));
    const bool at_a_month = detail::measured_at_a_month(t.metric);
    const std::string why = "for metric " + metric;
    // Each key is either needed or meaningless for a metric; a meaningless value is a mistake
    // (an empty list says nothing, and is what the writer writes for "no SKUs").
    const auto needed = [&](std::string_view key, bool needed_here, bool given) {
        if (needed_here) {
            (void)r.need(key, why);
        } else if (given) {
            r.at(key).fail("'" + std::string(key) + "' does not apply to metric " + metric);
        }
    };
    const bool stock = t.metric == M::lab_stock_units;
    // Without a bloc a target measures the world, which only some metrics can.
    if (!detail::measures_the_world(t.metric)) (void)r.need("bloc", why);
    needed("at", at_a_month, t.at.has_value());
    needed("from", !at_a_month, t.from.has_value());
    needed("to", !at_a_month, t.to.has_value());
    needed("skus", stock, !t.skus.empty());
    if (stock && t.skus.empty()) r.at("skus").fail("expected at least one SKU");
    if (r.has("lab")) {
        if (!stock) r.at("lab").fail("'lab' does not apply to metric " + metric);
        if (const std::string& bloc = ctx.bloc_of_lab.at(t.lab); bloc != t.bloc) {
            r.at("lab").fail("expected a lab of bloc '" + t.bloc + "'; '" + t.lab + "' is in '" +
                             bloc + "'");
        }
    }
}

void check(PolarityQuestion& q, MapReader& r, Context& ctx) {
    if (q.leader == q.rival) r.at(r.has("rival") ? "rival" : "leader").fail("expected the rival to differ from the leader ('" + q.leader + "')");
    const auto check_aligned = [&](const char* key, const std::vector<std::string>& nations,
                                   const std::vector<std::string>& other) {
        if (!r.has(key)) return;
        const auto list = r.list(key);
        for (std::size_t i = 0; i < nations.size(); ++i) {
            const std::string& bloc = ctx.bloc_of_nation[nations[i]];
            if (bloc == q.leader || bloc == q.rival)
                list[i].fail("expected a nation of another bloc than the leader and the rival; '" + nations[i] +
                             "' is in '" + bloc + "'");
            if (std::find(other.begin(), other.end(), nations[i]) != other.end())
                list[i].fail("'" + nations[i] + "' is aligned with both the leader and the rival");
        }
    };
    check_aligned("leader_aligned", q.leader_aligned, q.rival_aligned);
    check_aligned("rival_aligned", q.rival_aligned, {});
}

/// Which layer of a composed scenario wrote @p v: 0 a file it extends, 1 the file itself, 2 a
/// --set override.
int layer_of(const Value& v, const std::string& file) {
    if (detail::is_override_file(v.file())) return 2;
    return v.file() == file ? 1 : 0;
}

/// A rule that starts after the run's last month never comes into force: in the layer that
/// wrote the horizon (or a later one) that is a typo such as 2035 for 2025. A horizon cut short
/// by a later layer (a file extending this one, or --set) is deliberate and leaves the earlier
/// layers' rules alone.
void check_rules_start_within_run(const Scenario& s, const MapReader& r) {
    if (!r.has("policy")) return;
    const MapReader run(r.at("run")), policy(r.at("policy"));
    if (!policy.has("rules")) return;
    const std::string& file = r.self().file();
    const int horizon_layer = std::max(layer_of(run.at("start"), file),
                                       run.has("horizon_months") ? layer_of(run.at("horizon_months"), file) : -1);
    const int last = s.run.start.serial() + s.run.horizon_months - 1;
    const auto items = policy.at("rules").items();
    for (std::size_t i = 0; i < items.size() && i < s.policy.rules.size(); ++i) {
        const MapReader rule(items[i]);
        if (!rule.has("start") || !s.policy.rules[i].enabled || s.policy.rules[i].start.serial() <= last) continue;
        const Value start = rule.at("start");
        if (layer_of(start, file) < horizon_layer) continue;
        start.fail("expected a month within the run (its last month is " +
                   detail::format_month(model::CalendarMonth::from_serial(last)) + "), got " +
                   detail::format_month(s.policy.rules[i].start) + ": the rule would never come into force");
    }
}

void check(Scenario& s, MapReader& r, Context& ctx) {
    for (const auto& v : ctx.variants) check_variant(v, ctx);
    check_rules_start_within_run(s, r);
    // The question's defaults (us_aligned, china) name blocs a scenario may not have: then the
    // first bloc leads and the next one is the rival (none in a one-bloc world). A value
    // written in the file was checked as a reference when it was read.
    const auto& blocs = ctx.blocs.names();
    auto& q = s.question;
    if (!ctx.blocs.contains(q.leader)) q.leader = blocs.front();
    if (!ctx.blocs.contains(q.rival)) {
        q.rival.clear();
        for (const auto& b : blocs)
            if (b != q.leader) {
                q.rival = b;
                break;
            }
    }
    if (q.leader == q.rival) r.at("question").fail("expected the rival to differ from the leader ('" + q.leader + "')");
}

/// The struct's cross-key rules, pointing at the rule's first key, or at the second when the
/// first was left at its default.
template <class S>
void check_rules(const S& s, const MapReader& r) {
    for (const auto& rule : model::keys::Rules<S>::list) {
        if (rule.holds(s)) continue;
        const bool written = r.has(rule.keys[0]);
        r.at(rule.keys[written ? 0 : 1])
            .fail(!written && rule.message_if_default ? rule.message_if_default(s) : rule.message(s));
    }
}

/// For maps whose keys are alternatives: at least one given (a list, not empty).
template <class S>
void check_one_key_given(MapReader& r) {
    detail::KeyNames keys;
    Keys<S>::visit(keys);
    std::string names;
    for (const auto key : keys.names) {
        if (r.has(key) && (r.at(key).node().kind != SourceNode::Kind::sequence || !r.at(key).node().items.empty()))
            return;
        names += (names.empty() ? "" : ", ") + std::string(key);
    }
    r.self().fail("expected at least one of " + names);
}

template <class S>
S read_map(MapReader r, Context& ctx) {
    S s{};
    Reader<S> reader(r, s, ctx);
    Keys<S>::visit(reader);
    check(s, r, ctx);
    if constexpr (detail::needs_one_key<S>()) check_one_key_given<S>(r);
    check_rules(s, r);
    r.finish();
    return s;
}

Scenario read_document(const SourceNode& root) {
    Context ctx;
    return read_map<Scenario>(MapReader(Value(root, "", root.origin)), ctx);
}

/// Composes, reads and validates; @p file names the text in errors and anchors `extends`.
Scenario load(const std::string& text, const std::string& file,
              const std::vector<std::string>& overrides) {
    try {
        SourceNode root = detail::parse_document(text, file);
        bool rewritten = detail::resolve_extends(root, file);
        for (const auto& assignment : overrides) {
            detail::apply_override(root, assignment);
            rewritten = true;
        }
        Scenario s = read_document(root);
        // Provenance must hold a self-contained scenario: a composed one is written out in
        // full, since the files it came from may change or be gone when the output is read.
        s.source_text = rewritten ? write_scenario_yaml(s) : text;
        return s;
    } catch (const YAML::Exception& e) {
        // The readers avoid every yaml-cpp call that throws; this is a safety net so that
        // callers only ever see ConfigError.
        throw detail::make_error(file, e.mark, "", e.msg);
    }
}

}  // namespace

Scenario load_scenario_text(const std::string& yaml_text, const std::string& file_label,
                            const std::vector<std::string>& overrides) {
    return load(yaml_text, file_label, overrides);
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides) {
    std::string text;
    std::string reason;
    if (!detail::read_text_file(path, text, reason)) {
        throw ConfigError(path, 0, 0, "", "cannot read scenario file: " + reason);
    }
    Scenario s = load(text, path, overrides);
    s.source_path = path;
    return s;
}

}  // namespace polarity::config
