// The JSON Schema and the Markdown key reference: two more visitors of the key table
// (scenario_keys.hpp). Defaults are read off default-constructed structs.

#include "polarity/config/scenario_schema.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "polarity/model/scenario_keys.hpp"
#include "yaml_reader.hpp"

namespace polarity::config {
namespace {

using detail::Entity;
using detail::is_std_optional;
using detail::Keys;
using detail::Need;
using detail::Range;
using detail::Spec;
using namespace model;

// ---- A minimal JSON value: ordered objects, pretty printed ---------------------------------
// (No JSON library is among the project's dependencies, and writing is all that is needed.)

class Json {
public:
    static Json object() { return Json(Kind::object); }
    static Json array() { return Json(Kind::array); }
    static Json null() { return Json(Kind::literal, "null"); }
    static Json boolean(bool b) { return Json(Kind::literal, b ? "true" : "false"); }
    static Json number(double x) { return Json(Kind::literal, detail::format_exact(x)); }
    static Json integer(long long x) { return Json(Kind::literal, std::to_string(x)); }
    static Json string(std::string_view s) { return Json(Kind::string, std::string(s)); }
    static Json strings(const std::vector<std::string>& items) {
        Json a = array();
        for (const auto& s : items) a.push(string(s));
        return a;
    }

    /// Sets @p key of an object (replacing an earlier value) and returns the value.
    Json& set(std::string_view key, Json value) {
        for (auto& [k, v] : members_) {
            if (k == key) return v = std::move(value);
        }
        members_.emplace_back(std::string(key), std::move(value));
        return members_.back().second;
    }
    Json& push(Json value) {
        items_.push_back(std::move(value));
        return items_.back();
    }
    [[nodiscard]] bool empty() const { return members_.empty() && items_.empty(); }
    /// An object's keys, in order.
    [[nodiscard]] std::vector<std::string> keys() const {
        std::vector<std::string> out;
        for (const auto& [k, v] : members_) out.push_back(k);
        return out;
    }
    /// An object's value at @p key (null if absent).
    [[nodiscard]] const Json& at(std::string_view key) const {
        static const Json kNull = null();
        for (const auto& [k, v] : members_) {
            if (k == key) return v;
        }
        return kNull;
    }

    void write(std::string& out, int indent = 0) const {
        const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
        switch (kind_) {
            case Kind::literal: out += text_; break;
            case Kind::string: quote(out, text_); break;
            case Kind::array: {
                // Arrays of scalars ("required", "enum") read best on one line.
                const bool flat = std::all_of(items_.begin(), items_.end(),
                                              [](const Json& j) { return j.scalar(); });
                out += '[';
                for (std::size_t i = 0; i < items_.size(); ++i) {
                    out += i == 0 ? "" : ",";
                    if (flat) {
                        out += i == 0 ? "" : " ";
                    } else {
                        out += "\n" + pad;
                    }
                    items_[i].write(out, indent + 2);
                }
                if (!flat && !items_.empty()) out += "\n" + std::string(indent, ' ');
                out += ']';
                break;
            }
            case Kind::object: {
                // So do one-key objects such as {"$ref": ...} and {"type": "null"}.
                const bool flat = members_.size() == 1 && members_.front().second.flat_array();
                if (members_.empty()) {
                    out += "{}";
                    break;
                }
                out += '{';
                for (std::size_t i = 0; i < members_.size(); ++i) {
                    out += i == 0 ? "" : ",";
                    out += flat ? "" : "\n" + pad;
                    quote(out, members_[i].first);
                    out += ": ";
                    members_[i].second.write(out, indent + 2);
                }
                if (!flat) out += "\n" + std::string(indent, ' ');
                out += '}';
                break;
            }
        }
    }

private:
    enum class Kind { literal, string, array, object };
    [[nodiscard]] bool scalar() const { return kind_ == Kind::literal || kind_ == Kind::string; }
    /// A scalar or an array of scalars: fits on one line.
    [[nodiscard]] bool flat_array() const {
        return scalar() || (kind_ == Kind::array &&
                            std::all_of(items_.begin(), items_.end(),
                                        [](const Json& j) { return j.scalar(); }));
    }
    explicit Json(Kind kind, std::string text = {}) : kind_(kind), text_(std::move(text)) {}

