#pragma once
/// @file
/// Runs a study: plans it (arm scenarios, parameter bindings, the sample design), executes runs
/// in parallel batches into the crash-safe journal, and summarises the results. Deterministic:
/// run i's result depends only on (study, i), results are journalled in run order, and every
/// reduction is serial in run order, so output is bit-identical for any thread count and across
/// interruptions.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "polarity/model/scenario.hpp"
#include "polarity/study/journal.hpp"
#include "polarity/study/matrix.hpp"
#include "polarity/study/parameter_binding.hpp"
#include "polarity/study/sampling.hpp"
#include "polarity/study/study.hpp"

namespace polarity::study {

/// Loads the study's base scenario with a list of overrides (the config edge supplies it, so
/// the study core does no YAML). Throws polarity::ConfigError for invalid overrides.
using ScenarioResolver = std::function<model::Scenario(const std::vector<Override>& overrides)>;

/// Where each value of a journal record lives. Record = [arm, sample, parameters(k), outcome,
/// final_state, unipolar_window, crossing(B), final_lag(B), final_capability(B),
/// final_share(B), bands(S x M x B)].
struct RecordLayout {
    std::size_t parameters = 0, blocs = 0, months = 0, bands = 0;
    [[nodiscard]] std::size_t param(std::size_t j) const { return 2 + j; }
    [[nodiscard]] std::size_t outcome() const { return 2 + parameters; }
    [[nodiscard]] std::size_t final_state() const { return outcome() + 1; }
    [[nodiscard]] std::size_t unipolar_window() const { return outcome() + 2; }
    [[nodiscard]] std::size_t crossing(std::size_t b) const { return outcome() + 3 + b; }
    [[nodiscard]] std::size_t final_lag(std::size_t b) const { return crossing(blocs) + b; }
    [[nodiscard]] std::size_t final_capability(std::size_t b) const { return final_lag(blocs) + b; }
    [[nodiscard]] std::size_t final_share(std::size_t b) const { return final_capability(blocs) + b; }
    [[nodiscard]] std::size_t band(std::size_t s, std::size_t m, std::size_t b) const {
        return final_share(blocs) + (s * months + m) * blocs + b;
    }
    [[nodiscard]] std::size_t size() const { return band(bands, 0, 0); }
};

/// Everything needed to run any run of the study.
struct StudyPlan {
    const StudySpec* spec = nullptr;
    std::vector<model::Scenario> arms;                   ///< resolved scenario of each arm
    std::vector<std::vector<ParameterBinding>> bindings; ///< [arm][parameter]
    Matrix values;                                       ///< [sample][parameter], sampled values
    Matrix unit;                                         ///< [sample][parameter], the design in (0,1)
    std::size_t samples_per_arm = 0;                     ///< rows of the design (max runs per arm)
    SaltelliDesign saltelli;                             ///< the design's structure when the sampler is saltelli
    std::vector<std::string> blocs;
    std::vector<int> band_fields;                        ///< which BlocMetrics field each band reads
    RecordLayout layout;
    std::uint64_t fingerprint = 0;                       ///< of the study, its resolved arms and the engine
    int rival = 0;                                       ///< index of spec->rival_bloc
    [[nodiscard]] std::size_t total_runs() const { return arms.size() * samples_per_arm; }
};

/// Builds the plan; checks that every parameter path binds to a number in every arm and that
/// each distribution's support (quantiles 1e-9 and 1 - 1e-9) passes the scenario's validation.
/// `runs` overrides the study's run count. @throws polarity::ConfigError (located at the study file) for a plan that cannot run;
/// polarity::StudyError for a design the sampler cannot build.
[[nodiscard]] StudyPlan plan_study(const StudySpec& spec, const ScenarioResolver& resolve, int runs);

/// The scenario of global run g: its arm's scenario with the sample's parameter values and
/// the run index that keys its random numbers.
[[nodiscard]] model::Scenario scenario_for(const StudyPlan& plan, std::size_t g);

/// Global run g belongs to arm g % arms and sample g / arms, so every batch advances all arms.
[[nodiscard]] std::vector<double> run_one(const StudyPlan& plan, std::size_t g);

/// Progress after each batch: runs done, runs planned.
using Progress = std::function<void(std::size_t done, std::size_t total)>;

/// Runs what the journal does not hold yet, in parallel batches, appending to it; stops early
/// when the precision target is met. Returns the number of runs completed.
std::size_t execute_study(const StudyPlan& plan, Journal& journal, const Progress& progress);

/// Wilson-interval stopping rule over the first `done` runs.
[[nodiscard]] bool precision_reached(const StudyPlan& plan, const std::vector<std::size_t>& unipolar,
                                     const std::vector<std::size_t>& runs);

}  // namespace polarity::study
