"""The engine releases the GIL while it runs (two Python threads overlap) and stops cleanly on
Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from module_support import ROOT, SMALL_STUDY, polarity

LONG_STUDY = ["scenarios/studies/enforcement.yaml"]


def test_two_python_threads_run_studies_at_the_same_time():
    """Each study reports between batches; with the GIL held for a whole study, one thread's
    reports would all come before the other's."""
    events: list[tuple[str, float]] = []

    def work(name):
        polarity.study(SMALL_STUDY, runs=200, threads=1, progress=lambda done, total: events.append((name, done)))

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    order = [name for name, done in events if done > 0]
    first_b, last_b = order.index("b"), len(order) - 1 - order[::-1].index("b")
    assert "a" in order[first_b:last_b], f"the studies ran one after the other: {order}"


def test_python_runs_while_the_engine_works():
    """A Python thread keeps running while the engine runs a study in another."""
    done = threading.Event()
    ticks = []

    def work():
        polarity.study(*LONG_STUDY, runs=60, threads=1, set={"run.horizon_months": 24})
        done.set()

    worker = threading.Thread(target=work)
    t0 = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        sum(range(2000))  # Python work, which needs the GIL
    worker.join()
    elapsed = time.perf_counter() - t0
    gaps = [b - a for a, b in zip([t0] + ticks, ticks)]
    assert len(ticks) > 100 and max(gaps) < 0.5 * elapsed, (len(ticks), max(gaps), elapsed)


def test_ctrl_c_stops_a_study_and_leaves_no_journal(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    script = ("import polarity, sys\n"
              "def report(done, total):\n"
              "    if done: print('running', flush=True)\n"
              f"polarity.study({LONG_STUDY[0]!r}, runs=100000, threads=1, progress=report)\n")
    env = dict(os.environ, TMPDIR=str(scratch))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "running"
    first_batch = time.perf_counter() - started  # start-up and one batch: the build's own pace
    assert list(scratch.iterdir()), "the study's journal folder should exist while it runs"
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60 + 10 * first_batch)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err, err
    # It stops at the end of the batch it is running, not after the 100,000 runs.
    assert time.perf_counter() - t0 < 5 + 2 * first_batch, (time.perf_counter() - t0, first_batch)
    assert not list(scratch.iterdir()), "the temporary journal was left behind"
