#pragma once
/// @file
/// The limits every input passes through, declared once. The YAML reader enforces the
/// structural ones (size, depth, nodes, list length, extends chain), the scenario key table the
/// magnitudes, the study loader and the command line the run counts; docs/cli.md lists them and
/// a test checks that it lists these values.
///
/// Each limit sits far above anything a real scenario needs (the 2,000-lab world scenario is
/// 0.85 MB, ~76,000 nodes, 7 levels deep) and far below what would hang, crash or exhaust the
/// machine: loading stays under a second and a few hundred MB whatever the input.

#include <cstddef>
#include <cstdint>

namespace polarity::config::limits {

/// Bytes of one scenario or study file, or of one `--set` value.
inline constexpr std::size_t kMaxInputBytes = std::size_t{4} << 20;
/// Files in one `extends` chain (the file itself included).
inline constexpr std::size_t kMaxExtendsChain = 16;
/// Nesting of lists and maps in one document.
inline constexpr std::size_t kMaxNestingDepth = 32;
/// Nodes of one document after aliases are expanded (each alias counts the nodes it copies).
inline constexpr std::size_t kMaxNodes = 500'000;
/// Items of one list.
inline constexpr std::size_t kMaxListItems = 100'000;
/// Keys of one map (scenario maps have at most ~20; keys are looked up one by one).
inline constexpr std::size_t kMaxMapKeys = 256;

/// Chips (a count or a monthly rate): ~1,000 times the world's yearly AI-chip output.
inline constexpr double kMaxChips = 1e10;
/// Money in US dollars (a stock or a monthly flow): ~10 times world GDP.
inline constexpr double kMaxUsd = 1e15;
/// Growth per year of capacity, memory, funding and subsidies: +1,000 %/yr.
inline constexpr double kMaxGrowthPerYear = 10;
/// Years a date may name: the model starts in the 2020s; both ends leave room for history and
/// long horizons, neither for typos such as 1900 or 20230.
inline constexpr int kMinYear = 1970;
inline constexpr int kMaxYear = 2200;

/// Runs per arm of a study (the study file's `runs`, `precision.max_runs` and `--runs`).
inline constexpr int kMaxStudyRunsPerArm = 10'000'000;
/// Runs of a whole study (arms x runs per arm), so the design fits in memory (~1 GB at most).
inline constexpr std::size_t kMaxStudyRuns = 20'000'000;

}  // namespace polarity::config::limits
