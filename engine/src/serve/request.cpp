#include "request.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace polarity::serve::detail {
namespace {

using nlohmann::json;

[[noreturn]] void refuse(const std::string& message) { throw RequestError(400, message); }

/// Key paths as `--set` writes them: names, list indices and entry names joined by dots. Nothing
/// that could end the path early or be read as YAML.
bool plausible_path(const std::string& path) {
    if (path.empty() || path.size() > 200 || path.front() == '.' || path.back() == '.') return false;
    return std::all_of(path.begin(), path.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

/// The YAML text of a JSON value: numbers and booleans as JSON writes them (valid YAML), strings
/// as JSON-quoted strings (YAML double-quoted scalars), so a value can never become a map or list.
std::string yaml_value(const std::string& path, const json& v) {
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
    if (v.is_number_float()) {
        if (!std::isfinite(v.get<double>())) refuse("set." + path + ": expected a finite number");
        return v.dump();
    }
    if (v.is_string()) {
        if (v.get_ref<const std::string&>().size() > 200) refuse("set." + path + ": text longer than 200 characters");
        return v.dump();
    }
    refuse("set." + path + ": expected a number, true/false or text, got " + std::string(v.type_name()));
}

}  // namespace

ScenarioRequest parse_request(const std::string& body, bool study, const Limits& limits) {
    json j;
    try {
        j = json::parse(body);
    } catch (const json::parse_error& e) {
        refuse(std::string("the request is not JSON: ") + e.what());
    }
    if (!j.is_object()) refuse("the request must be a JSON object");
    ScenarioRequest r;
    for (const auto& [member, value] : j.items()) {
        if (member == "preset") {
            if (!value.is_string()) refuse("preset: expected the name of a preset");
            r.preset = value.get<std::string>();
        } else if (member == "set") {
            if (!value.is_object()) refuse("set: expected an object of key paths and values");
            for (const auto& [path, v] : value.items()) {
                if (!plausible_path(path)) refuse("set: '" + path.substr(0, 200) + "' is not a key path");
                r.set_paths.push_back(path);
                r.overrides.push_back(path + "=" + yaml_value(path, v));
            }
        } else if (member == "rules_off") {
            if (!value.is_array()) refuse("rules_off: expected a list of rule names");
            for (const auto& name : value) {
                if (!name.is_string() || !plausible_path(name.get<std::string>()) ||
                    name.get<std::string>().find('.') != std::string::npos)
                    refuse("rules_off: expected rule names");
                r.rules_off.push_back(name.get<std::string>());
            }
        } else if (member == "runs" && study) {
            if (!value.is_number_integer() || value.get<long long>() < 1)
                refuse("runs: expected a whole number of runs, at least 1");
            if (value.get<long long>() > limits.max_study_runs)
                throw RequestError(413, "runs: at most " + std::to_string(limits.max_study_runs) + " runs per request");
            r.runs = value.get<int>();
        } else {
            refuse("unknown member '" + member.substr(0, 100) + "' (expected: preset, set, rules_off" +
                   (study ? ", runs)" : ")"));
        }
    }
    if (r.preset.empty()) refuse("preset: missing; name one of the presets (GET /api/presets)");
    if (r.overrides.size() + r.rules_off.size() > limits.max_overrides)
        throw RequestError(413, "at most " + std::to_string(limits.max_overrides) + " entries in set and rules_off");
    return r;
}

}  // namespace polarity::serve::detail
