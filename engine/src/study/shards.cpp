#include "polarity/study/shards.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <system_error>

#include "polarity/core/error.hpp"
#include "polarity/study/batch_scheduler.hpp"

namespace polarity::study {

namespace {

constexpr std::array<char, 8> kMagic = {'P', 'O', 'L', 'S', 'H', 'R', 'D', '1'};

struct Header {
    std::array<char, 8> magic;
    std::uint64_t fingerprint, index, count, first_run, runs, record_doubles, reserved;
};
static_assert(sizeof(Header) == 64);

/// A shard file as found on disk.
struct Shard {
    std::filesystem::path path;
    Header header{};
};

[[noreturn]] void fail(const std::filesystem::path& p, const std::string& what, int err = 0) {
    std::string msg = p.string() + ": " + what;
    if (err != 0) msg += ": " + std::error_code(err, std::generic_category()).message();
    throw IoError(msg);
}

std::string name(std::size_t index, std::size_t count) {
    return "shard " + std::to_string(index) + "/" + std::to_string(count);
}

std::string runs_text(const StudyPlan& plan, const StudySlice& s) {
    const std::size_t batch = batch_runs(plan), total = plan.total_runs();
    const std::size_t first = std::min(total, s.first * batch), end = std::min(total, s.end * batch);
    return first == end ? "no runs" : "runs " + std::to_string(first) + "-" + std::to_string(end - 1);
}

Shard read_header(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) fail(p, "cannot open the shard file", errno);
    Shard s{p, {}};
    if (!in.read(reinterpret_cast<char*>(&s.header), sizeof s.header) || s.header.magic != kMagic)
        fail(p, "not a study shard (polarity study --shard K/N writes them)");
    const std::uintmax_t expected = sizeof(Header) + s.header.runs * s.header.record_doubles * sizeof(double);
    if (std::filesystem::file_size(p) != expected) fail(p, "the shard file is truncated or damaged");
    return s;
}

}  // namespace

ShardId parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    std::size_t k = 0, n = 0, used_k = 0, used_n = 0;
    try {
        if (slash != std::string::npos) {
            k = std::stoul(text.substr(0, slash), &used_k);
            n = std::stoul(text.substr(slash + 1), &used_n);
        }
    } catch (const std::logic_error&) {
        n = 0;
    }
    if (slash == std::string::npos || used_k != slash || used_n != text.size() - slash - 1 || k < 1 || k > n)
        throw std::invalid_argument("--shard '" + text + "': expected K/N with 1 <= K <= N, e.g. 2/8");
    return {k, n};
}

StudySlice shard_slice(const StudyPlan& plan, ShardId id) {
    const std::size_t batch = batch_runs(plan), batches = (plan.total_runs() + batch - 1) / batch;
    return {(id.index - 1) * batches / id.count, id.index * batches / id.count, false};
}

std::uint64_t shard_fingerprint(const StudyPlan& plan, ShardId id) {
    return fingerprint(std::to_string(plan.fingerprint) + " " + name(id.index, id.count));
}

void write_shard(const std::filesystem::path& path, const StudyPlan& plan, ShardId id, const Journal& journal) {
    const StudySlice slice = shard_slice(plan, id);
    const std::size_t batch = batch_runs(plan);
    const std::size_t first = std::min(plan.total_runs(), slice.first * batch);
    const Header h{kMagic, plan.fingerprint, id.index, id.count, first, journal.completed(), journal.record_doubles(), 0};
    const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) fail(tmp, "cannot create the shard file", errno);
    bool ok = std::fwrite(&h, sizeof h, 1, f) == 1;
    std::vector<double> chunk;
    for (std::size_t at = 0; ok && at < journal.completed(); at += batch) {
        const std::size_t n = std::min(batch, journal.completed() - at);
        journal.read(at, n, chunk);
        ok = std::fwrite(chunk.data(), sizeof(double), chunk.size(), f) == chunk.size();
    }
    ok = ok && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    const int err = errno;
    ok = std::fclose(f) == 0 && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::filesystem::remove(tmp);
        fail(path, "cannot write the shard file", ok ? errno : err);
    }
}

std::size_t merge_shards(const StudyPlan& plan, const std::vector<std::filesystem::path>& paths, Journal& journal) {
    if (paths.empty()) throw IoError("no shard files given");
    // Check every shard before journalling anything.
    std::vector<Shard> shards;
    std::map<std::size_t, const Shard*> by_index;
    for (const auto& p : paths) shards.push_back(read_header(p));
    const std::size_t count = shards.front().header.count;
    for (const Shard& s : shards) {
        const Header& h = s.header;
        if (h.fingerprint != plan.fingerprint || h.record_doubles != plan.layout.size())
            fail(s.path, name(h.index, h.count) + " of another study: it was run with other study or scenario files, "
                                                  "--set, --runs or engine version");
        if (h.count != count)
            fail(s.path, name(h.index, h.count) + ", but " + shards.front().path.string() + " is " +
                             name(shards.front().header.index, count) + ": all shards must come from one split");
        const auto [it, fresh] = by_index.emplace(h.index, &s);
        if (!fresh) fail(s.path, name(h.index, count) + " given twice (also " + it->second->path.string() + ")");
        const StudySlice slice = shard_slice(plan, {h.index, count});
        const std::size_t batch = batch_runs(plan);
        const std::size_t first = std::min(plan.total_runs(), slice.first * batch);
        const std::size_t end = std::min(plan.total_runs(), slice.end * batch);
        if (h.index < 1 || h.index > count || h.first_run != first || h.runs != end - first)
            fail(s.path, name(h.index, count) + " should hold " + runs_text(plan, slice) + ", but holds " +
                             std::to_string(h.runs) + " runs from run " + std::to_string(h.first_run));
    }
    for (std::size_t k = 1; k <= count; ++k)
        if (by_index.count(k) == 0)
            throw IoError(name(k, count) + " is missing (" + runs_text(plan, shard_slice(plan, {k, count})) +
                          "); merge needs all " + std::to_string(count) + " shards");

    // Journal the shards' batches through the scheduler, which applies the precision rule.
    BatchScheduler scheduler(plan, journal);
    std::vector<double> records;
    while (const auto batch = scheduler.next()) {
        // The shards were checked to tile the study, so one holds the batch.
        const Shard* s = nullptr;
        for (const auto& [k, shard] : by_index)
            if (batch->first >= shard->header.first_run && batch->first < shard->header.first_run + shard->header.runs) s = shard;
        std::ifstream in(s->path, std::ios::binary);
        records.resize(batch->runs * plan.layout.size());
        in.seekg(static_cast<std::streamoff>(sizeof(Header) + (batch->first - s->header.first_run) *
                                                                   plan.layout.size() * sizeof(double)));
        if (!in.read(reinterpret_cast<char*>(records.data()), static_cast<std::streamsize>(records.size() * sizeof(double))))
            fail(s->path, "cannot read the shard's records");
        scheduler.complete(*batch, std::move(records));
    }
    scheduler.finish();
    return scheduler.done();
}

}  // namespace polarity::study
