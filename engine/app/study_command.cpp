#include "study_command.hpp"

#include <tbb/global_control.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "lifecycle.hpp"
#include "polarity/config/limits.hpp"
#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/core/error.hpp"
#include "polarity/io/hdf5_recorder.hpp"
#include "polarity/io/study_writer.hpp"
#include "polarity/model/simulation.hpp"
#include "polarity/study/mpi_executor.hpp"
#include "polarity/study/pending_batches.hpp"
#include "polarity/study/runner.hpp"
#include "polarity/study/shards.hpp"
#include "polarity/study/summary.hpp"

namespace polarity::app {

study::ScenarioResolver resolver_for(const study::StudySpec& spec) {
    return [&spec](const std::vector<std::string>& overrides) {
        return config::load_scenario_file(spec.scenario_path, overrides);
    };
}

namespace {

struct StudyOptions {
    std::string file;
    std::string output;
    int threads = 0;
    int runs = 0;
    bool resume = false;
    bool force = false;
    bool quiet = false;
    std::vector<std::string> sets;
    std::string shard;
};

/// A progress bar on a terminal (runs, runs/s, ETA); plain lines every ~10 % otherwise.
class ProgressReport {
public:
    explicit ProgressReport(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0) {}
    void operator()(std::size_t done, std::size_t total) {
        check_interrupted();  // after each batch: every journalled run is kept for --resume
        if (quiet_ || total == 0) return;
        const auto now = std::chrono::steady_clock::now();
        if (!started_) {
            started_ = true, t0_ = now, first_ = done;
        }
        const double secs = std::chrono::duration<double>(now - t0_).count();
        const double rate = secs > 0 ? static_cast<double>(done - first_) / secs : 0.0;
        const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
        const double frac = static_cast<double>(done) / static_cast<double>(total);
        char line[160];
        if (tty_) {
            const int width = 30, filled = static_cast<int>(frac * width);
            std::string bar(static_cast<std::size_t>(filled), '#');
            bar.resize(width, '.');
            std::snprintf(line, sizeof line, "\r[%s] %zu/%zu runs  %.1f runs/s  ETA %.0fs   ", bar.c_str(), done, total,
                          rate, eta);
            std::cerr << line << (done == total ? "\n" : "") << std::flush;
        } else if (done == total || frac >= next_) {
            std::snprintf(line, sizeof line, "%zu/%zu runs (%.0f%%), %.1f runs/s, ETA %.0fs\n", done, total, 100 * frac,
                          rate, eta);
            std::cerr << line;
            while (next_ <= frac) next_ += 0.1;
        }
        last_rate_ = rate;
    }
    [[nodiscard]] double rate() const { return last_rate_; }

private:
    bool quiet_;
    bool tty_;
    bool started_ = false;
    std::chrono::steady_clock::time_point t0_;
    std::size_t first_ = 0;
    double next_ = 0.1;
    double last_rate_ = 0;
};

/// Full time series of the first `series_runs` samples of each arm, rerun (runs are
/// deterministic) into ordinary run files beside the study file: <out>.runs/<arm>-<sample>.h5.
void write_series_runs(const study::StudyPlan& plan, const std::filesystem::path& out, bool force, std::size_t done) {
    const auto n = static_cast<std::size_t>(plan.spec->series_runs);
    if (n == 0) return;
    const std::filesystem::path dir = out.string() + ".runs";
    std::filesystem::create_directories(dir);
    const std::size_t arms = plan.arms.size();
    for (std::size_t g = 0; g < std::min(done, n * arms); ++g) {
        const model::Scenario sc = study::scenario_for(plan, g);
        const std::string arm = plan.spec->arms.empty() ? "base" : plan.spec->arms[g % arms].name;
        io::Hdf5Recorder recorder(dir / (arm + "-" + std::to_string(g / arms) + ".h5"), force);
        (void)model::run_scenario(sc, recorder);
    }
}

/// A rank other than 0 of an MPI study: plans the study and computes the batches rank 0 hands out.
int serve_study(study::MpiStudy& mpi, const StudyOptions& opt) {
    std::optional<tbb::global_control> limit;
    if (opt.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(opt.threads));
    std::optional<study::StudySpec> spec;
    std::optional<study::StudyPlan> plan;
    try {
        spec.emplace(config::load_study_file(opt.file, opt.sets));
        plan.emplace(study::plan_study(*spec, resolver_for(*spec), opt.runs));
    } catch (const std::exception& e) {
        return mpi.fail_start(e.what());
    }
    return mpi.serve(*plan);
}

/// The plan; a study the planner cannot carry out is bad input in the study file.
study::StudyPlan plan_or_fail(const study::StudySpec& spec, const study::ScenarioResolver& resolve, int runs) {
    try {
        return study::plan_study(spec, resolve, runs);
    } catch (const StudyError& e) {
        throw ConfigError(spec.source_path, 0, 0, "", e.what());
    }
}

/// The command that continues an interrupted study.
std::string resume_hint(const StudyOptions& opt, const std::filesystem::path& out) {
    std::string cmd = "polarity study " + opt.file + " -o " + out.string() + " --resume";
    if (opt.runs > 0) cmd += " --runs " + std::to_string(opt.runs);
    for (const auto& s : opt.sets) cmd += " --set " + s;
    return "`" + cmd + "` continues it";
}

int run_study(const StudyOptions& opt) {
    namespace fs = std::filesystem;
    // Under an MPI launcher every rank runs this command; rank 0 alone writes files.
    std::optional<study::MpiStudy> mpi;
    if (study::mpi_launch_size() > 1) mpi.emplace();
    if (mpi && mpi->rank() != 0) return serve_study(*mpi, opt);

    if (!config::is_study_file(opt.file) && fs::is_regular_file(opt.file)) {
        throw ConfigError(opt.file, 0, 0, "",
                          "this is not a study file (it names no `scenario:`); run a scenario with "
                          "`polarity run " + opt.file + "`");
    }
    const study::StudySpec spec = config::load_study_file(opt.file, opt.sets);
    if (opt.runs > 0) {
        if (const auto problem = config::study_runs_problem(spec, opt.runs); !problem.empty())
            throw ConfigError("--runs " + std::to_string(opt.runs), 0, 0, "", problem);
    }
    std::optional<study::ShardId> shard;
    if (!opt.shard.empty()) shard = study::parse_shard(opt.shard);
    fs::path out = opt.output;
    if (out.empty()) {
        // Built with a stream: GCC 12 warns falsely (-Wrestrict) on chained string '+'.
        std::ostringstream name;
        name << fs::path(opt.file).stem().string();
        if (shard) name << ".shard-" << shard->index << "-of-" << shard->count;
        else name << ".h5";
        out = fs::path("out") / name.str();
    }
    const fs::path journal_path = out.string() + ".journal";
    if (fs::exists(out) && !opt.force)
        throw IoError(out.string() + ": the file exists; pass --force to overwrite it");
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    report_stale_temp_files(out);

    std::optional<tbb::global_control> limit;
    if (opt.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(opt.threads));

    const study::StudyPlan plan = plan_or_fail(spec, resolver_for(spec), opt.runs);
    const study::StudySlice slice = shard ? study::shard_slice(plan, *shard) : study::StudySlice{};
    study::Journal journal(journal_path, shard ? study::shard_fingerprint(plan, *shard) : plan.fingerprint,
                           plan.layout.size(), opt.resume, opt.force, plan.total_runs());
    if (!journal.repaired().empty())
        std::cerr << "warning: " << journal.path().string() << ": " << journal.repaired() << "\n";
    // Batches an interrupted MPI study finished ahead of its journal belong to that journal only.
    if (!opt.resume) std::filesystem::remove(study::PendingBatches::path_for(journal_path));
    if (!opt.quiet) {
        std::cerr << "Study '" << spec.name << "': " << plan.arms.size() << " arm(s) x " << plan.samples_per_arm
                  << " runs, sampler " << study::to_string(spec.sampler) << ", seed " << spec.seed;
        if (shard) std::cerr << "; shard " << opt.shard;
        if (mpi) std::cerr << "; " << mpi->ranks() << " MPI ranks";
        if (journal.completed() > 0) std::cerr << "; resuming after " << journal.completed() << " runs";
        std::cerr << "\n";
    }
    ProgressReport progress(opt.quiet);
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t done = 0;
    try {
        done = mpi ? mpi->coordinate(plan, journal, std::ref(progress), slice)
                   : study::execute_study(plan, journal, std::ref(progress), slice);
    } catch (const Interrupted& e) {
        throw Interrupted(std::string(e.what()) + " after " + std::to_string(journal.completed()) + " of " +
                          std::to_string(plan.total_runs()) + " runs, which are kept in " +
                          journal_path.string() + "; " + resume_hint(opt, out));
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (mpi && !opt.quiet) {
        std::cerr << "Runs computed by rank:";
        for (const std::size_t n : mpi->runs_by_rank()) std::cerr << " " << n;
        std::cerr << "\n";
    }

    if (shard) {
        study::write_shard(out, plan, *shard, journal);
        journal.remove();
    } else {
        publish_study(plan, journal, done, out, opt.force);
    }
    char line[160];
    std::snprintf(line, sizeof line, "\n%zu runs in %.1f s (%.1f runs/s)\nWrote %s\n", done, secs,
                  secs > 0 ? static_cast<double>(done) / secs : 0.0, out.string().c_str());
    std::cout << line;
    return 0;
}

}  // namespace

void publish_study(const study::StudyPlan& plan, study::Journal& journal, std::size_t done,
                   const std::filesystem::path& out, bool force) {
    const study::StudySummary summary = study::summarize(plan, journal, done);
    io::write_study(out, force, plan, summary, journal, done);
    journal.remove();
    write_series_runs(plan, out, force, done);
    std::cout << study::format_summary(plan, summary);
}

std::function<int()> add_study_command(CLI::App& app) {
    auto opt = std::make_shared<StudyOptions>();
    auto* cmd = app.add_subcommand(
        "study", std::string("Run a Monte Carlo study: arms x uncertain parameters, in parallel; across machines with "
                             "mpirun -n N polarity study ... (MPI support ") +
                     (study::mpi_supported() ? "built in" : "absent from this build") + ")");
    cmd->add_option("study", opt->file, "Study YAML file")->required();
    cmd->add_option("-o,--output", opt->output, "HDF5 file to write (default: out/<study>.h5)");
    cmd->add_option("--threads", opt->threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--runs", opt->runs, "Runs per arm (overrides the study's `runs`)")
        ->check(CLI::Range(1, config::limits::kMaxStudyRunsPerArm));
    cmd->add_option("--set", opt->sets, "Override a base-scenario key for every arm: key.path=value (repeatable)");
    cmd->add_flag("--resume", opt->resume, "Continue an interrupted study from its journal");
    cmd->add_flag("--force", opt->force, "Overwrite the output, or discard an interrupted study's journal");
    cmd->add_flag("-q,--quiet", opt->quiet, "No progress output");
    cmd->add_option("--shard", opt->shard,
                    "Run only slice K of N (K/N) into a shard file (default: out/<study>.shard-K-of-N); "
                    "join the shards with `polarity merge`");
    return [cmd, opt]() -> int { return *cmd ? run_study(*opt) : -1; };
}

}  // namespace polarity::app
