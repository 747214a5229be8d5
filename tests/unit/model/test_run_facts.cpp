// The fixed facts a run file carries about its entities (docs/output.md, "Layout"): readers
// find a lab's bloc, a SKU's maker and a rule's reach in the file, not in the scenario text.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/simulation.hpp"

using namespace polarity::model;

namespace {

const AxisFact& fact(const RunHeader& h, const std::string& name) {
    const auto it = std::find_if(h.facts.begin(), h.facts.end(), [&](const AxisFact& f) { return f.name == name; });
    REQUIRE(it != h.facts.end());
    return *it;
}

std::size_t index_of(const RunHeader& h, const std::string& axis, const std::string& label) {
    for (const auto& a : h.axes)
        if (a.name == axis) {
            const auto it = std::find(a.labels.begin(), a.labels.end(), label);
            REQUIRE(it != a.labels.end());
            return static_cast<std::size_t>(it - a.labels.begin());
        }
    FAIL("no axis " << axis);
    return 0;
}

}  // namespace

TEST_CASE("a run's facts give each lab's nation, bloc and frontier flag and each SKU's maker and bloc", "[simulation][facts]") {
    const Scenario sc = polarity::config::load_scenario_file(POLARITY_SOURCE_DIR "/scenarios/baseline.yaml");
    const Simulation sim(sc);
    const RunHeader h = sim.header();

    const AxisFact& nation = fact(h, "lab_nation");
    const AxisFact& bloc = fact(h, "lab_bloc");
    const AxisFact& frontier = fact(h, "lab_frontier");
    REQUIRE(nation.axis == "lab");
    REQUIRE(nation.text.size() == sc.labs.size());
    REQUIRE(frontier.values.size() == sc.labs.size());
    const auto deepseek = index_of(h, "lab", "deepseek"), openai = index_of(h, "lab", "openai"),
               cloud = index_of(h, "lab", "us_cloud_other");
    CHECK(nation.text[deepseek] == "prc");
    CHECK(bloc.text[deepseek] == "china");
    CHECK(bloc.text[openai] == "us_aligned");
    CHECK(frontier.values[openai] == 1);
    CHECK(frontier.values[cloud] == 0);  // an aggregate: holds compute, sets no frontier

    const AxisFact& maker = fact(h, "sku_supplier");
    const AxisFact& supplier_bloc = fact(h, "supplier_bloc");
    REQUIRE(maker.axis == "sku");
    CHECK(maker.text[index_of(h, "sku", "Ascend910C")] == "huawei");
    CHECK(maker.text[index_of(h, "sku", "H20")] == "nvidia");
    CHECK(supplier_bloc.text[index_of(h, "supplier", "huawei")] == "china");
    CHECK(supplier_bloc.text[index_of(h, "supplier", "nvidia")] == "us_aligned");
}
