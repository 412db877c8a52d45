"""``python -m cypool``: ``info`` (the build), ``bench`` (a side-by-side benchmark).

The benchmark package lives in the repository's ``bench/`` and is installed as
``cypool.bench``; run from a source checkout it is found beside the package.
"""
import argparse
import importlib
import importlib.util
import os
import sys


def _bench_package():
    """Import cypool.bench, from the wheel or, in a source checkout, from ../bench."""
    try:
        return importlib.import_module("cypool.bench")
    except ImportError:
        here = os.path.dirname(os.path.abspath(__file__))
        init = os.path.join(os.path.dirname(here), "bench", "__init__.py")
        if not os.path.exists(init):
            raise
        spec = importlib.util.spec_from_file_location(
            "cypool.bench", init, submodule_search_locations=[os.path.dirname(init)])
        module = importlib.util.module_from_spec(spec)
        sys.modules["cypool.bench"] = module
        spec.loader.exec_module(module)
        return module


def _csv(kind):
    def parse(text):
        items = [t.strip() for t in text.split(",") if t.strip()]
        return [int(t) for t in items] if kind is int else items
    return parse


def bench_parser(prog="python -m cypool bench"):
    p = argparse.ArgumentParser(prog=prog, description=(
        "Side-by-side timings of cypool and the installed peers, each in its own process, "
        "with the memory floor measured in the same run (see bench/ and BENCH.md)."))
    p.add_argument("--all", action="store_true", help="every case (a-n), every mode (fwd, idx, train)")
    p.add_argument("--cases", type=_csv(str), help="comma-separated case ids (default: a, b, c, d)")
    p.add_argument("--peers", type=_csv(str),
                   help="comma-separated: torch,tensorflow,jax,numpy,skimage (default: all installed)")
    p.add_argument("--threads", type=_csv(int), help="comma-separated thread counts (default: cypool's default)")
    p.add_argument("--modes", type=_csv(str), help="fwd, idx, train (default: fwd; --all: all three)")
    p.add_argument("--layouts", type=_csv(str), help="cf, cl (default: each case's own)")
    p.add_argument("--budget", type=float, default=None,
                   help="seconds per measurement after 5 runs (default 0.3; --all 1.0)")
    p.add_argument("--rounds", type=int, default=1,
                   help="run every library this many times, taking turns, and report the median "
                        "of the rounds (default 1)")
    p.add_argument("--json", metavar="FILE", help="write the whole run as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="bar chart of the speed-ups (needs matplotlib)")
    p.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def bench(argv):
    args = bench_parser().parse_args(argv)
    bench_pkg = _bench_package()
    from cypool.bench import cases, report, runner  # noqa: F401  (resolved by _bench_package)

    if args.cases:
        unknown = [c for c in args.cases if c not in cases.BY_ID]
        if unknown:
            sys.exit(f"--cases: unknown {unknown}; known: {', '.join(cases.BY_ID)}")
    case_ids = args.cases or ([c.id for c in cases.CASES] if args.all else None)
    modes = args.modes or (["fwd", "idx", "train"] if args.all else ["fwd"])
    bad = set(modes) - {"fwd", "idx", "train"}
    if bad:
        sys.exit(f"--modes: unknown {sorted(bad)}; known: fwd, idx, train")
    if args.peers:
        bad = set(args.peers) - set(runner.ALL_PEERS)
        if bad:
            sys.exit(f"--peers: unknown {sorted(bad)}; known: {', '.join(runner.ALL_PEERS)}")
        missing = [p for p in args.peers if not runner.installed(p)]
        if missing:
            print(f"not installed, skipped: {', '.join(missing)}", file=sys.stderr)
    if args.threads and min(args.threads) < 1:
        sys.exit(f"--threads: got {args.threads}; thread counts must be >= 1")
    if args.rounds < 1:
        sys.exit(f"--rounds: got {args.rounds}; the number of rounds must be >= 1")
    budget = args.budget if args.budget is not None else (1.0 if args.all else 0.3)
    record = runner.run(case_ids, args.peers, args.threads, modes, args.layouts,
                        budget=budget, progress=not args.quiet, rounds=args.rounds)
    print(report.full_report(record, markdown=args.markdown))
    if args.json:
        runner.save_json(record, args.json)
        print(f"\nwrote {args.json}")
    if args.plot:
        try:
            report.plot(record, args.plot)
            print(f"wrote {args.plot}")
        except ImportError:
            print("--plot needs matplotlib: pip install 'cypool[bench]'", file=sys.stderr)
    del bench_pkg
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    commands = {"info": "the build: version, OpenMP, threads, compiler flags",
                "bench": "side-by-side benchmark with the installed peers (--help for options)"}
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m cypool {info,bench} ...\n")
        for name, text in commands.items():
            print(f"  {name:6s} {text}")
        return 0
    command, rest = argv[0], argv[1:]
    if command == "info":
        import cypool
        cypool.show_config()
        return 0
    if command == "bench":
        return bench(rest)
    if command == "bench-worker":  # internal: one library in its own process (bench/worker.py)
        _bench_package()
        from cypool.bench import worker
        worker.main()
        return 0
    print(f"python -m cypool: unknown command {command!r}; known: {', '.join(commands)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
