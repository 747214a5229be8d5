#include "polarity/model/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace polarity::model {

namespace {

/// A series over one kind of agent: get(agent) for each, in index order.
template <class T, class Get>
auto per(std::vector<T> World::*items, Get get) {
    return [items, get](const RecordContext& c, std::vector<double>& out) {
        out.clear();
        out.reserve((c.w.*items).size());
        for (const auto& x : c.w.*items) out.push_back(get(x));
    };
}
template <class Get>
auto per_lab(Get get) { return per(&World::labs, get); }
template <class Get>
auto per_sku(Get get) { return per(&World::skus, get); }
template <class Get>
auto per_nation(Get get) { return per(&World::nations, get); }
template <class Get>
auto per_supplier(Get get) { return per(&World::suppliers, get); }
auto bloc_vector(const std::vector<double> BlocMetrics::*field) {
    return [field](const RecordContext& c, std::vector<double>& out) { out = c.m.*field; };
}
auto bloc_route(Route r) {
    return [r](const RecordContext& c, std::vector<double>& out) {
        out.assign(c.w.blocs.size(), 0.0);
        for (const auto& l : c.w.labs) out[static_cast<std::size_t>(l.bloc)] += l.delivered_by_route[static_cast<std::size_t>(r)];
    };
}
auto scalar(std::function<double(const RecordContext&)> get) {
    return [get](const RecordContext& c, std::vector<double>& out) { out.assign(1, get(c)); };
}

}  // namespace

