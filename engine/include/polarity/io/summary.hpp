#pragma once
/// @file
/// The short, readable summary `polarity run` prints after a run.

#include <string>

#include "polarity/model/recorder.hpp"

namespace polarity::io {

/// A table of blocs (powerful-AI crossing date or "not reached", final capability, lag, share
/// of world effective compute), then the outcome and the unipolar window.
/// The run's answer to its question in one plain-language paragraph (for classrooms).
[[nodiscard]] std::string format_answer(const model::RunHeader& header, const model::Outcome& outcome);

[[nodiscard]] std::string format_summary(const model::RunHeader& header, const model::Outcome& outcome);

/// A bloc name as a reader would write it: "us_aligned" -> "US-aligned", "china" -> "China".
[[nodiscard]] std::string readable_name(const std::string& name);

}  // namespace polarity::io