    static void quote(std::string& out, const std::string& s) {
        out += '"';
        for (const char c : s) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        static constexpr char kHex[] = "0123456789abcdef";
                        out += "\\u00";
                        out += kHex[(c >> 4) & 0xf];
                        out += kHex[c & 0xf];
                    } else {
                        out += c;
                    }
            }
        }
        out += '"';
    }

    Kind kind_;
    std::string text_;
    std::vector<Json> items_;
    std::vector<std::pair<std::string, Json>> members_;
};

// ---- Facts about keys shared by both outputs -----------------------------------------------

constexpr std::string_view kMonthPattern = "^[0-9]{4}-(0[1-9]|1[0-2])$";

/// "policy.rules[].chips" -> "policy_rules_chips": the definition name of a map.
template <class S>
std::string id_of() {
    std::string id;
    for (const char c : Keys<S>::title) {
        if (c == '[' || c == ']') continue;
        id += c == '.' || c == ' ' ? '_' : c;
    }
    return id;
}

std::string entity_name(Entity e) {
    switch (e) {
        case Entity::bloc: return "bloc";
        case Entity::nation: return "nation";
        case Entity::supplier: return "supplier";
        case Entity::sku: return "SKU";
        case Entity::lab: return "lab";
        case Entity::rule: return "rule";
        case Entity::tool_control: return "tool control";
        case Entity::calibration_target: return "calibration target";
        case Entity::destination: return "destination";
        case Entity::own_sku: return "SKU";
        default: return "";
    }
}

template <class E>
std::vector<std::string> spellings() {
    std::vector<std::string> out;
    for (const auto& [text, value] : detail::Spellings<E>::values) out.emplace_back(text);
    return out;
}

std::vector<std::string> reserved_names() {
    return {detail::kReservedDestinations.begin(), detail::kReservedDestinations.end()};
}

/// The type of a value: T, or U for std::optional<U>.
template <class T>
struct PlainOf {
    using type = T;
};
template <class T>
struct PlainOf<std::optional<T>> {
    using type = T;
};
template <class T>
using Plain = typename PlainOf<T>::type;

// ---- JSON Schema ---------------------------------------------------------------------------

void add_range(Json& schema, const Range& range) {
    if (std::isfinite(range.low())) {
        schema.set(range.low_open() ? "exclusiveMinimum" : "minimum", Json::number(range.low()));
    }
    if (std::isfinite(range.high())) {
        schema.set(range.high_open() ? "exclusiveMaximum" : "maximum", Json::number(range.high()));
    }
}

std::string describe(const Spec& spec) {
    std::string text(spec.doc);
    if (!spec.unit.empty()) text += " Unit: " + std::string(spec.unit) + ".";
    return text;
}

Json object_with(std::string_view key, Json value) {
    Json o = Json::object();
    o.set(key, std::move(value));
    return o;
}

/// The schema of one scalar of type T. @p fallback is its default, if it has one; the
/// description is left out for list items, which the list's own description covers.
template <class T>
Json scalar_schema(const Spec& spec, const T* fallback, bool described) {
    Json s = Json::object();
    if (described) s.set("description", Json::string(describe(spec)));
    if constexpr (std::is_same_v<T, std::string>) {
        s.set("type", Json::string("string"));
        if (spec.defines != Entity::none || spec.need == Need::non_empty) {
            s.set("minLength", Json::integer(1));
        }
        if (spec.defines == Entity::bloc || spec.defines == Entity::nation) {
            s.set("not", object_with("enum", Json::strings(reserved_names())));
        }
        if (fallback) s.set("default", Json::string(*fallback));
    } else if constexpr (std::is_same_v<T, bool>) {
        s.set("type", Json::string("boolean"));
        if (fallback) s.set("default", Json::boolean(*fallback));
    } else if constexpr (std::is_same_v<T, CalendarMonth>) {
        s.set("type", Json::string("string"));
        s.set("pattern", Json::string(kMonthPattern));
        if (fallback) s.set("default", Json::string(detail::format_month(*fallback)));
    } else if constexpr (std::is_enum_v<T>) {
        s.set("type", Json::string("string"));
        s.set("enum", Json::strings(spellings<T>()));
        if (fallback) s.set("default", Json::string(detail::spelling(*fallback)));
    } else {
        s.set("type", Json::string(std::is_integral_v<T> ? "integer" : "number"));
        if (std::is_unsigned_v<T>) s.set("minimum", Json::integer(0));
        if (spec.sentinel) {
            Json in_range = Json::object();
            add_range(in_range, spec.range);
            Json any = Json::array();
            any.push(object_with("const", Json::number(spec.sentinel->value)));
            any.push(std::move(in_range));
            s.set("anyOf", std::move(any));
        } else {
            add_range(s, spec.range);
        }
        if (fallback) s.set("default", Json::number(static_cast<double>(*fallback)));
    }
    return s;
}

