#include "polarity/study/parameter_binding.hpp"

#include <stdexcept>

namespace polarity::study {

namespace {

void add(std::vector<double*>& out, std::optional<double>& x) {
    if (x) out.push_back(&*x);
}

}  // namespace

std::vector<double*> numeric_fields(model::Scenario& s) {
    std::vector<double*> f;
    auto& w = s.world;
    for (double* x : {&w.h100_flop_per_s, &w.utilization, &w.depreciation_per_year, &w.interconnect_reference_gbps,
                      &w.interconnect_exponent, &w.memory_bandwidth_reference_tbps, &w.powerful_ai_capability,
                      &w.price_adjustment_rate, &w.price_floor_ratio, &w.price_ceiling_ratio,
                      &w.max_inventory_months, &w.funding_growth_halflife_years})
        f.push_back(x);
    auto& a = s.algorithms;
    for (double* x : {&a.drift_log10_per_year, &a.research_reference_h100e, &a.research_elasticity,
                      &a.idea_difficulty, &a.research_factor_min, &a.research_factor_max,
                      &a.diffusion_per_month, &a.diffusion_delay_months, &a.absorption_research_h100e,
                      &a.acceleration_start_capability, &a.acceleration_full_capability,
                      &a.acceleration_max_multiplier})
        f.push_back(x);
    for (auto& j : a.jumps) f.push_back(&j.multiplier), f.push_back(&j.per_year);
    auto& p = s.paradigm;
    for (double* x : {&p.adoption_delay_months, &p.max_gain, &p.saturation_flop, &p.rl_share_of_training}) f.push_back(x);
    auto& m = s.market;
    for (double* x : {&m.gray_premium, &m.gray_premium_per_enforcement, &m.gray_detection_scale_units,
                      &m.remote_markup, &m.revenue_per_serving_h100e_usd, &m.quality_gap_scale,
                      &m.training_weight, &m.rationing_step, &m.revenue_capability_elasticity,
                      &m.revenue_reference_capability, &m.revenue_value_max_multiplier, &m.revenue_max_gdp_share,
                      &m.savings_reinvest_share})
        f.push_back(x);
    for (auto& n : s.nations)
        for (double* x : {&n.gdp_usd, &n.state_ai_funding_usd_per_month, &n.enforcement_capacity,
                          &n.hub_capacity_units_per_month, &n.subsidy_growth_per_year, &n.military_compute_share,
                          &n.state_ai_funding_growth_cut_off_per_year})
            f.push_back(x);
    for (auto& sp : s.suppliers) {
        for (double* x : {&sp.capacity_units_per_month, &sp.capacity_growth_per_year, &sp.yield,
                          &sp.hbm_units_per_month, &sp.hbm_growth_per_year, &sp.die_bank_units,
                          &sp.die_bank_draw_per_month})
            f.push_back(x);
        for (auto& k : sp.skus)
            for (double* x : {&k.flop_per_s, &k.tpp, &k.performance_density, &k.interconnect_gbps,
                              &k.memory_bandwidth_tbps, &k.price_usd, &k.production_weight})
                f.push_back(x);
    }
    for (auto& l : s.labs) {
        for (auto& h : l.stock) f.push_back(&h.units);
        for (double* x : {&l.funding_usd_per_month, &l.funding_growth_per_year, &l.cash_usd, &l.capex_share,
                          &l.reinvest_share, &l.algorithmic_efficiency_log10, &l.risk_appetite,
                          &l.training_share, &l.research_share})
            f.push_back(x);
    }
    auto& pol = s.policy;
    f.push_back(&pol.enforcement_scale);
    for (auto& r : pol.rules) {
        for (double* x : {&r.quota_units_per_month, &r.approval_rate, &r.revenue_share, &r.enforcement})
            f.push_back(x);
        add(f, r.chips.tpp_at_least);
        add(f, r.chips.interconnect_at_least_gbps);
        add(f, r.chips.density_tpp_at_least);
        add(f, r.chips.performance_density_at_least);
    }
    for (auto& t : pol.tool_controls) f.push_back(&t.capacity_growth_factor), f.push_back(&t.yield_factor);
    for (auto& r : pol.remote_access) f.push_back(&r.capacity_units_per_month);
    for (auto& ad : pol.adaptive)
        for (double* x : {&ad.tighten_below_lag_months, &ad.loosen_above_lag_months, &ad.step}) f.push_back(x);
    return f;
}

ParameterBinding bind_parameter(const std::string& path, double probe_a, double probe_b,
                                const std::function<model::Scenario(double)>& resolve) {
    if (probe_a == probe_b) throw std::invalid_argument(path + ": probe values must differ");
    model::Scenario a = resolve(probe_a), b = resolve(probe_b);
    const auto fa = numeric_fields(a), fb = numeric_fields(b);
    if (fa.size() != fb.size())
        throw std::invalid_argument(path + ": setting it changes the shape of the scenario; vary it with arms instead");
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < fa.size(); ++i)
        if (*fa[i] != *fb[i]) hits.push_back(i);
    if (hits.size() != 1 || *fa[hits[0]] != probe_a || *fb[hits[0]] != probe_b)
        throw std::invalid_argument(path + ": not a number the study can sample (use arms for switches, lists and integers)");
    return {path, hits[0]};
}

void apply(const ParameterBinding& binding, model::Scenario& scenario, double value) {
    *numeric_fields(scenario)[binding.field] = value;
}

}  // namespace polarity::study
