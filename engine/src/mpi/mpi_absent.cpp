// Built when CMake finds no MPI (POLARITY_MPI=AUTO) or is told not to use it (OFF): a study
// started by an MPI launcher is refused rather than run once per rank.
#include "polarity/core/error.hpp"
#include "polarity/study/mpi_executor.hpp"

namespace polarity::study {

bool mpi_supported() { return false; }

MpiStudy::MpiStudy() {
    throw Error("MPI support is absent from this build of polarity: install Open MPI (Debian: libopenmpi-dev "
                "openmpi-bin) and rebuild, or split the study with --shard K/N and join the shards with polarity merge");
}

// Unreachable: no MpiStudy can be constructed.
MpiStudy::~MpiStudy() = default;
std::size_t MpiStudy::coordinate(const StudyPlan&, Journal&, const Progress&, const StudySlice&) { return 0; }
int MpiStudy::serve(const StudyPlan&) { return 1; }
int MpiStudy::fail_start(const std::string&) { return 1; }
std::vector<int> MpiStudy::start(bool, std::uint64_t) { return {}; }

}  // namespace polarity::study