const std::vector<SeriesDef>& series_table() {
    static const std::vector<SeriesDef> table = [] {
        std::vector<SeriesDef> t;
        const auto add = [&t](std::string name, std::string axis, std::string units, std::string desc,
                              std::function<void(const RecordContext&, std::vector<double>&)> fill,
                              bool integer = false, bool bandable = false) {
            t.push_back({{std::move(name), std::move(axis), std::move(units), std::move(desc), integer, bandable},
                         std::move(fill)});
        };
        // Polarity: the declared pair first, then every bloc.
        add("powerful_ai_holders", "", "1",
            "which side of the declared pair is past the powerful-AI threshold: 0 neither, 1 the leader's sphere, "
            "2 the rival's, 3 both",
            scalar([](const RecordContext& c) { return static_cast<double>(c.m.holders); }), true);
        add("leader_frontier_capability", "", "log10 FLOP", "best capability in the leader's sphere (the leader bloc and nations aligned with it)",
            scalar([](const RecordContext& c) { return c.m.leader_capability; }), false, true);
        add("rival_frontier_capability", "", "log10 FLOP", "best capability in the rival's sphere",
            scalar([](const RecordContext& c) { return c.m.rival_capability; }), false, true);
        add("rival_lag_months", "", "months",
            "months since the leader's frontier first stood where the rival's stands now (negative: the rival leads)",
            scalar([](const RecordContext& c) { return c.m.rival_lag_months; }), false, true);
        add("leader_rival_compute_ratio", "", "1", "leader's sphere / rival's sphere, usable compute (H100e); inf when the rival holds none",
            scalar([](const RecordContext& c) { return pair_ratio(c.m.leader_h100e, c.m.rival_h100e); }), false, true);
        add("leader_rival_chip_ratio", "", "1", "leader's sphere / rival's sphere, chips held",
            scalar([](const RecordContext& c) { return pair_ratio(c.m.leader_chips, c.m.rival_chips); }));
        add("leader_rival_effective_compute_ratio", "", "1",
            "leader's sphere / rival's sphere, effective compute (compute x algorithmic efficiency)",
            scalar([](const RecordContext& c) { return pair_ratio(c.m.leader_effective, c.m.rival_effective); }));
        add("rival_compute_share", "", "1", "rival sphere's share of world usable compute (H100e)",
            scalar([](const RecordContext& c) { return c.m.rival_compute_share; }), false, true);
        add("effective_poles", "", "1", "1 / sum of squared bloc shares of world effective compute",
            scalar([](const RecordContext& c) { return c.m.effective_poles; }), false, true);
        add("frontier_bloc", "", "index", "index into bloc of the bloc with the best model",
            scalar([](const RecordContext& c) { return static_cast<double>(c.m.frontier_bloc); }), true);
        add("gray_enforcement", "", "1", "strongest effective enforcement of a deny or licence rule in force",
            scalar([](const RecordContext& c) { return c.g.gray_enforcement; }));
        add("remote_access_open", "", "1", "1 when foreign clouds may rent compute to restricted nations this month",
            scalar([](const RecordContext& c) { return c.g.remote_open ? 1.0 : 0.0; }), true);
        add("remote_access_capacity_units", "", "chips",
            "chips foreign clouds may rent to each restricted nation this month (when open)",
            scalar([](const RecordContext& c) { return c.g.remote_capacity_units; }));
        add("rule_in_force", "rule", "1", "1 when the export rule is in force this month",
            [](const RecordContext& c, std::vector<double>& out) {
                out.assign(c.g.rule_in_force.begin(), c.g.rule_in_force.end());
            }, true);
        add("bloc_frontier_capability", "bloc", "log10 FLOP", "capability of the bloc's best model (log10 effective training FLOP + paradigm term)",
            bloc_vector(&BlocMetrics::capability), false, true);
        add("bloc_lag_months", "bloc", "months",
            "months since the leader's frontier first stood where the bloc stands now (negative: the bloc leads)",
            bloc_vector(&BlocMetrics::lag_months), false, true);
        add("bloc_compute_h100e", "bloc", "H100e", "usable training-equivalent compute held by the bloc's labs",
            bloc_vector(&BlocMetrics::compute_h100e), false, true);
        add("bloc_compute_share", "bloc", "1", "share of world usable compute (H100e)",
            bloc_vector(&BlocMetrics::compute_share), false, true);
        add("bloc_chips_units", "bloc", "chips", "chips held by the bloc's labs, at home and rented abroad",
            bloc_vector(&BlocMetrics::chips_units), false, true);
        add("bloc_effective_compute_share", "bloc", "1", "share of world effective compute (compute x algorithmic efficiency)",
            bloc_vector(&BlocMetrics::effective_share), false, true);
        add("bloc_strategic_compute_h100e", "bloc", "H100e", "compute devoted to military and security uses",
            bloc_vector(&BlocMetrics::strategic_h100e), false, true);
        add("bloc_past_threshold", "bloc", "1", "1 when the bloc's capability is at or past the powerful-AI threshold",
            [](const RecordContext& c, std::vector<double>& out) { out.assign(c.m.past_threshold.begin(), c.m.past_threshold.end()); }, true);
        for (int r = 0; r < route_count; ++r) {
            const auto route = static_cast<Route>(r);
            add(std::string("bloc_delivered_") + to_string(route) + "_units", "bloc", "chips",
                std::string("chips received this month by the bloc's labs on the ") + to_string(route) + " route (net of seizures)",
                bloc_route(route));
        }
        // Labs.
        add("lab_capability", "lab", "log10 FLOP", "capability of the lab's current frontier run", per_lab([](const LabState& l) { return l.capability; }));
        add("lab_best_capability", "lab", "log10 FLOP", "capability of the best model the lab has trained", per_lab([](const LabState& l) { return l.best_capability; }));
        add("lab_algorithmic_efficiency_log10", "lab", "log10", "algorithmic efficiency multiplier over the start", per_lab([](const LabState& l) { return l.algorithmic_log10; }));
        add("lab_compute_h100e", "lab", "H100e", "usable training-equivalent compute", per_lab([](const LabState& l) { return l.usable_h100e; }));
        add("lab_training_h100e", "lab", "H100e", "compute on training this month", per_lab([](const LabState& l) { return l.training_h100e; }));
        add("lab_serving_h100e", "lab", "H100e", "serving-equivalent compute on customers this month", per_lab([](const LabState& l) { return l.serving_h100e; }));
        add("lab_chips_units", "lab", "chips", "chips held, at home and rented abroad", per_lab([](const LabState& l) {
            double u = 0;
            for (std::size_t s = 0; s < l.owned_units.size(); ++s) u += l.owned_units[s] + l.remote_units[s];
            return u;
        }));
        add("lab_budget_usd", "lab", "USD", "chip budget this month", per_lab([](const LabState& l) { return l.budget_usd; }));
        add("lab_spend_usd", "lab", "USD", "spent on chips this month", per_lab([](const LabState& l) { return l.spend_usd; }));
        add("lab_revenue_usd", "lab", "USD", "revenue this month", per_lab([](const LabState& l) { return l.revenue_usd; }));
        add("lab_funding_usd", "lab", "USD", "outside and state funding received this month", per_lab([](const LabState& l) { return l.funding_in_usd; }));
        add("lab_cash_usd", "lab", "USD", "cash at the end of the month", per_lab([](const LabState& l) { return l.cash_usd; }));
        // Chips.
        add("sku_price_usd", "sku", "USD", "price per chip", per_sku([](const SkuState& k) { return k.price_usd; }));
        add("sku_produced_units", "sku", "chips", "made this month", per_sku([](const SkuState& k) { return k.produced_month; }));
        add("sku_delivered_units", "sku", "chips", "left inventory this month (all routes, seizures included)", per_sku([](const SkuState& k) { return k.delivered_month; }));
        add("sku_seized_units", "sku", "chips", "seized in transit this month", per_sku([](const SkuState& k) { return k.seized_month; }));
        add("sku_inventory_units", "sku", "chips", "made and not yet delivered", per_sku([](const SkuState& k) { return static_cast<double>(k.inventory_units); }));
        add("supplier_capacity_units", "supplier", "chips/month", "wafer-limited capacity", per_supplier([](const SupplierState& s) { return s.capacity_units_per_month; }));
        add("supplier_revenue_usd", "supplier", "USD", "revenue this month after licence revenue shares", per_supplier([](const SupplierState& s) { return s.revenue_usd_month; }));
        // Nations.
        add("nation_enforcement_effort", "nation", "1", "adaptive multiplier on the enforcement of rules the nation controls", per_nation([](const NationState& n) { return n.enforcement_effort; }));
        add("nation_cut_off", "nation", "1", "1 when a deny rule in force covers an active chip for the nation", per_nation([](const NationState& n) { return n.cut_off ? 1.0 : 0.0; }), true);
        add("nation_licence_revenue_usd", "nation", "USD", "licence revenue shares received this month", per_nation([](const NationState& n) { return n.treasury_month_usd; }));
        add("nation_hub_gray_units", "nation", "chips", "chips sent through the nation as a gray-market hub this month", per_nation([](const NationState& n) { return n.gray_units_month; }));
        for (int k = 0; k < leak_count; ++k) {
            const auto leak = static_cast<Leak>(k);
            add(std::string("nation_leaked_") + to_string(leak) + "_units", "nation", "chips",
                std::string("chips the nation's labs received this month through the ") + to_string(leak) +
                    " leak (net of seizures)",
                per_nation([k](const NationState& n) { return n.leaked_units_month[static_cast<std::size_t>(k)]; }));
        }
        add("supplier_yield", "supplier", "1", "share of good dies, before tool controls' yield factor", per_supplier([](const SupplierState& s) { return s.yield; }));
        add("supplier_hbm_stock_stacks", "supplier", "stacks", "HBM stacks in store after this month's production", per_supplier([](const SupplierState& s) { return s.hbm_stock_stacks; }));
        return t;
    }();
    return table;
}

