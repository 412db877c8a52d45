"""``python -m cypool bench``: every library in its own process, the floor in the same run.

For each thread count: the memory floor (a parallel copy) is measured, then
each library runs its tasks in a fresh subprocess pinned to the same CPUs
with the same thread settings, then the floor is measured again (the best of
the two counts). Figures are medians; each is also given as a multiple of the
floor, ``floor = bytes that must move / best bandwidth``.
"""
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

from .cases import BY_ID, CASES

ALL_PEERS = ["torch", "tensorflow", "jax", "numpy", "skimage"]
THREAD_ENV = ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "TF_NUM_INTRAOP_THREADS", "NUMEXPR_NUM_THREADS"]


def installed(lib):
    name = {"skimage": "skimage", "cypool_out": "cypool"}.get(lib, lib)
    return importlib.util.find_spec(name) is not None


def default_threads():
    import cypool
    return [cypool.get_num_threads()]


def plan_tasks(case_ids, layouts, modes):
    tasks = []
    for cid in case_ids:
        case = BY_ID[cid]
        for layout in case.layouts:
            if layouts and layout not in layouts:
                continue
            for mode in case.modes:
                if mode in modes:
                    tasks.append((cid, layout, mode))
    return tasks


def _cpus(nthreads):
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows: no affinity, thread settings only
        return None
    return cpus[:nthreads]


def _env(nthreads):
    env = dict(os.environ)
    for name in THREAD_ENV:
        env[name] = str(nthreads)
    env["TF_NUM_INTEROP_THREADS"] = "1"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    if nthreads == 1:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") +
                            " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
    return env


class Progress:
    """A one-line bar on stderr (only when stderr is a terminal)."""

    def __init__(self, total, enabled=True):
        self.total, self.done = max(total, 1), 0
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.perf_counter()

    def step(self, label, n=1):
        self.done += n
        if self.enabled:
            width = 30
            fill = int(width * self.done / self.total)
            elapsed = time.perf_counter() - self.start
            sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} "
                             f"{elapsed:5.0f}s {label:<40.40s}")
            sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def _worker(spec, nthreads, on_line):
    cmd = [sys.executable, "-m", "cypool", "bench-worker"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env(nthreads), text=True)
    proc.stdin.write(json.dumps(spec))
    proc.stdin.close()
    records = []
    for line in proc.stdout:
        line = line.strip()
        if line.startswith("{"):
            record = json.loads(line)
            records.append(record)
            on_line(record)
    err = proc.stderr.read()
    rc = proc.wait()
    if rc != 0:
        records.append({"event": "crash", "lib": spec["lib"], "threads": nthreads, "rc": rc,
                        "stderr": err[-2000:]})
    return records


