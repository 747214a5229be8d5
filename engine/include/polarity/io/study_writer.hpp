#pragma once
/// @file
/// Writes a finished study to HDF5 (layout in docs/output.md, "Study files"): the per-run
/// table streamed from the journal, outcome probabilities with intervals, percentile bands and
/// sensitivity indices. Written to "<path>.tmp-<pid>" and renamed when complete.

#include <filesystem>

#include "polarity/study/journal.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/summary.hpp"

namespace polarity::io {

/// Throws polarity::IoError. Without `overwrite`, an existing `path` is an error.
void write_study(const std::filesystem::path& path, bool overwrite, const study::StudyPlan& plan,
                 const study::StudySummary& summary, const study::Journal& journal, std::size_t done);

}  // namespace polarity::io