/// A "$ref" with a description beside it. Draft-07 ignores keywords next to "$ref", so the
/// reference goes in an allOf (or an anyOf with null, for a map that may be left empty).
Json reference(const std::string& id, const Spec& spec, bool nullable) {
    Json options = Json::array();
    options.push(object_with("$ref", Json::string("#/definitions/" + id)));
    if (nullable) options.push(object_with("type", Json::string("null")));
    Json s = Json::object();
    s.set("description", Json::string(describe(spec)));
    s.set(nullable ? "anyOf" : "allOf", std::move(options));
    return s;
}

// What the loader checks across keys and the schema can still say, one overload per map (the
// loader's check() overloads hold the full rules).

template <class S>
void add_constraints(Json&, std::type_identity<S>) {}

/// Keys<S>::at_least_one_key: at least one of the map's keys, a list not empty.
void require_one_key(Json& def) {
    Json any = Json::array();
    const Json& properties = def.at("properties");
    for (const auto& key : properties.keys()) {
        Json given = object_with("required", Json::strings({key}));
        if (!properties.at(key).at("items").empty()) {
            given.set("properties", object_with(key, object_with("minItems", Json::integer(1))));
        }
        any.push(std::move(given));
    }
    def.set("anyOf", std::move(any));
}

void add_constraints(Json& def, std::type_identity<CalibrationTarget>) {
    // Each metric needs some of at/from/to/skus/lab and forbids the others.
    const auto metric_is = [](Json allowed) {
        return object_with("properties", object_with("metric", std::move(allowed)));
    };
    const auto forbid = [](std::initializer_list<const char*> keys) {
        Json properties = Json::object();
        for (const char* key : keys) properties.set(key, Json::boolean(false));
        return properties;
    };
    std::vector<std::string> point_metrics;
    for (const auto& [text, metric] : detail::Spellings<CalibrationMetric>::values) {
        if (detail::measured_at_a_month(metric)) point_metrics.emplace_back(text);
    }
    Json at_a_month = Json::object();
    at_a_month.set("if", metric_is(object_with("enum", Json::strings(point_metrics))));
    Json then = object_with("required", Json::strings({"at"}));
    then.set("properties", forbid({"from", "to"}));
    at_a_month.set("then", std::move(then));
    Json otherwise = object_with("required", Json::strings({"from", "to"}));
    otherwise.set("properties", forbid({"at"}));
    at_a_month.set("else", std::move(otherwise));

    Json stock = Json::object();
    const std::string_view stock_metric = detail::spelling(CalibrationMetric::lab_stock_units);
    stock.set("if", metric_is(object_with("const", Json::string(stock_metric))));
    Json needs_skus = object_with("required", Json::strings({"skus"}));
    needs_skus.set("properties", object_with("skus", object_with("minItems", Json::integer(1))));
    stock.set("then", std::move(needs_skus));
    Json no_stock = forbid({"lab"});
    no_stock.set("skus", object_with("maxItems", Json::integer(0)));
    stock.set("else", object_with("properties", std::move(no_stock)));

    std::vector<std::string> bloc_metrics;
    for (const auto& [text, metric] : detail::Spellings<CalibrationMetric>::values) {
        if (!detail::measures_the_world(metric)) bloc_metrics.emplace_back(text);
    }
    Json needs_bloc = Json::object();
    needs_bloc.set("if", metric_is(object_with("enum", Json::strings(bloc_metrics))));
    needs_bloc.set("then", object_with("required", Json::strings({"bloc"})));

    // Rules<CalibrationTarget>: a target is a forecast or out of sample, not both.
    Json one_kind = Json::object();
    Json is_forecast = object_with("properties", object_with("forecast", object_with("const", Json::boolean(true))));
    is_forecast.set("required", Json::strings({"forecast"}));
    one_kind.set("if", std::move(is_forecast));
    one_kind.set("then", object_with("properties", object_with("out_of_sample", object_with("const", Json::boolean(false)))));

    Json all = Json::array();
    all.push(std::move(at_a_month));
    all.push(std::move(stock));
    all.push(std::move(needs_bloc));
    all.push(std::move(one_kind));
    def.set("allOf", std::move(all));
}