std::size_t series_index(const std::string& name) {
    const auto& t = series_table();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].spec.name == name) return i;
    return t.size();
}

Simulation::Simulation(const Scenario& scenario)
    : scenario_(scenario), world_(build_world(scenario)), policy_(build_policy_index(world_)) {
    last_.lag_months.assign(world_.blocs.size(), 0.0);
}

RunHeader Simulation::header() const {
    RunHeader h;
    h.scenario_name = scenario_.name;
    h.scenario_text = scenario_.source_text;
    h.scenario_path = scenario_.source_path;
    h.question_text = scenario_.question.text;
    h.seed = scenario_.run.seed;
    h.run_index = scenario_.run.run_index;
    h.start = scenario_.run.start;
    h.horizon_months = scenario_.run.horizon_months;
    h.axes.push_back({"bloc", scenario_.blocs});
    Axis nation{"nation", {}}, lab{"lab", {}}, supplier{"supplier", {}}, sku{"sku", {}}, route{"route", {}}, rule{"rule", {}};
    for (const auto& r : scenario_.policy.rules) rule.labels.push_back(r.name);
    for (const auto& n : scenario_.nations) nation.labels.push_back(n.name);
    for (const auto& l : scenario_.labs) lab.labels.push_back(l.name);
    for (const auto& s : scenario_.suppliers) {
        supplier.labels.push_back(s.name);
        for (const auto& k : s.skus) sku.labels.push_back(k.name);
    }
    for (int r = 0; r < route_count; ++r) route.labels.push_back(to_string(static_cast<Route>(r)));
    h.axes.push_back(std::move(nation));
    h.axes.push_back(std::move(lab));
    h.axes.push_back(std::move(supplier));
    h.axes.push_back(std::move(sku));
    h.axes.push_back(std::move(route));
    h.axes.push_back(std::move(rule));
    for (const auto& s : series_table()) h.series.push_back(s.spec);
    h.facts = rule_facts();
    for (auto& fact : lab_facts()) h.facts.push_back(std::move(fact));
    for (auto& fact : supply_facts()) h.facts.push_back(std::move(fact));
    h.attributes = scenario_attributes(scenario_);
    return h;
}

