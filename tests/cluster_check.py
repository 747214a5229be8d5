#!/usr/bin/python3
"""Studies across machines, end to end through the command line (run by ctest).

    cluster_check.py mpi    POLARITY MPIEXEC   # mpirun -n 1/2/3, a rank killed and resumed
    cluster_check.py shards POLARITY           # --shard K/N and polarity merge

Every study file is compared with the single-process, threaded one by
benchmarks/compare_outputs.py (bit for bit). Open MPI refuses to run as root unless told;
these tests tell it, and oversubscribe the machine's cores.
"""

import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
STUDY = str(ROOT / "tests/data/studies/small.yaml")
sys.path.insert(0, str(ROOT / "benchmarks"))
from compare_outputs import compare  # noqa: E402

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")


def run(args, expect=0):
    r = subprocess.run([str(a) for a in args], env=ENV, capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    if expect is not None and r.returncode != expect:
        sys.exit(f"FAIL: {' '.join(map(str, args))} exited {r.returncode}, expected {expect}:\n{out}")
    return r.returncode, out


def identical(reference, candidate, what):
    if not compare(str(reference), str(candidate)):
        sys.exit(f"FAIL: {what} differs from the single-process study")
    print(f"ok: {what} is bit-identical to the single-process study")


def rank_pid(rank):
    """The pid of MPI rank `rank` of the running polarity job (from its environment)."""
    for pid in os.listdir("/proc"):
        try:
            env = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            cmd = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if b"polarity" in cmd and f"OMPI_COMM_WORLD_RANK={rank}".encode() in env:
            return int(pid)
    return None


def check_mpi(cli, mpiexec, tmp):
    mpirun = [mpiexec, "--oversubscribe", "-n"]
    ref = tmp / "ref.h5"
    run([cli, "study", STUDY, "-o", ref, "--runs", "60", "--threads", "2", "-q"])
    for n in (1, 2, 3):
        out = tmp / f"n{n}.h5"
        _, text = run(mpirun + [n, cli, "study", STUDY, "-o", out, "--runs", "60", "--threads", "1"])
        identical(ref, out, f"mpirun -n {n}")
        if n > 1:
            counts = [int(c) for c in text.split("Runs computed by rank:")[1].split("\n")[0].split()]
            if len(counts) != n or sum(counts) != 120 or 0 in counts:  # every rank computed some of the 120 runs
                sys.exit(f"FAIL: runs by rank {counts}, expected {n} ranks each computing some of the 120 runs")

    # A rank killed mid-study: non-zero exit naming it, journal intact, no output; resumed with
    # another number of ranks, the study equals the uninterrupted one.
    big = ["--runs", "1500", "--threads", "1"]
    ref_big, out = tmp / "ref_big.h5", tmp / "killed.h5"
    journal = pathlib.Path(str(out) + ".journal")
    run([cli, "study", STUDY, "-o", ref_big, "-q"] + big)
    job = subprocess.Popen([str(a) for a in mpirun + [3, cli, "study", STUDY, "-o", out, "-q"] + big],
                           env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not (journal.exists() and journal.stat().st_size > 200_000):
        time.sleep(0.01)
    victim = rank_pid(1)
    if victim is None or job.poll() is not None:
        sys.exit("FAIL: could not find rank 1 of a running study to kill")
    os.kill(victim, signal.SIGKILL)
    text = job.communicate(timeout=60)[0]
    if job.returncode == 0:
        sys.exit("FAIL: the study with a killed rank exited 0:\n" + text)
    host = socket.gethostname()
    if "rank 1" not in text or host not in text:
        sys.exit(f"FAIL: the failure does not name rank 1 and its host {host}:\n{text}")
    if out.exists() or not journal.exists():
        sys.exit("FAIL: a killed study must leave its journal and no study file")
    print(f"ok: killed rank 1 reported (exit {job.returncode}), journal kept")
    _, text = run(mpirun + [2, cli, "study", STUDY, "-o", out, "--resume"] + big)
    if "resuming after" not in text:
        sys.exit("FAIL: the resumed study did not start from the journal:\n" + text)
    identical(ref_big, out, "killed at 3 ranks and resumed at 2")
    if journal.exists() or pathlib.Path(str(journal) + ".ahead").exists():
        sys.exit("FAIL: the journal outlived the finished study")


def check_shards(cli, tmp):
    ref = tmp / "ref.h5"
    runs = ["--runs", "60"]
    run([cli, "study", STUDY, "-o", ref, "-q", "--threads", "2"] + runs)
    shards = []
    for k in (1, 2, 3):
        shards.append(tmp / f"s{k}")
        run([cli, "study", STUDY, "--shard", f"{k}/3", "-o", shards[-1], "-q", "--threads", "1"] + runs)
    merged = tmp / "merged.h5"
    run([cli, "merge", STUDY, shards[2], shards[0], shards[1], "-o", merged] + runs)
    identical(ref, merged, "shards 1/3, 2/3 and 3/3 merged")

    # A shard of the same study split another way, and one of another study (other --runs).
    run([cli, "study", STUDY, "--shard", "1/2", "-o", tmp / "half1", "-q"] + runs)
    run([cli, "study", STUDY, "--shard", "2/3", "-o", tmp / "other2", "-q", "--runs", "61"])
    bad = tmp / "bad.h5"
    cases = {
        "missing": ([shards[0], shards[2]], "shard 2/3 is missing"),
        "duplicated": ([shards[0], shards[1], shards[1], shards[2]], f"{shards[1]}: shard 2/3 given twice"),
        "another study": ([shards[0], tmp / "other2", shards[2]], f"{tmp / 'other2'}: shard 2/3 of another study"),
        "another split": ([shards[0], tmp / "half1", shards[2]], f"{tmp / 'half1'}: shard 1/2"),
    }
    for what, (files, message) in cases.items():
        code, text = run([cli, "merge", STUDY, *files, "-o", bad] + runs, expect=None)
        if code == 0 or message not in text:
            sys.exit(f"FAIL: merging with a {what} shard: exit {code}, expected an error with '{message}':\n{text}")
        if bad.exists() or list(tmp.glob("bad.h5*")):
            sys.exit(f"FAIL: merging with a {what} shard left files behind")
        print(f"ok: {what} shard refused: {text.strip().splitlines()[-1]}")


def main():
    mode, cli = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="polarity_cluster_") as d:
        if mode == "mpi":
            check_mpi(cli, sys.argv[3], pathlib.Path(d))
        else:
            check_shards(cli, pathlib.Path(d))


if __name__ == "__main__":
    main()
