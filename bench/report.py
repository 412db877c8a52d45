"""The table (text / Markdown) and the bar chart of a run's record."""
from .cases import BY_ID, layout_name

PEER_NAMES = {"cypool": "cypool", "cypool_out": "cypool out=", "torch": "PyTorch",
              "tensorflow": "TensorFlow", "jax": "JAX", "numpy": "NumPy", "skimage": "scikit-image"}
PEERS = ("torch", "tensorflow", "jax", "numpy", "skimage")


def _rows(run_record, nthreads):
    rows = {}
    for r in run_record["results"]:
        if r["threads"] != nthreads:
            continue
        key = (r["case"], r["layout"], r["mode"])
        rows.setdefault(key, {})[r["lib"]] = r
    return rows


def _ms(r):
    if r is None:
        return "", None
    if r["status"] != "ok":
        return ("—" if r["status"] == "unsupported" else "error"), None
    x = r.get("x_floor")
    ms = r["median_s"] * 1e3
    return (f"{ms:.3g} ({x:.1f}×)" if x else f"{ms:.3g}"), r["median_s"]


def table(run_record, nthreads, markdown=False):
    """Rows: case, layout, mode; columns: floor, each library (ms and × floor), speed-up."""
    rows = _rows(run_record, nthreads)
    libs = [lib for lib in ("cypool", "cypool_out", *PEERS) if lib in run_record["libs"]
            and not str(run_record["libs"][lib]).startswith("not installed")]
    peers = [lib for lib in libs if lib in PEERS]
    head = ["case", "layout", "mode", "floor ms", *(PEER_NAMES[lib] + " ms" for lib in libs)]
    if peers:
        head.append("cypool vs fastest peer")
    body, notes = [], {}
    for (cid, layout, mode), by_lib in rows.items():
        case = BY_ID[cid]
        floor = next((r["floor_s"] for r in by_lib.values() if r.get("floor_s")), None)
        line = [cid, layout_name(case, layout), mode, f"{floor * 1e3:.3g}" if floor else "?"]
        times = {}
        for lib in libs:
            text, t = _ms(by_lib.get(lib))
            line.append(text)
            times[lib] = t
            r = by_lib.get(lib)
            if r is not None and r["status"] != "ok":
                notes.setdefault(f"{PEER_NAMES[lib]}: {r.get('note')}", []).append(cid)
        if peers:
            peer_times = [times[p] for p in peers if times.get(p)]
            if times.get("cypool") and peer_times:
                line.append(f"{min(peer_times) / times['cypool']:.2f}×")
            else:
                line.append("")
        body.append(line)
    floor = run_record["floors"].get(str(nthreads), {}).get("best_Bps")
    title = f"{nthreads} thread(s); floor bandwidth {floor / 1e9:.1f} GB/s (read + written)" if floor \
        else f"{nthreads} thread(s)"
    text = _format(head, body, markdown)
    note_lines = [f"  {note} [{', '.join(sorted(set(ids)))}]" for note, ids in notes.items()]
    return "\n".join([title, text, *(["not run:"] + note_lines if note_lines else [])])


def _format(head, body, markdown):
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(str(row[i])) for row in [head, *body]) for i in range(len(head))]
    fmt = lambda row: "  ".join(str(c).rjust(w) if i > 2 else str(c).ljust(w)  # noqa: E731
                                for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body)])


def _mib(nbytes):
    return f"{nbytes / (1 << 20):g} MiB"


def full_report(run_record, markdown=False):
    head = [f"cypool {run_record['cypool']} on {run_record['machine'].get('cpu', '?')} "
            f"({run_record['machine'].get('affinity', run_record['machine']['cpu_count'])} CPUs"
            + "".join(f", {k} {_mib(v)}" for k, v in run_record["machine"].get("caches", {}).items()
                      if k != "L1d")
            + "); "
            f"OpenMP {'on' if run_record['config']['openmp'] else 'OFF'}",
            "libraries: " + ", ".join(f"{PEER_NAMES[k]} {v}" for k, v in run_record["libs"].items()),
            "each figure: median ms of repeated calls"
            + (f" (the median of {run_record['rounds']} rounds, the libraries taking turns)"
               if run_record.get("rounds", 1) > 1 else "")
            + ", (× the memory floor of that row); "
            "every library in its own process, pinned to the same CPUs; "
            "'cypool' allocates its result like every peer, 'cypool out=' writes into a preallocated one."]
    threads = sorted({int(t) for t in run_record["floors"]})
    parts = ["\n".join(head)] + [table(run_record, t, markdown) for t in threads]
    for p in run_record.get("problems", []):
        parts.append(f"{p['lib']} crashed (rc {p['rc']}): {p['stderr'][-300:]}")
    return "\n\n".join(parts)


def plot(run_record, path):
    """Bar chart: cypool's speed-up over each peer, per row, one panel per thread count."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    threads = sorted({int(t) for t in run_record["floors"]})
    fig, axes = plt.subplots(len(threads), 1, figsize=(12, 3.5 * len(threads)), squeeze=False)
    for ax, nt in zip(axes[:, 0], threads):
        rows = _rows(run_record, nt)
        labels, series = [], {p: [] for p in PEERS}
        for (cid, layout, mode), by_lib in rows.items():
            ours = by_lib.get("cypool")
            if not ours or ours["status"] != "ok":
                continue
            labels.append(f"{cid} {layout_name(BY_ID[cid], layout)} {mode}")
            for p in PEERS:
                r = by_lib.get(p)
                series[p].append(r["median_s"] / ours["median_s"] if r and r["status"] == "ok" else 0)
        present = [p for p in PEERS if any(series[p])]
        width = 0.8 / max(len(present), 1)
        for i, p in enumerate(present):
            xs = [j + i * width for j in range(len(labels))]
            ax.bar(xs, [v or float("nan") for v in series[p]], width, label=PEER_NAMES[p])
        ax.axhline(1, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(labels))])
        ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
        ax.set_ylabel("speed-up of cypool (×)")
        ax.set_title(f"{nt} thread(s)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
