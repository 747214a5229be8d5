// The playground's JSON API without a socket: levers read off the key table, runs equal to the
// engine's own, requests refused with the loader's messages, studies deterministic and capped.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/scenario_schema.hpp"
#include "polarity/core/error.hpp"
#include "polarity/io/summary.hpp"
#include "polarity/model/recorder.hpp"
#include "polarity/model/scenario_paths.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/serve/playground.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using polarity::serve::Limits;
using polarity::serve::Playground;

namespace {

const fs::path kScenarios = fs::path(POLARITY_SOURCE_DIR) / "scenarios";
const fs::path kFutures = fs::path(POLARITY_SOURCE_DIR) / "web" / "futures.yaml";

Playground& shared_playground() {
    static Playground p({kScenarios / "baseline.yaml", kScenarios / "classroom" / "own_chips.yaml"}, kFutures);
    return p;
}

json ok(const polarity::serve::Reply& r) {
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

/// The message the loader gives for the same `--set`.
std::string loader_message(const std::string& assignment) {
    try {
        (void)polarity::config::load_scenario_file((kScenarios / "baseline.yaml").string(), {assignment});
    } catch (const polarity::ConfigError& e) {
        return e.what();
    }
    FAIL("the loader accepted " << assignment);
    return "";
}

json lever(const json& levers, const std::string& id) {
    for (const auto& l : levers["levers"])
        if (l["id"] == id) return l;
    FAIL("no lever " << id);
    return {};
}

}  // namespace

TEST_CASE("Presets: the baseline and the classroom file, each with its question", "[serve]") {
    const json j = ok(shared_playground().presets());
    REQUIRE(j["presets"].size() == 2);
    CHECK(j["presets"][0]["id"] == "baseline");
    CHECK(j["presets"][1]["id"] == "own_chips");
    const auto own = polarity::config::load_scenario_file((kScenarios / "classroom" / "own_chips.yaml").string());
    CHECK(j["presets"][1]["question"] == own.question.text);
    // The baseline states no question in words: the one its outcome answers is spelled out.
    CHECK(j["presets"][0]["question"].get<std::string>().find("China") != std::string::npos);
}

TEST_CASE("Levers: unit, range and description from the key table, value from the preset", "[serve]") {
    const json levers = ok(shared_playground().levers("baseline"));
    const auto scenario = polarity::config::load_scenario_file((kScenarios / "baseline.yaml").string());
    const json yield = lever(levers, "huawei_yield");
    const auto binding = polarity::model::bind_number(scenario, "suppliers.huawei.yield");
    CHECK(yield["paths"][0] == "suppliers.huawei.yield");
    auto copy = scenario;
    CHECK(yield["value"].get<double>() == binding.at(copy));
    CHECK(yield["range"]["low"].get<double>() == binding.range.low());
    CHECK(yield["range"]["high"].get<double>() == binding.range.high());
    CHECK(yield["range"]["low_open"] == binding.range.low_open());
    // The key reference (docs/scenarios.md) is another visitor of the same key table.
    const std::string reference = polarity::config::scenario_key_reference();
    CHECK(!yield["description"].get<std::string>().empty());
    CHECK(reference.find(yield["description"].get<std::string>()) != std::string::npos);
    CHECK(yield["unit"] == "share");
    // An open end is stepped inside, so every slider position is a value the key accepts.
    CHECK(yield["slider"]["min"].get<double>() > 0);
    const json enforcement = lever(levers, "enforcement");
    CHECK(enforcement["range"]["high"].get<double>() == 10);
    CHECK(enforcement["slider"]["max"].get<double>() == Approx(3));
    CHECK(lever(levers, "remote_access")["paths"].size() == scenario.policy.remote_access.size());
    CHECK(levers["rules"].size() == scenario.policy.rules.size());
    CHECK(levers["rules"][0]["name"] == scenario.policy.rules[0].name);
}

TEST_CASE("Run: the same outcome, answer and series as the engine run with the same --set", "[serve]") {
    const json run = ok(shared_playground().run(
        R"({"preset": "own_chips", "set": {"policy.enforcement_scale": 0.4, "policy.design_around": false}})"));
    const auto scenario = polarity::config::load_scenario_file(
        (kScenarios / "classroom" / "own_chips.yaml").string(),
        {"policy.enforcement_scale=0.4", "policy.design_around=false"});
    polarity::model::MemoryRecorder rec;
    const auto outcome = polarity::model::run_scenario(scenario, rec);
    CHECK(run["outcome"]["answer"] == polarity::io::format_answer(rec.header, outcome));
    CHECK(run["outcome"]["class"] == polarity::model::to_string(outcome.label));
    CHECK(run["months"].size() == rec.months.size());
    const auto& capability = run["series"]["bloc_frontier_capability"]["values"];
    const std::size_t china = 1, last = rec.months.size() - 1;
    CHECK(capability[china][last].get<double>() == rec.at("bloc_frontier_capability", static_cast<int>(last), china));
    CHECK(run["threshold"].get<double>() == scenario.world.powerful_ai_capability);
    for (const char* route : {"legal", "licensed", "gray", "domestic", "remote"})
        CHECK(run["series"].contains(std::string("bloc_delivered_") + route + "_units"));
}

TEST_CASE("Run: a rule switched off is not in force", "[serve]") {
    // The China chip rules of 2022-24 off: China buys the top chips they denied and ends 2024
    // with more compute; with them in force (the baseline) it has less.
    const json base = ok(shared_playground().run(R"({"preset": "baseline"})"));
    const json off = ok(shared_playground().run(
        R"({"preset": "baseline", "rules_off": ["oct2022_advanced_computing", "oct2023_advanced_computing", "dec2024_hbm_entity_list"]})"));
    const std::size_t dec2024 = 23, china = 1;
    auto compute = [&](const json& run) { return run["series"]["bloc_compute_h100e"]["values"][china][dec2024].get<double>(); };
    REQUIRE(base["months"][dec2024] == "2024-12");
    CHECK(compute(off) > 1.2 * compute(base));
    CHECK(off["overrides"].size() == 3);  // one enabled=false each
    CHECK(off["overrides"][0] == "policy.rules.oct2022_advanced_computing.enabled=false");
}

TEST_CASE("Run: bad requests are refused with the loader's own messages", "[serve]") {
    auto& p = shared_playground();
    auto refused = [&](const std::string& body, int status) {
        const auto r = p.run(body);
        INFO(body << " -> " << r.body);
        CHECK(r.status == status);
        return json::parse(r.body)["error"].get<std::string>();
    };
    CHECK(refused("{not json", 400).find("not JSON") != std::string::npos);
    CHECK(refused("[1, 2]", 400).find("JSON object") != std::string::npos);
    CHECK(refused(R"({"preset": "baseline", "extra": 1})", 400).find("unknown member 'extra'") != std::string::npos);
    CHECK(refused(R"({"set": {}})", 400).find("preset: missing") != std::string::npos);
    CHECK(refused(R"({"preset": "nowhere"})", 404).find("no preset 'nowhere'") != std::string::npos);
    CHECK(refused(R"({"preset": "baseline", "set": {"policy.enforcment_scale": 1}})", 400) ==
          loader_message("policy.enforcment_scale=1"));
    CHECK(refused(R"({"preset": "baseline", "set": {"policy.enforcement_scale": 50}})", 400) ==
          loader_message("policy.enforcement_scale=50"));
    CHECK(refused(R"({"preset": "baseline", "set": {"policy.design_around": "maybe"}})", 400) ==
          loader_message("policy.design_around=\"maybe\""));
    // Values stay scalars: a map or list never reaches the loader.
    CHECK(refused(R"({"preset": "baseline", "set": {"policy.rules": []}})", 400).find("expected a number") !=
          std::string::npos);
    CHECK(refused(R"({"preset": "baseline", "set": {"policy.rules=[]#": 1}})", 400).find("not a key path") !=
          std::string::npos);
    CHECK(refused(R"({"preset": "baseline", "rules_off": ["no_such_rule"]})", 400).find("not a rule") !=
          std::string::npos);
    CHECK(refused(R"({"preset": "baseline", "set": {"run.horizon_months": 600}})", 413).find("at most 240") !=
          std::string::npos);
}

TEST_CASE("Run and study: the time and concurrency caps", "[serve]") {
    Limits tight;
    tight.max_run_time = std::chrono::milliseconds(0);
    tight.max_concurrent_studies = 0;
    Playground p({kScenarios / "baseline.yaml"}, kFutures, tight);
    const auto run = p.run(R"({"preset": "baseline"})");
    CHECK(run.status == 422);
    CHECK(json::parse(run.body)["error"].get<std::string>().find("longer than 0 ms") != std::string::npos);
    CHECK(p.study(R"({"preset": "baseline", "runs": 2})").status == 503);
    CHECK(shared_playground().study(R"({"preset": "baseline", "runs": 501})").status == 413);
    CHECK(shared_playground().study(R"({"preset": "baseline", "runs": 0})").status == 400);
}

TEST_CASE("Study: outcome probabilities over the futures, deterministic, levers not sampled", "[serve]") {
    const std::string body = R"({"preset": "baseline", "runs": 24, "set": {"labs.deepseek.risk_appetite": 0.9}})";
    json a = ok(shared_playground().study(body));
    const json b = ok(shared_playground().study(body));
    CHECK(a["runs"] == 24);
    double total = 0;
    std::size_t count = 0;
    for (const auto& c : a["classes"]) {
        total += c["probability"].get<double>();
        count += c["count"].get<std::size_t>();
        CHECK(c["low"].get<double>() <= c["probability"].get<double>());
    }
    CHECK(total == Approx(1.0));
    CHECK(count == 24);
    // The lever the student set is not also sampled.
    for (const auto& u : a["parameters"]) CHECK(u["path"] != "labs.deepseek.risk_appetite");
    CHECK(a["parameters"].size() == 2);
    const auto& lag = a["bands"]["rival_lag_months"]["values"];
    REQUIRE(lag.size() == 5);
    CHECK(lag[0].size() == a["months"].size());
    for (std::size_t m = 0; m < lag[0].size(); ++m) CHECK(lag[0][m].get<double>() <= lag[4][m].get<double>());
    a.erase("elapsed_ms");
    json b2 = b;
    b2.erase("elapsed_ms");
    CHECK(a == b2);
}