/// The definitions of every map, each built once, in the order first referred to.
struct Definitions {
    Json all = Json::object();
    std::set<std::string> built;

    /// Defines S (if not yet defined) and returns its id. For a map that `extends` merges
    /// (the sections under the top level), @p relaxed receives its required keys instead of
    /// the definition: a file that extends another may leave them to its parent.
    template <class S>
    std::string define(Json* relaxed);
};

template <class S>
class SchemaVisitor {
public:
    SchemaVisitor(Definitions& defs, bool merged) : defs_(defs), merged_(merged) {}

    Json properties = Json::object();
    std::vector<std::string> required;
    Json relaxed_children = Json::object();  // required keys of merged sections, by key

    void version(std::string_view key, int version, const Spec& spec) {
        Json s = Json::object();
        s.set("description", Json::string(describe(spec)));
        s.set("type", Json::string("integer"));
        s.set("const", Json::integer(version));
        add(key, std::move(s), spec);
    }

    template <class T>
    void scalar(std::string_view key, T S::*member, const Spec& spec) {
        using P = Plain<T>;
        const P* fallback = nullptr;
        if constexpr (!is_std_optional<T>::value) {
            if (spec.need == Need::optional && !detail::empty_means_absent(spec)) {
                fallback = &(defaults_.*member);
            }
        }
        add(key, scalar_schema<P>(spec, fallback, true), spec);
    }

    template <class T>
    void section(std::string_view key, T S::*, const Spec& spec) {
        Json relaxed = Json::object();
        const std::string id = defs_.template define<T>(merged_ ? &relaxed : nullptr);
        if (!relaxed.empty()) relaxed_children.set(key, std::move(relaxed));
        add(key, reference(id, spec, spec.need == Need::optional), spec);
    }

    template <class T>
    void list(std::string_view key, std::vector<T> S::*, const Spec& spec) {
        Json s = Json::object();
        s.set("description", Json::string(describe(spec)));
        // A key with nothing after it reads as an empty list.
        if (spec.need == Need::optional) {
            s.set("type", Json::strings({"array", "null"}));
        } else {
            s.set("type", Json::string("array"));
        }
        if (spec.need == Need::non_empty) s.set("minItems", Json::integer(1));
        if constexpr (std::is_same_v<T, std::string>) {
            if (spec.defines != Entity::none) s.set("uniqueItems", Json::boolean(true));
            s.set("items", scalar_schema<std::string>(spec, nullptr, false));
        } else {
            // Lists replace wholesale under `extends`, so their items are always complete.
            const std::string id = defs_.template define<T>(nullptr);
            s.set("items", object_with("$ref", Json::string("#/definitions/" + id)));
        }
        add(key, std::move(s), spec);
    }

    void interval(std::string_view key, double S::*, double S::*, const Spec& spec) {
        Json s = Json::object();
        s.set("description", Json::string(describe(spec)));
        s.set("type", Json::string("array"));
        Json number = object_with("type", Json::string("number"));
        add_range(number, spec.range);
        s.set("items", std::move(number));
        s.set("minItems", Json::integer(2));
        s.set("maxItems", Json::integer(2));
        add(key, std::move(s), spec);
    }

private:
    void add(std::string_view key, Json schema, const Spec& spec) {
        properties.set(key, std::move(schema));
        if (spec.need != Need::optional) required.emplace_back(key);
    }