std::vector<AxisFact> Simulation::rule_facts() const {
    const auto& rules = scenario_.policy.rules;
    AxisFact title{"rule_title", "rule", "", "", "readable title of the export rule (its name when the scenario gives none)", true, {}, {}};
    AxisFact action{"rule_action", "rule", "", "", "what the rule does to covered sales: deny, license or allow", true, {}, {}};
    AxisFact reaches{"rule_reaches", "rule", "bloc", "1",
                     "1 when the rule's destinations include a nation of the bloc (its own jurisdiction excepted)", false, {}, {}};
    reaches.values.assign(rules.size() * world_.blocs.size(), 0);
    for (std::size_t r = 0; r < rules.size(); ++r) {
        title.text.push_back(rules[r].title.value_or(rules[r].name));
        action.text.push_back(rules[r].action == RuleAction::deny      ? "deny"
                              : rules[r].action == RuleAction::license ? "license"
                                                                       : "allow");
        for (std::size_t n = 0; n < world_.nations.size(); ++n) {
            const auto& nation = world_.nations[n];
            if (policy_.reaches[r][n] && nation.spec->name != rules[r].jurisdiction)
                reaches.values[r * world_.blocs.size() + static_cast<std::size_t>(nation.bloc)] = 1;
        }
    }
    return {std::move(title), std::move(action), std::move(reaches)};
}

std::vector<AxisFact> Simulation::lab_facts() const {
    AxisFact nation{"lab_nation", "lab", "", "", "the nation the lab is based in", true, {}, {}};
    AxisFact bloc{"lab_bloc", "lab", "", "", "the bloc of the lab's nation, where its compute and capability count", true, {}, {}};
    AxisFact frontier{"lab_frontier", "lab", "", "1",
                      "1 when the lab's models count toward its bloc's frontier (0 for aggregates such as other clouds)", false, {}, {}};
    for (const auto& l : world_.labs) {
        nation.text.push_back(scenario_.nations[static_cast<std::size_t>(l.nation)].name);
        bloc.text.push_back(scenario_.blocs[static_cast<std::size_t>(l.bloc)]);
        frontier.values.push_back(l.spec->frontier ? 1 : 0);
    }
    return {std::move(nation), std::move(bloc), std::move(frontier)};
}

std::vector<AxisFact> Simulation::supply_facts() const {
    AxisFact bloc{"supplier_bloc", "supplier", "", "", "the bloc of the supplier's home nation", true, {}, {}};
    AxisFact maker{"sku_supplier", "sku", "", "", "the supplier that makes the SKU", true, {}, {}};
    for (const auto& s : world_.suppliers) {
        bloc.text.push_back(scenario_.blocs[static_cast<std::size_t>(world_.nations[static_cast<std::size_t>(s.nation)].bloc)]);
        for (std::size_t k = 0; k < s.spec->skus.size(); ++k) maker.text.push_back(s.spec->name);
    }
    return {std::move(bloc), std::move(maker)};
}

MonthRecord Simulation::record(int month_index, const BlocMetrics& m) const {
    const int serial = scenario_.run.start.serial() + month_index;
    MonthRecord r;
    r.month_index = month_index;
    r.date = CalendarMonth::from_serial(serial);
    const RecordContext ctx{world_, m, regime_};
    r.values.resize(series_table().size());
    for (std::size_t i = 0; i < series_table().size(); ++i) series_table()[i].fill(ctx, r.values[i]);
    return r;
}

MonthRecord Simulation::step() {
    const int month = world_.month_index;
    advance();
    return record(month, last_);
}

