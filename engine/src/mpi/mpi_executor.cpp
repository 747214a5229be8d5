// The MPI path of studies (see mpi_executor.hpp). Only the main thread of each rank calls MPI;
// rank 0 computes its own chunks on a second thread and polls for the other ranks' messages.
#include "polarity/study/mpi_executor.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <exception>
#include <iostream>
#include <optional>
#include <thread>
#include <unistd.h>

#include <tbb/global_control.h>

#include "polarity/core/error.hpp"
#include "polarity/study/batch_scheduler.hpp"
#include "polarity/study/chunk_dealer.hpp"

namespace polarity::study {

namespace {

/// Worker -> rank 0: the records of the oldest chunk it holds (none in its first kChunksInHand
/// reports), which is also its request for the next chunk.
constexpr int kReport = 1;
/// Rank 0 -> worker: {first run, runs}; runs == 0 means stop.
constexpr int kAssign = 2;
/// Worker -> rank 0: why it cannot go on (text).
constexpr int kFailure = 3;

/// Runs per chunk for each of a rank's threads: small enough that ranks finish within a few
/// runs of each other (a journal batch of 252 runs handed out whole left one of two ranks idle
/// for up to a batch at the end), large enough to keep every thread of the rank busy.
constexpr std::size_t kChunkRunsPerThread = 8;
/// Chunks a worker rank holds: one running, one waiting, so it never waits for rank 0.
constexpr std::size_t kChunksInHand = 2;

void check(int rc, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw Error(std::string(call) + ": " + std::string(text, static_cast<std::size_t>(len)));
}

int as_count(std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw Error("a batch's records exceed one MPI message; lower the study's batch_runs");
    return static_cast<int>(n);
}

void assign(int rank, const std::optional<Batch>& batch) {
    const std::array<std::uint64_t, 2> msg = {batch ? batch->first : 0, batch ? batch->runs : 0};
    check(MPI_Send(msg.data(), 2, MPI_UINT64_T, rank, kAssign, MPI_COMM_WORLD), "MPI_Send");
}

/// mpirun stops every rank with SIGTERM when one dies; rank 0 says what is safe before it goes.
void on_job_stopped(int sig) {
    static const char msg[] =
        "\nerror: the MPI job was stopped during the study (mpirun names the rank that failed); the journal "
        "keeps every run reported so far: finish the study with --resume, with any number of ranks\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

}  // namespace

bool mpi_supported() { return true; }

MpiStudy::MpiStudy() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &ranks_), "MPI_Comm_size");
    if (provided < MPI_THREAD_FUNNELED) throw Error("MPI: this MPI library does not allow threads (MPI_THREAD_FUNNELED)");
}

MpiStudy::~MpiStudy() {
    try {
        if (!started_) (void)start(false, 0);
    } catch (const std::exception&) {
        // Finalising matters more than reporting here.
    }
    MPI_Finalize();
}

std::vector<int> MpiStudy::start(bool ready, std::uint64_t fp) {
    started_ = true;
    const std::uint64_t threads = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
    const std::array<std::uint64_t, 3> mine = {ready ? 1u : 0u, fp, threads};
    std::vector<std::uint64_t> all(3 * static_cast<std::size_t>(ranks_));
    check(MPI_Allgather(mine.data(), 3, MPI_UINT64_T, all.data(), 3, MPI_UINT64_T, MPI_COMM_WORLD), "MPI_Allgather");
    char name[MPI_MAX_PROCESSOR_NAME] = {};
    int len = 0;
    MPI_Get_processor_name(name, &len);
    std::vector<char> names(static_cast<std::size_t>(ranks_) * MPI_MAX_PROCESSOR_NAME);
    check(MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                        MPI_COMM_WORLD),
          "MPI_Allgather");
    hosts_.clear();
    chunk_runs_.clear();
    std::vector<int> failed;
    for (int r = 0; r < ranks_; ++r) {
        const auto i = static_cast<std::size_t>(r);
        hosts_.emplace_back(names.data() + i * MPI_MAX_PROCESSOR_NAME);
        chunk_runs_.push_back(kChunkRunsPerThread * std::max<std::uint64_t>(1, all[3 * i + 2]));
        if (all[3 * i] == 0 || all[3 * i + 1] != all[1]) failed.push_back(r);
    }
    return failed;
}

