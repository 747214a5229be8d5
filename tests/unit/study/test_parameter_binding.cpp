// Study parameters bound by key path through the key table, and the scenario's cross-key rules
// applied to sampled values: every sampled run before it runs, and `validate`'s corners.
#include <catch2/catch.hpp>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/model/scenario_paths.hpp"
#include "polarity/model/scenario_rules.hpp"
#include "polarity/study/parameter_binding.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/sample_rules.hpp"
#include "support/named.hpp"

using namespace polarity;
using polarity::test::named;

namespace {

const model::Scenario& minimal() {
    static const model::Scenario s = config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    return s;
}

std::string error_of(const std::string& path) {
    try {
        (void)model::bind_number(minimal(), path);
    } catch (const ConfigError& e) {
        return e.key_path() + ": " + e.message();
    }
    return "no error";
}

study::StudySpec small_with(const std::vector<study::UncertainParameter>& parameters) {
    study::StudySpec spec = config::load_study_file(POLARITY_TEST_DATA "/studies/small.yaml");
    spec.correlations.clear();
    spec.parameters = parameters;
    return spec;
}

study::ScenarioResolver resolver_for(const study::StudySpec& spec) {
    return [path = spec.scenario_path](const std::vector<std::string>& o) { return config::load_scenario_file(path, o); };
}

}  // namespace

TEST_CASE("key paths reach the number they name, by entry name or index", "[study][binding]") {
    model::Scenario s = minimal();
    const auto risk = model::bind_number(s, "labs.cn_frontier.risk_appetite");
    risk.at(s) = 0.37;
    CHECK(named(s.labs, "cn_frontier").risk_appetite == 0.37);
    CHECK(risk.key_path == "labs[1].risk_appetite");
    CHECK(risk.range.describe() == "in [0, 1]");

    const auto price = model::bind_number(s, "suppliers.huawei.skus.ascend_910b.price_usd");
    price.at(s) = 12345;
    CHECK(named(named(s.suppliers, "huawei").skus, "ascend_910b").price_usd == 12345);

    const auto approval = model::bind_number(s, "policy.rules.tier2_license.approval_rate");
    approval.at(s) = 0.25;
    CHECK(named(s.policy.rules, "tier2_license").approval_rate == 0.25);

    const auto by_index = model::bind_number(s, "labs.2.risk_appetite");
    CHECK(&by_index.at(s) == &named(s.labs, "in_lab").risk_appetite);

    // Bound once, the binding reaches the same number in a copy.
    model::Scenario copy = s;
    model::bind_number(s, "world.utilization").at(copy) = 0.55;
    CHECK(copy.world.utilization == 0.55);
    CHECK(s.world.utilization != 0.55);
}

TEST_CASE("key paths that name no number fail with the walked key path", "[study][binding]") {
    CHECK_THAT(error_of("labs.cn_frontir.risk_appetite"), Catch::Contains("labs: no entry is named 'cn_frontir'"));
    CHECK_THAT(error_of("labs.cn_frontier.risk"), Catch::Contains("labs[1]: no key 'risk'"));
    CHECK_THAT(error_of("labs.7.risk_appetite"), Catch::Contains("no entry 7 (the list has 3 entries)"));
    CHECK_THAT(error_of("world"), Catch::Contains("world: is a section"));
    CHECK_THAT(error_of("labs.cn_frontier.name"), Catch::Contains("not a number the study can sample"));
    CHECK_THAT(error_of("world.training_run_months"), Catch::Contains("not a number the study can sample"));
    CHECK_THAT(error_of("blocs.0"), Catch::Contains("blocs: is a list of names"));
    CHECK_THAT(error_of("world.utilization.x"), Catch::Contains("world.utilization: is a value"));
    CHECK_THAT(error_of("policy.rules.tier2_license.chips.interconnect_at_least_gbps"), Catch::Contains("is not set"));
}

TEST_CASE("validate_sampled finds values outside their range and broken cross-key rules", "[study][rules]") {
    model::Scenario s = minimal();
    CHECK_FALSE(model::keys::validate_sampled(s));
    named(s.labs, "cn_frontier").research_share = 0.9;
    auto breach = model::keys::validate_sampled(s);
    REQUIRE(breach);
    CHECK(breach->key_path == "labs[1].research_share");
    CHECK_THAT(breach->message, Catch::StartsWith("expected training_share + research_share <= 1"));

    s = minimal();
    s.world.utilization = 1.5;
    breach = model::keys::validate_sampled(s);
    REQUIRE(breach);
    CHECK(breach->key_path == "world.utilization");

    s = minimal();
    s.algorithms.research_factor_min = s.algorithms.research_factor_max + 1;
    breach = model::keys::validate_sampled(s);
    REQUIRE(breach);
    CHECK(breach->key_path == "algorithms.research_factor_min");
}

TEST_CASE("a study whose samples break a cross-key rule stops before it runs", "[study][rules]") {
    // Each share alone is fine; together they can exceed 1, which --set of the pair rejects.
    const model::Lab& lab = named(minimal().labs, "cn_frontier");
    const double room = 1 - lab.training_share;
    auto spec = small_with({{"training", "labs.cn_frontier.training_share", {study::Uniform{0.1, 0.7}}, {"s.yaml", 20, 7, "parameters[0].path"}},
                            {"research", "labs.cn_frontier.research_share", {study::Uniform{0.1, 0.6}}, {"s.yaml", 23, 7, "parameters[1].path"}}});
    REQUIRE(room > 0.1);
    try {
        (void)study::plan_study(spec, resolver_for(spec), 0);
        FAIL("no error");
    } catch (const ConfigError& e) {
        INFO(e.what());
        CHECK(e.line() == 20);
        CHECK_THAT(e.message(), Catch::Contains("expected training_share + research_share <= 1"));
        CHECK_THAT(e.message(), Catch::Contains("parameter 'research' (s.yaml:23:7) = "));
    }

    // validate: the one corner (both at the top of their ranges) that breaks it, in both arms.
    const auto plan = study::plan_arms(spec, resolver_for(spec));
    const auto breaches = study::corner_breaches(plan);
    REQUIRE(breaches.size() == 1);
    CHECK(breaches[0].arms == std::vector<std::string>{"weak", "strong"});
    CHECK(breaches[0].key_path == "labs[1].research_share");
    CHECK(breaches[0].parameters == std::vector<std::size_t>{0, 1});
    CHECK(breaches[0].values[0] == Approx(0.7));
    CHECK(breaches[0].values[1] == Approx(0.6));
    const std::string text = study::format_breach(spec, breaches[0]);
    CHECK_THAT(text, Catch::Contains("s.yaml:20:7: parameters[0].path: parameter 'training'"));
    CHECK_THAT(text, Catch::Contains("s.yaml:23:7: parameters[1].path: parameter 'research'"));

    // Ranges that cannot break it plan and validate cleanly.
    spec.parameters[1].distribution = {study::Uniform{0.1, 0.3}};
    CHECK(study::corner_breaches(study::plan_arms(spec, resolver_for(spec))).empty());
    CHECK_NOTHROW(study::plan_study(spec, resolver_for(spec), 0));
}

TEST_CASE("a choice parameter is checked at each of its values", "[study][rules]") {
    auto spec = small_with({{"floor", "algorithms.research_factor_min", {study::Choice{{0.5, 9.0, 1.0}, {}}}, {}}});
    const auto breaches = study::corner_breaches(study::plan_arms(spec, resolver_for(spec)));
    REQUIRE(breaches.size() == 1);  // only 9 exceeds research_factor_max (4)
    CHECK(breaches[0].values == std::vector<double>{9.0});
}