void Simulation::advance() {
    const int serial = scenario_.run.start.serial() + world_.month_index;
    std::vector<double> cash_before;
    for (const auto& l : world_.labs) cash_before.push_back(l.cash_usd);
    double intermediaries_before = 0;
    for (const auto& n : world_.nations) intermediaries_before += n.gray_intermediary_usd + n.cloud_income_usd;

    // 1. Policy: adaptive rules react to last month, then the regime in force.
    if (world_.month_index > 0) apply_adaptive_rules(world_, last_.lag_months);
    regime_ = regime_in_force(world_, policy_, serial);
    update_active_skus(world_, serial);
    // 2. Production.
    const std::vector<double> made = produce(world_, regime_, serial);
    for (std::size_t s = 0; s < made.size(); ++s) world_.skus[s].produced_month = made[s];
    // 3. Demand.
    const std::vector<double> budgets = lab_budgets(world_);
    // 4. Market clearing, then prices respond to excess demand.
    const ClearingResult cleared = clear_market(world_, regime_, budgets);
    // 5. Compute stocks: depreciation, then deliveries.
    depreciate(world_);
    settle_deliveries(world_, cleared);
    update_prices(world_, cleared, made);
    // 6. Training and capability.
    train(world_, regime_, serial);
    // 7. Algorithms.
    advance_algorithms(world_);
    // 8. Money.
    earn_revenue(world_);
    check_conservation(cash_before, intermediaries_before, cleared);
    // 9. Metrics and recording.
    last_ = measure_polarity(world_);
    ++world_.month_index;
}

Outcome Simulation::outcome() const { return settle_outcome(world_, last_); }

void Simulation::read_series(std::size_t index, std::vector<double>& out) const {
    series_table()[index].fill(RecordContext{world_, last_, regime_}, out);
}

void Simulation::check_conservation(const std::vector<double>& cash_before, double intermediaries_before,
                                    const ClearingResult& cleared) {
    Conservation& c = conservation_;
    // Every dollar labs spent went to a supplier, a government, a hub trader or a cloud.
    double spent = 0, received = 0;
    for (const auto& l : world_.labs) spent += l.spend_usd;
    for (const auto& s : world_.suppliers) received += s.revenue_usd_month;
    for (const auto& n : world_.nations) received += n.treasury_month_usd + n.gray_intermediary_usd + n.cloud_income_usd;
    received -= intermediaries_before;
    c.money_routes = std::max(c.money_routes, std::abs(spent - received) / std::max(1.0, spent));
    std::vector<double> routed(world_.skus.size(), 0.0);
    for (const auto& d : cleared.deliveries) routed[static_cast<std::size_t>(d.sku)] += static_cast<double>(d.units - d.seized);
    for (std::size_t s = 0; s < world_.skus.size(); ++s) {
        const SkuState& k = world_.skus[s];
        double held = 0;
        for (const auto& l : world_.labs) {
            held += l.owned_units[s] + l.remote_units[s];
            if (l.owned_units[s] < 0 || l.remote_units[s] < 0) c.negative_stock = true;
        }
        if (k.inventory_units < 0) c.negative_stock = true;
        const double in = k.initial_held + k.produced_total;
        const double out = static_cast<double>(k.inventory_units) + held + k.retired_total + k.seized_total;
        c.chips = std::max(c.chips, std::abs(in - out) / std::max(1.0, in));
        c.chip_routes = std::max(c.chip_routes, std::abs(k.delivered_month - k.seized_month - routed[s]));
    }
    for (std::size_t i = 0; i < world_.labs.size(); ++i) {
        const LabState& l = world_.labs[i];
        if (l.cash_usd < -1e-6 * std::max(1.0, cash_before[i] + l.funding_in_usd)) c.negative_stock = true;
        const double expect = cash_before[i] + l.funding_in_usd + l.spec->reinvest_share * l.revenue_usd - l.spend_usd;
        c.money = std::max(c.money, std::abs(l.cash_usd - expect) / std::max(1.0, std::abs(expect)));
    }
}

Outcome run_scenario(const Scenario& scenario, Recorder& recorder,
                     const std::function<void(const Simulation&)>& after_month) {
    Simulation sim(scenario);
    recorder.begin(sim.header());
    while (!sim.finished()) {
        recorder.record(sim.step());
        if (after_month) after_month(sim);
    }
    Outcome o = sim.outcome();
    recorder.finish(o);
    return o;
}

}  // namespace polarity::model