def run(case_ids=None, peers=None, threads=None, modes=("fwd",), layouts=None,
        budget=0.5, min_runs=5, max_runs=30, progress=True, rounds=1):
    """Run the benchmark; returns the JSON-able record of the whole run.

    With ``rounds`` > 1 every library runs its tasks that many times, the
    libraries taking turns (each round in a fresh process, the order reversed
    every other round), and each figure is the median of its rounds' medians:
    a minute of a noisy neighbour then moves one round of one library, not the
    whole row.
    """
    import cypool
    from cypool._config import config

    case_ids = case_ids or [c.id for c in CASES if c.quick]
    peers = [p for p in (peers if peers is not None else ALL_PEERS) if installed(p)]
    libs = ["cypool", "cypool_out", *peers]
    threads = threads or default_threads()
    tasks = plan_tasks(case_ids, layouts, modes)
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1; got {rounds}")
    bar = Progress(len(threads) * (rounds * len(libs) * len(tasks) + 2), progress)
    run_record = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(),
                  "config": config(), "cypool": cypool.__version__, "argv": sys.argv[1:],
                  "budget_s": budget, "rounds": rounds, "libs": {}, "floors": {}, "results": [],
                  "problems": []}
    per_round = []
    for nt in threads:
        floors = []
        spec = {"lib": "floor", "threads": nt, "cpus": _cpus(nt)}
        for r in _worker(spec, nt, lambda r: None):
            floors.append(r)
        bar.step(f"floor, {nt} thread(s)")
        for rnd in range(rounds):
            for lib in (libs if rnd % 2 == 0 else libs[::-1]):
                spec = {"lib": lib, "threads": nt, "cpus": _cpus(nt), "tasks": tasks,
                        "budget": budget, "min_runs": min_runs, "max_runs": max_runs}

                def on_line(r, lib=lib, rnd=rnd):
                    if r["event"] == "result":
                        bar.step(f"{lib} {r['case']} {r['layout']} {r['mode']} t={nt}"
                                 + (f" round {rnd + 1}/{rounds}" if rounds > 1 else ""))
                    elif r["event"] == "start":
                        run_record["libs"][lib] = r.get("version") or r.get("error")
                for r in _worker(spec, nt, on_line):
                    if r["event"] == "result":
                        per_round.append(r)
                    elif r["event"] == "crash":
                        run_record["problems"].append(dict(r, round=rnd + 1))
        for r in _worker({"lib": "floor", "threads": nt, "cpus": _cpus(nt)}, nt, lambda r: None):
            floors.append(r)
        bar.step(f"floor again, {nt} thread(s)")
        good = [f for f in floors if f.get("event") == "floor"]
        run_record["floors"][str(nt)] = {
            "best_Bps": max(f["best_Bps"] for f in good) if good else None,
            "runs": good,
        }
    bar.close()
    run_record["results"] = merge_rounds(per_round)
    attach_floor(run_record)
    return run_record


def merge_rounds(results):
    """One result per (lib, case, layout, mode, threads) from each round's: ``median_s`` the
    median of the rounds' medians (``round_medians_s`` lists them), ``best_s`` the least,
    ``runs`` the sum; a task that was not ok in some round keeps that round's record."""
    groups = {}
    for r in results:
        groups.setdefault((r["lib"], r["case"], r["layout"], r["mode"], r["threads"]), []).append(r)
    merged = []
    for rs in groups.values():
        bad = [r for r in rs if r.get("status") != "ok"]
        if bad:
            merged.append(bad[0])
            continue
        medians = sorted(r["median_s"] for r in rs)
        merged.append(dict(rs[0], median_s=statistics.median(medians), best_s=min(r["best_s"] for r in rs),
                           runs=sum(r["runs"] for r in rs), round_medians_s=[r["median_s"] for r in rs]))
    return merged


def attach_floor(run_record):
    """Add ``floor_s`` and ``x_floor`` to each result, from the run's own bandwidth."""
    for r in run_record["results"]:
        bw = run_record["floors"].get(str(r["threads"]), {}).get("best_Bps")
        case = BY_ID[r["case"]]
        r["floor_s"] = case.floor_bytes(r["mode"]) / bw if bw else None
        if r.get("status") == "ok" and r["floor_s"]:
            r["x_floor"] = r["median_s"] / r["floor_s"]


def machine():
    info = {"cpu_count": os.cpu_count(), "platform": sys.platform}
    try:
        info["affinity"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        import platform
        info["cpu"] = platform.processor()
    caches = cache_sizes()
    if caches:
        info["caches"] = caches
    return info


def cache_sizes(root="/sys/devices/system/cpu/cpu0/cache"):
    """``{"L1d": bytes, "L2": bytes, "L3": bytes}`` of the first CPU, from Linux's sysfs
    (``{}`` elsewhere). Hosts differ between runs: a case whose bytes fit in the last
    level can beat the memory floor, so the run records what it ran on."""
    sizes = {}
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return sizes
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    for entry in entries:
        try:
            with open(os.path.join(root, entry, "level")) as f:
                level = f.read().strip()
            with open(os.path.join(root, entry, "type")) as f:
                kind = f.read().strip()
            with open(os.path.join(root, entry, "size")) as f:
                size = f.read().strip()
        except OSError:
            continue
        if kind == "Instruction" or not size:
            continue
        name = f"L{level}" + ("d" if kind == "Data" else "")
        sizes[name] = int(size[:-1]) * units[size[-1]] if size[-1] in units else int(size)
    return sizes


def save_json(run_record, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(run_record, f, indent=1)