int MpiStudy::fail_start(const std::string& error) {
    const auto failed = start(false, 0);
    // Rank 0 failing too means every rank met the same error: rank 0 prints it once.
    if (failed.empty() || failed.front() != 0)
        std::cerr << "error: rank " << rank_ << " on " << hosts_[static_cast<std::size_t>(rank_)] << ": " << error << "\n";
    return 1;
}

int MpiStudy::serve(const StudyPlan& plan) {
    if (!start(true, plan.fingerprint).empty()) return 1;
    // Every report asks for the next chunk and gets exactly one reply (a chunk, or "none left").
    // Two requests at the start keep a second chunk in hand while one runs, so that this rank
    // never waits for rank 0 between chunks.
    std::deque<Batch> in_hand;
    std::size_t replies_due = 0;
    // Reports leave without waiting for rank 0 to take them: a report of a few runs is past
    // MPI's eager limit, and a blocking send waited for rank 0's coordinator to wake (8 % of this
    // rank's time, measured). A buffer is refilled only once its last report has gone.
    std::array<std::vector<double>, kChunksInHand> buffers;
    std::array<MPI_Request, kChunksInHand> sending{};
    sending.fill(MPI_REQUEST_NULL);
    const auto report = [&](std::size_t b) {
        check(MPI_Isend(buffers[b].data(), as_count(buffers[b].size()), MPI_DOUBLE, 0, kReport, MPI_COMM_WORLD, &sending[b]),
              "MPI_Isend");
        ++replies_due;
    };
    const auto receive = [&] {
        std::array<std::uint64_t, 2> msg{};
        check(MPI_Recv(msg.data(), 2, MPI_UINT64_T, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
        --replies_due;
        if (msg[1] > 0) in_hand.push_back({msg[0], msg[1]});
    };
    const auto reply_arrived = [] {
        int arrived = 0;
        check(MPI_Iprobe(0, kAssign, MPI_COMM_WORLD, &arrived, MPI_STATUS_IGNORE), "MPI_Iprobe");
        return arrived != 0;
    };
    for (std::size_t b = 0; b < kChunksInHand; ++b) report(b);  // empty: requests only
    for (std::size_t b = 0;; b = (b + 1) % kChunksInHand) {
        while (replies_due > 0 && (in_hand.empty() || reply_arrived())) receive();
        if (in_hand.empty()) break;  // every reply received, none of them a chunk
        const Batch chunk = in_hand.front();
        in_hand.pop_front();
        check(MPI_Wait(&sending[b], MPI_STATUS_IGNORE), "MPI_Wait");
        try {
            run_batch(plan, chunk, buffers[b]);
        } catch (const std::exception& e) {
            const std::string what = e.what();
            check(MPI_Send(what.data(), as_count(what.size()), MPI_CHAR, 0, kFailure, MPI_COMM_WORLD), "MPI_Send");
            return 1;
        }
        report(b);
    }
    check(MPI_Waitall(static_cast<int>(kChunksInHand), sending.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
    return 0;
}

std::size_t MpiStudy::coordinate(const StudyPlan& plan, Journal& journal, const Progress& progress,
                                 const StudySlice& slice) {
    const auto failed = start(true, plan.fingerprint);
    if (!failed.empty()) {
        const auto r = static_cast<std::size_t>(failed.front());
        throw Error("rank " + std::to_string(r) + " on " + hosts_[r] +
                    " could not start the study: see its error above, or its node has other study files or "
                    "another engine build (the study's fingerprint differs)");
    }
    const auto where = [&](int r) { return "rank " + std::to_string(r) + " on " + hosts_[static_cast<std::size_t>(r)]; };
    struct sigaction stop {}, previous {};
    stop.sa_handler = on_job_stopped;
    ::sigaction(SIGTERM, &stop, &previous);

    BatchScheduler scheduler(plan, journal, slice);
    ChunkDealer dealer(scheduler, plan.layout.size());
    if (progress) progress(scheduler.done(), scheduler.total());
    const auto completed = [&](const Batch& chunk, int rank, const std::vector<double>& records) {
        runs_[static_cast<std::size_t>(rank)] += chunk.runs;
        if (dealer.complete(chunk, records) && progress) progress(scheduler.done(), scheduler.total());
    };
    const auto r = [](int rank) { return static_cast<std::size_t>(rank); };
    std::vector<std::deque<Batch>> given(r(ranks_));  // each rank's chunks in hand, in the order given
    std::vector<std::size_t> reports(r(ranks_), 0), chunks(r(ranks_), 0);
    int serving = ranks_ - 1;
    runs_.assign(r(ranks_), 0);

    // Rank 0's own chunks, on a thread of their own so that this one keeps answering.
    std::optional<Batch> local;
    std::vector<double> local_records;
    std::exception_ptr local_error;
    std::atomic<bool> local_done{false};
    std::thread worker;
    const auto start_local = [&] {
        local = dealer.next(chunk_runs_[0]);
        if (!local) return;
        local_done = false;
        worker = std::thread([&] {
            try {
                run_batch(plan, *local, local_records);
            } catch (...) {
                local_error = std::current_exception();
            }
            local_done = true;
        });
    };

    try {
        start_local();
        std::vector<double> records;
        while (serving > 0 || local) {
            bool busy = false;
            if (local && local_done) {
                worker.join();
                if (local_error) std::rethrow_exception(local_error);
                completed(*local, 0, local_records);
                start_local();
                busy = true;
            }
            int arrived = 0;
            MPI_Status status;
            check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
            if (arrived != 0) {
                busy = true;
                const int from = status.MPI_SOURCE;
                if (status.MPI_TAG == kFailure) {
                    int len = 0;
                    MPI_Get_count(&status, MPI_CHAR, &len);
                    std::string what(static_cast<std::size_t>(len), '\0');
                    check(MPI_Recv(what.data(), len, MPI_CHAR, from, kFailure, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
                    throw Error(where(from) + ": " + what);
                }
                int count = 0;
                MPI_Get_count(&status, MPI_DOUBLE, &count);
                records.resize(static_cast<std::size_t>(count));
                check(MPI_Recv(records.data(), count, MPI_DOUBLE, from, kReport, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
                // The first kChunksInHand reports are requests only; each later one carries the
                // records of the oldest chunk the rank holds (messages between two ranks keep
                // their order).
                if (++reports[r(from)] > kChunksInHand) {
                    if (given[r(from)].empty()) throw Error(where(from) + " reported a chunk it was not given");
                    completed(given[r(from)].front(), from, records);
                    given[r(from)].pop_front();
                }
                const auto chunk = dealer.next(chunk_runs_[r(from)]);
                assign(from, chunk);
                if (chunk) {
                    given[r(from)].push_back(*chunk);
                    ++chunks[r(from)];
                } else if (reports[r(from)] == kChunksInHand + chunks[r(from)]) {
                    --serving;  // it has reported every chunk and been told that none are left
                }
            }
            // Idle: wait rather than spin on the core that rank 0's own chunk runs on; each wake
            // takes that core from it. The other ranks hold a second chunk meanwhile (tens of
            // milliseconds of work), so the wait never idles them.
            if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    } catch (const std::exception& e) {
        // Other ranks may be blocked sending to this one: only aborting the job frees them.
        std::cerr << "\nerror: " << e.what() << "\n"
                  << "The journal keeps every run reported so far: finish the study with --resume.\n";
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    ::sigaction(SIGTERM, &previous, nullptr);
    if (!scheduler.journal_complete())
        throw Error("the ranks stopped with " + std::to_string(scheduler.done()) + " of " +
                    std::to_string(scheduler.total()) + " runs journalled");
    scheduler.finish();
    return scheduler.done();
}

}  // namespace polarity::study
