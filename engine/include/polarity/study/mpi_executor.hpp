#pragma once
/// @file
/// Studies across MPI ranks: `mpirun -n N polarity study STUDY.yaml -o OUT.h5`. Every rank plans
/// the study; rank 0 owns the journal and the output, splits the journal's batches into chunks of
/// a few runs per thread and hands them to ranks that ask (dynamic balance: a rank asks again
/// with each chunk it reports, and holds a second chunk so that it never waits), computes chunks
/// of its own on a second thread, and journals every batch in run order through BatchScheduler
/// once all its chunks are back. Each rank runs a chunk on its own threads. Since run g's record depends only on (study, g), the journal
/// and the study file are the same as one process's for any N.
///
/// Built only when CMake finds MPI (option POLARITY_MPI); otherwise MpiStudy's constructor says
/// that MPI support is absent.

#include <cstdint>
#include <string>
#include <vector>

#include "polarity/study/journal.hpp"
#include "polarity/study/runner.hpp"

namespace polarity::study {

/// How many processes an MPI launcher started this one among, read from the launcher's
/// environment (Open MPI's mpirun, or PMI as set by MPICH's Hydra and SLURM's srun); 0 when no
/// launcher did.
[[nodiscard]] int mpi_launch_size();

/// Whether this build can run a study across MPI ranks.
[[nodiscard]] bool mpi_supported();

/// MPI for the lifetime of one study.
class MpiStudy {
public:
    /// Initialises MPI (threads: only the main thread calls MPI).
    /// @throws polarity::Error when this build has no MPI support, or MPI cannot start.
    MpiStudy();
    /// Joins the start-up agreement if this rank failed before it (so that no rank waits for
    /// it), then finalises MPI.
    ~MpiStudy();
    MpiStudy(const MpiStudy&) = delete;
    MpiStudy& operator=(const MpiStudy&) = delete;

    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int ranks() const { return ranks_; }
    /// Rank 0, after coordinate(): how many runs each rank computed (load balance).
    [[nodiscard]] const std::vector<std::size_t>& runs_by_rank() const { return runs_; }

    /// Rank 0, once it has planned the study and opened the journal: starts every rank, runs
    /// the study with them and returns the number of runs the journal holds. When a rank fails
    /// while computing, prints which (rank and host) and aborts the job; the journal keeps every
    /// run reported so far, and `--resume` (with any number of ranks) finishes the study.
    /// @throws polarity::Error when a rank could not start the study, or planned another one
    ///         (different files or engine on its node).
    std::size_t coordinate(const StudyPlan& plan, Journal& journal, const Progress& progress,
                           const StudySlice& slice);
    /// Every other rank, once it has planned the study: computes the chunks rank 0 hands out
    /// until it says stop. Returns the exit code (1 when the study could not start).
    int serve(const StudyPlan& plan);
    /// A rank other than 0 that could not plan the study: joins the start-up agreement and
    /// prints `error` naming itself (unless rank 0 failed too: then rank 0 prints the error
    /// once). Returns the exit code.
    int fail_start(const std::string& error);

private:
    /// The start-up agreement: every rank says whether it is ready, which study it planned and
    /// how many threads it runs.
    /// Returns the ranks that are not ready or planned another study than rank 0.
    std::vector<int> start(bool ready, std::uint64_t fingerprint);

    int rank_ = 0;
    int ranks_ = 1;
    bool started_ = false;
    std::vector<std::string> hosts_;  ///< per rank, known once started
    std::vector<std::size_t> chunk_runs_;  ///< per rank, known once started: runs per chunk it is given
    std::vector<std::size_t> runs_;
};

}  // namespace polarity::study
