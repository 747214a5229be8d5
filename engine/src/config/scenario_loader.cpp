// Loading a scenario: compose the document (extends, --set), then read it with the key table of
// scenario_keys.hpp. Reader<S> is the table's validating visitor; the check() overloads below
// hold what the table cannot say (checks across keys and the cross references that need more
// than a name lookup). Names are resolved while the referring node is in hand, so every error
// points at the exact line of the exact file.

#include "polarity/config/scenario_loader.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "polarity/config/scenario_writer.hpp"
#include "scenario_keys.hpp"
#include "source_tree.hpp"
#include "yaml_reader.hpp"

namespace polarity::config {
namespace {

using detail::Entity;
using detail::format_month;
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

std::string format_number(double x) {
    std::ostringstream s;
    s << x;
    return s.str();
}

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

// ---- Checks the key table cannot express, one overload per struct that needs any. They run
// after the struct's keys are read and before unknown keys are rejected.

template <class S>
void check(S&, MapReader&, Context&) {}

void check(RunSettings& run, MapReader& r, Context&) {
    if (run.settling_window_months <= run.horizon_months) return;
    if (r.has("settling_window_months")) {
        r.at("settling_window_months")
            .fail("expected an integer " + Range::closed(1, run.horizon_months).describe() +
                  ", got " + std::to_string(run.settling_window_months));
    }
    r.at("horizon_months")
        .fail("horizon_months " + std::to_string(run.horizon_months) +
              " is shorter than the default settling_window_months (" +
              std::to_string(run.settling_window_months) + "); set settling_window_months");
}

void check(AlgorithmSettings& a, MapReader& r, Context&) {
    if (a.research_factor_min > a.research_factor_max) {
        r.at("research_factor_min")
            .fail("expected research_factor_min <= research_factor_max (" +
                  format_number(a.research_factor_max) + "), got " +
                  format_number(a.research_factor_min));
    }
    if (a.acceleration_full_capability <= a.acceleration_start_capability) {
        r.at("acceleration_full_capability")
            .fail("expected acceleration_full_capability > acceleration_start_capability (" +
                  format_number(a.acceleration_start_capability) + "), got " +
                  format_number(a.acceleration_full_capability));
    }
}

void check(Nation& n, MapReader&, Context& ctx) { ctx.bloc_of_nation[n.name] = n.bloc; }

void check(ChipSku& k, MapReader& r, Context& ctx) {
    if (k.discontinued && k.discontinued->serial() <= k.release.serial()) {
        r.at("discontinued").fail("expected a month after release (" + format_month(k.release) +
                                  "), got " + format_month(*k.discontinued));
    }
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
    // A small tolerance so that shares written as decimals (0.7 + 0.3) still sum to 1.
    if (lab.training_share + lab.research_share > 1 + 1e-9) {
        r.at("research_share")
            .fail("expected training_share + research_share <= 1, got " +
                  format_number(lab.training_share) + " + " + format_number(lab.research_share));
    }
    const std::string& bloc = ctx.bloc_of_nation.at(lab.nation);
    if (lab.markets.empty()) lab.markets.push_back(bloc);
    ctx.bloc_of_lab[lab.name] = bloc;
}

void check(ChipCriteria& c, MapReader& r, Context&) {
    // A rule covering no chips is always a mistake (allow rules included: an allow with no
    // chips would silently do nothing).
    if (c.skus.empty() && !c.tpp_at_least && !c.interconnect_at_least_gbps &&
        !c.density_tpp_at_least && !c.performance_density_at_least) {
        r.self().fail("expected at least one of skus, tpp_at_least, interconnect_at_least_gbps, "
                      "density_tpp_at_least, performance_density_at_least");
    }
}

void check_end(MapReader& r, const CalendarMonth& start, const std::optional<CalendarMonth>& end) {
    if (end && end->serial() <= start.serial()) {
        r.at("end").fail("expected a month after start (" + format_month(start) + "), got " +
                         format_month(*end));
    }
}

void check(ExportRule& rule, MapReader& r, Context&) { check_end(r, rule.start, rule.end); }

void check(ToolControl& t, MapReader& r, Context&) { check_end(r, t.start, t.end); }

void check(AdaptiveRule& a, MapReader& r, Context&) {
    if (a.loosen_above_lag_months < a.tighten_below_lag_months) {
        r.at("loosen_above_lag_months")
            .fail("expected loosen_above_lag_months >= tighten_below_lag_months (" +
                  format_number(a.tighten_below_lag_months) + "), got " +
                  format_number(a.loosen_above_lag_months));
    }
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
    if (t.from && t.to && t.to->serial() < t.from->serial()) {
        r.at("to").fail("expected a month not before from (" + format_month(*t.from) + "), got " +
                        format_month(*t.to));
    }
}

void check(Scenario&, MapReader&, Context& ctx) {
    for (const auto& v : ctx.variants) check_variant(v, ctx);
}

template <class S>
S read_map(MapReader r, Context& ctx) {
    S s{};
    Reader<S> reader(r, s, ctx);
    Keys<S>::visit(reader);
    check(s, r, ctx);
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
