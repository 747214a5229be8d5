#pragma once
/// @file
/// A Monte Carlo study as plain data: a base scenario, policy arms (each a set of overrides),
/// uncertain parameters with their distributions, and the design. The study loader
/// (polarity/config/study_loader.hpp) fills it from YAML; docs/studies.md describes the file.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "polarity/study/distributions.hpp"
#include "polarity/study/matrix.hpp"

namespace polarity::study {

/// Where an entry of the study file was written, so errors found while planning point at it.
struct Origin {
    std::string file;
    int line = 0, column = 0;
    std::string key_path;
};

/// One `key.path=value` override, as on the command line (value is YAML text).
using Override = std::string;

/// YAML `arms:` entry: a policy (or any) variant of the base scenario.
struct Arm {
    std::string name;                  ///< `name`
    std::vector<Override> overrides;   ///< `set: {key.path: value, ...}`
    Origin origin;
    std::string title = {};            ///< `title`, readable name for reports (empty: the name)
};

/// YAML `parameters:` entry: one uncertain input.
struct UncertainParameter {
    std::string name;                  ///< `name` (default: the path)
    std::string path;                  ///< `path`, a scenario key path such as `labs.deepseek.risk_appetite`
    Distribution distribution;         ///< `uniform`, `normal`, `lognormal`, `triangular` or `choice`
    Origin origin;
};

/// YAML `correlations:` entry: a target Spearman rank correlation between two parameters.
struct RankCorrelation {
    std::size_t a = 0, b = 0;          ///< parameter indices
    double rho = 0;
};

enum class Sampler { random, latin_hypercube, sobol, saltelli, full_factorial, morris, user };

/// YAML `design_file:` (sampler `user`): a CSV of parameter values, one row per sample.
struct UserDesign {
    std::string path;      ///< resolved against the study file's folder
    std::string text;      ///< the file's text (part of the study's fingerprint)
    Matrix values;         ///< [row][parameter], in the order of StudySpec::parameters
    std::vector<int> lines;///< the CSV line of each row, for errors about a sampled run
};

/// YAML `outputs:` entry: a recorded series at one month (and one entity of its axis) as a
/// per-run output of the study, with percentiles, sensitivity and a `run_<name>` dataset.
struct StudyOutput {
    std::string name;      ///< `name`: the dataset is run_<name>
    std::string series;    ///< `series`: a name in model::series_table()
    std::string entity;    ///< `entity`: a label of the series' axis (empty for a series without one)
    int year = 0, month = 0; ///< `date: YYYY-MM`, within the run
    Origin origin;
};

/// When to stop sampling: a fixed number of runs, or once P(unipolar) is known to within
/// `halfwidth` (95 % Wilson interval) in every arm, checked after each batch.
struct Precision {
    double halfwidth = 0.01;           ///< `halfwidth`
    int min_runs = 100;                ///< `min_runs` per arm before stopping is considered
    int max_runs = 20000;              ///< `max_runs` per arm
};

struct StudySpec {
    std::string name;                          ///< `name`
    std::string description;                   ///< `description`
    std::string scenario_path;                 ///< `scenario`, resolved against the study file's folder
    std::vector<Override> overrides;           ///< `set:` applied to every arm (then the command line's --set)
    std::uint64_t seed = 1;                    ///< `seed`
    /// `runs` per arm; saltelli: base samples N (N (k + 2) runs); full_factorial: repetitions of
    /// the grid (default 1); morris: trajectories r (r (k + 1) runs, default 20); user: rows of
    /// the design file used (default all)
    int runs = 1000;
    std::optional<Precision> precision;        ///< `precision`
    int batch_runs = 256;                      ///< `batch_runs`: runs between journal syncs
    Sampler sampler = Sampler::latin_hypercube;///< `sampler`
    bool common_random_numbers = true;         ///< `common_random_numbers`: arms share samples and random draws
    int morris_levels = 4;                     ///< `morris_levels`: grid levels p of the morris sampler (even)
    std::optional<UserDesign> design;          ///< `design_file` (sampler `user`)
    std::vector<StudyOutput> outputs;          ///< `outputs`: user-defined per-run outputs
    int series_runs = 0;                       ///< `series_runs`: full time series for the first N samples of each arm
    std::vector<std::string> bands = {"bloc_frontier_capability", "rival_lag_months", "bloc_compute_h100e",
                                      "rival_compute_share"};  ///< `bands`: series with SeriesSpec::bandable
    std::vector<Arm> arms;                     ///< `arms` (default: one arm "base" with no overrides)
    std::vector<UncertainParameter> parameters;///< `parameters`
    std::vector<RankCorrelation> correlations; ///< `correlations`
    std::string source_text;                   ///< the study file's text
    std::string source_path;
};

[[nodiscard]] const char* to_string(Sampler s);

/// The series a study can band: those the series table marks bandable (scalar or per bloc).
[[nodiscard]] const std::vector<std::string>& bandable_series();

}  // namespace polarity::study
