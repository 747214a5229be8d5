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

#include "polarity/model/run_outputs.hpp"
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

/// A study's own output (StudySpec::outputs) located in the run: which series, which entity of
/// its axis (0 for a scalar series) and which month of the run.
struct StudyOutputSlot {
    std::size_t series = 0, entity = 0, month = 0;
};

/// Where each value of a journal record lives. Record = [arm, sample, parameters(k), every
/// per-run output of model::run_outputs() (its width: 1, one per bloc or one per December),
/// the study's own outputs (one value each), bands (each banded series: months x its width)].
struct RecordLayout {
    std::size_t parameters = 0, blocs = 0, months = 0, year_ends = 0;
    std::vector<std::size_t> output_offset;  ///< per run_outputs() entry
    std::vector<StudyOutputSlot> study_outputs;  ///< per StudySpec::outputs entry
    std::size_t study_output_offset = 0;
    std::vector<std::size_t> band_series;    ///< per band, its index in model::series_table()
    std::vector<std::size_t> band_width;     ///< per band, 1 (scalar series) or blocs
    std::vector<std::size_t> band_offset;    ///< per band
    std::size_t record_size = 0;

    /// @throws StudyError when a band names no bandable series.
    [[nodiscard]] static RecordLayout make(std::size_t parameters, std::size_t blocs, std::size_t months,
                                           std::size_t year_ends, const std::vector<std::string>& bands,
                                           const std::vector<StudyOutputSlot>& study_outputs = {});
    [[nodiscard]] std::size_t param(std::size_t j) const { return 2 + j; }
    [[nodiscard]] std::size_t output(std::size_t i) const { return output_offset[i]; }
    [[nodiscard]] std::size_t output_width(std::size_t i) const;
    [[nodiscard]] std::size_t study_output(std::size_t i) const { return study_output_offset + i; }
    [[nodiscard]] std::size_t band(std::size_t s, std::size_t m, std::size_t e) const {
        return band_offset[s] + m * band_width[s] + e;
    }
    [[nodiscard]] std::size_t bands() const { return band_series.size(); }
    [[nodiscard]] std::size_t size() const { return record_size; }
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
    MorrisDesign morris;                                 ///< the design's structure when the sampler is morris
    std::vector<std::string> blocs;
    std::vector<int> year_ends;                          ///< month indices of the Decembers run
    std::vector<StudyOutputSlot> study_outputs;          ///< StudySpec::outputs located in the runs
    RecordLayout layout;
    std::uint64_t fingerprint = 0;                       ///< of the study, its resolved arms and the engine
    [[nodiscard]] std::size_t total_runs() const { return arms.size() * samples_per_arm; }
};

/// The first half of a plan: each arm's scenario resolved and every parameter bound in it (by
/// key path, once), each distribution's support (quantiles 1e-9 and 1 - 1e-9) inside its key's
/// range; the study's own outputs located (StudyOutputSlot: entity and date checked against
/// every arm). No sample design: enough for sample_rules.hpp's corner_breaches().
/// @throws polarity::ConfigError at the study file's line of the arm, parameter or output at fault;
///         polarity::StudyError if arms change the blocs, horizon or question.
[[nodiscard]] StudyPlan plan_arms(const StudySpec& spec, const ScenarioResolver& resolve);

/// The whole plan: plan_arms(), then the sample design and its values; then every sampled run
/// is checked against the scenario's cross-key rules (check_sampled_runs()) before any runs.
/// `runs` overrides the study's run count.
/// @throws polarity::ConfigError as plan_arms(), or naming the first sampled run that breaks a
///         rule, its parameters (with their lines) and values; polarity::StudyError as plan_arms() or for a
///         design the sampler cannot build.
[[nodiscard]] StudyPlan plan_study(const StudySpec& spec, const ScenarioResolver& resolve, int runs);

/// The name of arm @p arm ("base" when the study has no arms).
[[nodiscard]] std::string arm_name(const StudyPlan& plan, std::size_t arm);

/// The scenario of global run g: its arm's scenario with the sample's parameter values and
/// the run index that keys its random numbers.
[[nodiscard]] model::Scenario scenario_for(const StudyPlan& plan, std::size_t g);

/// Global run g belongs to arm g % arms and sample g / arms, so every batch advances all arms.
[[nodiscard]] std::vector<double> run_one(const StudyPlan& plan, std::size_t g);

/// Progress after each batch: runs done, runs planned.
using Progress = std::function<void(std::size_t done, std::size_t total)>;

/// A batch: runs [first, first + runs) in global run order.
struct Batch {
    std::size_t first = 0;
    std::size_t runs = 0;
};

/// Which batches a journal holds: batches [first, end) of the study (`end` clipped to the last),
/// the journal's record 0 being run `first * batch_runs(plan)`. A shard of a study is such a
/// slice; it ignores the precision rule, which `polarity merge` applies when it joins shards.
struct StudySlice {
    std::size_t first = 0;
    std::size_t end = static_cast<std::size_t>(-1);
    bool stop_on_precision = true;
};

/// Runs per batch: whole rounds of arms, so that stopping leaves every arm with equal runs.
[[nodiscard]] std::size_t batch_runs(const StudyPlan& plan);

/// Runs `batch` in parallel into `records` (batch.runs x layout.size() doubles, in run order).
void run_batch(const StudyPlan& plan, const Batch& batch, std::vector<double>& records);

/// Runs what the journal does not hold yet, in parallel batches, appending to it (batches that
/// an interrupted MPI study finished ahead of the journal are taken over, not rerun); stops
/// early when the precision target is met. Returns the number of runs the journal holds.
/// Throws polarity::IoError when the journal cannot be written.
std::size_t execute_study(const StudyPlan& plan, Journal& journal, const Progress& progress,
                          const StudySlice& slice = {});

/// The precision rule's running counts, fed with records in run order from run 0.
class StoppingRule {
public:
    explicit StoppingRule(const StudyPlan& plan);
    /// Counts the `n` records of runs first, first + 1, ... held in `records`.
    void add(std::size_t first, std::size_t n, const double* records);
    /// Whether the study may stop here (never without a `precision` key).
    [[nodiscard]] bool reached() const;

private:
    const StudyPlan* plan_;
    std::vector<std::size_t> unipolar_, runs_;
};

/// Wilson-interval stopping rule over the first `done` runs.
[[nodiscard]] bool precision_reached(const StudyPlan& plan, const std::vector<std::size_t>& unipolar,
                                     const std::vector<std::size_t>& runs);

}  // namespace polarity::study