    Definitions& defs_;
    bool merged_;
    const S defaults_{};
};

template <class S>
std::string Definitions::define(Json* relaxed) {
    const std::string id = id_of<S>();
    const bool first = built.insert(id).second;
    if (first) all.set(id, Json::null());  // holds the place: parents before children
    SchemaVisitor<S> v(*this, relaxed != nullptr);
    Keys<S>::visit(v);
    Json def = Json::object();
    def.set("title", Json::string(Keys<S>::title));
    def.set("description", Json::string(Keys<S>::doc));
    def.set("type", Json::string("object"));
    def.set("properties", std::move(v.properties));
    def.set("additionalProperties", Json::boolean(false));
    if (relaxed != nullptr) {
        if (!v.required.empty()) relaxed->set("required", Json::strings(v.required));
        if (!v.relaxed_children.empty()) relaxed->set("properties", std::move(v.relaxed_children));
    } else if (!v.required.empty()) {
        def.set("required", Json::strings(v.required));
    }
    add_constraints(def, std::type_identity<S>{});
    if constexpr (detail::needs_one_key<S>()) require_one_key(def);
    if (first) all.set(id, std::move(def));
    return id;
}

// ---- Markdown key reference ----------------------------------------------------------------

std::string code(std::string_view text) { return "`" + std::string(text) + "`"; }

template <class T>
std::string value_text(const T& x) {
    if constexpr (std::is_same_v<T, std::string>) {
        return "\"" + x + "\"";
    } else if constexpr (std::is_same_v<T, bool>) {
        return x ? "true" : "false";
    } else if constexpr (std::is_same_v<T, CalendarMonth>) {
        return detail::format_month(x);
    } else if constexpr (std::is_enum_v<T>) {
        return std::string(detail::spelling(x));
    } else if constexpr (std::is_floating_point_v<T>) {
        return detail::format_exact(x);
    } else {
        return std::to_string(x);
    }
}

std::string join_codes(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + code(w);
    return out;
}

/// What a string may be, for the "allowed" column.
std::string string_rule(const Spec& spec) {
    if (spec.refers == Entity::destination) {
        return "a nation, a bloc, " + join_codes(reserved_names());
    }
    if (spec.refers == Entity::own_sku) return "another SKU of the same supplier";
    if (spec.refers != Entity::none) return "a " + entity_name(spec.refers) + " name";
    if (spec.defines == Entity::bloc || spec.defines == Entity::nation) {
        return "unique; not " + join_codes(reserved_names());
    }
    if (spec.defines != Entity::none) return "unique, non-empty";
    return spec.need == Need::non_empty ? "non-empty" : "";
}

using TableWriter = void (*)(std::string&);

template <class S>
void write_table(std::string& out);

template <class S>
class ReferenceVisitor {
public:
    std::string rows;
    std::vector<TableWriter> children;  // tables of nested maps, written after this one

    void version(std::string_view key, int version, const Spec& spec) {
        row(key, "integer", spec, "required", code(std::to_string(version)));
    }

    template <class T>
    void scalar(std::string_view key, T S::*member, const Spec& spec) {
        using P = Plain<T>;
        std::string type;
        std::string allowed;
        if constexpr (std::is_same_v<P, std::string>) {
            type = "string";
            allowed = string_rule(spec);
        } else if constexpr (std::is_same_v<P, bool>) {
            type = "true/false";
        } else if constexpr (std::is_same_v<P, CalendarMonth>) {
            type = "month";
            allowed = "YYYY-MM";
        } else if constexpr (std::is_enum_v<P>) {
            type = "string";
            allowed = join_codes(spellings<P>());
        } else {
            type = std::is_integral_v<P> ? "integer" : "number";
            allowed = spec.range.describe();
            if (std::is_unsigned_v<P>) allowed = ">= 0";
            if (allowed.empty()) allowed = "any";
            if (spec.sentinel) {
                allowed += ", or " + detail::format_exact(spec.sentinel->value) + " (" +
                           std::string(spec.sentinel->meaning) + ")";
            }
        }
        std::string fallback = "none";
        if constexpr (!is_std_optional<T>::value) {
            if (!detail::empty_means_absent(spec)) fallback = code(value_text(defaults_.*member));
        }
        row(key, type, spec, fallback, allowed);
    }

