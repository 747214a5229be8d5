#pragma once
/// @file
/// Counter-based random numbers (Random123 Philox4x64-10).
///
/// A draw is a pure function of (seed, run, purpose, month, entity, draw index), never of the
/// thread or order of execution: key = (seed, run), counter = (purpose, month, entity, index).
/// Every use site has its own Purpose, listed here in one place so streams never collide.

#include <Random123/philox.h>
#include <Random123/uniform.hpp>

#include <cstdint>

namespace polarity::core {

/// One value per place in the model that draws random numbers.
enum class Purpose : std::uint64_t {
    algorithm_jump = 1,    ///< entity = lab, index = jump class
    licence_approval = 2,  ///< entity = licence (rule x nation), index = tranche
    gray_seizure = 3,      ///< entity = hub x lab
    study_sampling = 10,   ///< study design; see polarity/study/sampling.hpp for the layout
};

class Stream {
public:
    using Philox = r123::Philox4x64;

    Stream(std::uint64_t seed, std::uint64_t run, Purpose purpose, std::uint64_t month,
           std::uint64_t entity) noexcept
        : key_{{seed, run}},
          ctr_{{static_cast<std::uint64_t>(purpose), month, entity, 0}} {}

    /// Next raw 64-bit value.
    std::uint64_t next() noexcept {
        if (idx_ == 4) {
            block_ = Philox{}(ctr_, key_);
            ++ctr_.v[3];
            idx_ = 0;
        }
        return block_.v[idx_++];
    }
    /// Uniform on (0, 1]; never 0, so log(u) is always finite.
    double uniform01() noexcept { return r123::u01<double>(next()); }

private:
    Philox::key_type key_;
    Philox::ctr_type ctr_;
    Philox::ctr_type block_{};
    int idx_ = 4;
};

}  // namespace polarity::core