    template <class T>
    void section(std::string_view key, T S::*, const Spec& spec) {
        children.push_back(&write_table<T>);
        row(key, "map", spec, "", "see " + code(Keys<T>::title));
    }

    template <class T>
    void list(std::string_view key, std::vector<T> S::*, const Spec& spec) {
        std::string type;
        std::string allowed = spec.need == Need::non_empty ? "at least one" : "";
        const auto also = [&](const std::string& rule) {
            if (!rule.empty()) allowed += (allowed.empty() ? "" : "; ") + rule;
        };
        if constexpr (std::is_same_v<T, std::string>) {
            type = "list of strings";
            also(string_rule(spec));
        } else {
            children.push_back(&write_table<T>);
            type = "list of maps";
            also("see " + code(Keys<T>::title));
        }
        row(key, type, spec, code("[]"), allowed);
    }

    void interval(std::string_view key, double S::*, double S::*, const Spec& spec) {
        row(key, "[low, high]", spec, "", "two numbers, low <= high");
    }

private:
    void row(std::string_view key, const std::string& type, const Spec& spec,
             const std::string& fallback, const std::string& allowed) {
        const std::string shown = spec.need == Need::optional ? fallback : "required";
        rows += "| " + code(key) + " | " + type + " | " + std::string(spec.unit) + " | " + shown +
                " | " + allowed + " | " + std::string(spec.doc) + " |\n";
    }

    const S defaults_{};
};

template <class S>
void write_table(std::string& out) {
    ReferenceVisitor<S> v;
    Keys<S>::visit(v);
    const std::string_view title = Keys<S>::title;
    const bool is_key = title.find(' ') == std::string_view::npos;  // not "top level"
    out += "### " + (is_key ? code(title) : std::string(title)) + "\n\n" +
           std::string(Keys<S>::doc) + "\n\n";
    out += "| key | type | unit | default | allowed | meaning |\n";
    out += "|---|---|---|---|---|---|\n";
    out += v.rows + "\n";
    for (const TableWriter child : v.children) child(out);
}

}  // namespace

std::string scenario_json_schema() {
    Definitions defs;
    SchemaVisitor<Scenario> top(defs, true);
    Json extends = Json::object();
    extends.set("description",
                Json::string("Path of a scenario file this one extends, relative to this file. "
                             "This file is merged over it: maps key by key, lists and scalars "
                             "replace. Keys the parent provides need not be repeated."));
    extends.set("type", Json::string("string"));
    extends.set("minLength", Json::integer(1));
    top.properties.set("extends", std::move(extends));
    Keys<Scenario>::visit(top);

    Json root = Json::object();
    root.set("$schema", Json::string("http://json-schema.org/draft-07/schema#"));
    root.set("title", Json::string("Polarity scenario"));
    root.set("description",
             Json::string("A Polarity scenario file (schema_version 1). Generated by `polarity "
                          "schema` from the engine's key table; do not edit by hand. See "
                          "docs/scenarios.md."));
    root.set("type", Json::string("object"));
    root.set("properties", std::move(top.properties));
    root.set("additionalProperties", Json::boolean(false));
    // Without `extends` the file must be complete; with it, required keys may come from the
    // parent (maps merge), so they are only required in the `else` branch.
    root.set("if", object_with("required", Json::strings({"extends"})));
    Json complete = object_with("required", Json::strings(top.required));
    if (!top.relaxed_children.empty()) {
        complete.set("properties", std::move(top.relaxed_children));
    }
    root.set("else", std::move(complete));
    root.set("definitions", std::move(defs.all));
    std::string out;
    root.write(out);
    return out + "\n";
}

std::string scenario_key_reference() {
    std::string out;
    write_table<Scenario>(out);
    return out;
}

}  // namespace polarity::config
