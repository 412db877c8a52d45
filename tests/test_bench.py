"""bench/ computes what it claims: each peer's formulation agrees with cypool, and the CLI runs."""
import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

import cypool
from cypool.__main__ import _bench_package

_bench_package()
from cypool.bench import cases, peers, runner  # noqa: E402

SMALL = {2: (2, 3, 12, 10), 3: (2, 3, 6, 8, 4), 1: (2, 3, 32)}


def small(case):
    if case.op.endswith("_u8"):
        return dataclasses.replace(case, shape=(16, 12, 3))
    if case.op == "unpool":
        return dataclasses.replace(case, shape=(2, 3, 5, 6))
    if case.op == "adaptive_avg":
        return dataclasses.replace(case, shape=(2, 5, 7, 7))
    return dataclasses.replace(case, shape=SMALL[case.nsp])


def as_array(result):
    if isinstance(result, (tuple, list)):
        result = result[0]
    return np.asarray(result.detach() if hasattr(result, "detach") else result)


def run_peer(lib, case, layout):
    call = peers.PEERS[lib](case, layout, "fwd", 1)
    return as_array(call())


def test_floor_bytes_match_bench_md():
    a = cases.BY_ID["a"]
    assert a.floor_bytes("fwd") / 53e9 * 1e3 == pytest.approx(2.41, rel=0.01)
    n = cases.BY_ID["n"]
    assert n.floor_bytes("fwd") / 53e9 * 1e3 == pytest.approx(1.69, rel=0.01)


@pytest.mark.parametrize("case_id", list(cases.BY_ID))
def test_numpy_peer_agrees_with_cypool(case_id):
    case = small(cases.BY_ID[case_id])
    for layout in case.layouts:
        try:
            ours = run_peer("cypool", case, layout)
            theirs = run_peer("numpy", case, layout)
        except peers.Unsupported as e:
            pytest.skip(str(e))
        np.testing.assert_allclose(ours, theirs.astype(ours.dtype), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case_id", list(cases.BY_ID))
def test_torch_peer_agrees_with_cypool(case_id):
    pytest.importorskip("torch")
    case = small(cases.BY_ID[case_id])
    if "cf" not in case.layouts:
        pytest.skip("torch's channels-last results come back as NCHW views")
    try:
        ours = run_peer("cypool", case, "cf")
        theirs = run_peer("torch", case, "cf")
    except peers.Unsupported as e:
        pytest.skip(str(e))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_cli_runs_and_writes_json(tmp_path):
    out = tmp_path / "run.json"
    proc = subprocess.run(
        [sys.executable, "-m", "cypool", "bench", "--cases", "c", "--peers", "numpy",
         "--threads", "1", "--budget", "0", "--rounds", "2", "--quiet", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "cypool" in proc.stdout and "NumPy" in proc.stdout and "floor" in proc.stdout
    record = json.loads(out.read_text())
    ok = {r["lib"] for r in record["results"] if r["status"] == "ok"}
    assert {"cypool", "cypool_out", "numpy"} <= ok
    assert record["floors"]["1"]["best_Bps"] > 1e8
    assert all(r["x_floor"] > 0 for r in record["results"] if r["status"] == "ok")
    assert record["rounds"] == 2 and "median of 2 rounds" in proc.stdout
    assert all(len(r["round_medians_s"]) == 2 for r in record["results"] if r["status"] == "ok")


def test_cli_refuses_unknown_case():
    proc = subprocess.run([sys.executable, "-m", "cypool", "bench", "--cases", "zz"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "zz" in proc.stderr


def test_cli_refuses_zero_rounds():
    proc = subprocess.run([sys.executable, "-m", "cypool", "bench", "--rounds", "0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "--rounds" in proc.stderr and "0" in proc.stderr


def _result(lib, median, status="ok", case="c"):
    r = {"event": "result", "lib": lib, "case": case, "layout": "cf", "mode": "fwd", "threads": 1,
         "status": status}
    return dict(r, median_s=median, best_s=median / 2, runs=5) if status == "ok" else dict(r, note="no")


def test_rounds_merge_to_the_median_of_their_medians():
    merged = runner.merge_rounds([_result("cypool", 3.0), _result("torch", 1.0), _result("cypool", 1.0),
                                  _result("torch", 2.0), _result("cypool", 2.0), _result("torch", 9.0),
                                  _result("numpy", None, "unsupported"), _result("numpy", None, "unsupported")])
    by_lib = {r["lib"]: r for r in merged}
    assert len(merged) == 3
    assert by_lib["cypool"]["median_s"] == 2.0 and by_lib["cypool"]["round_medians_s"] == [3.0, 1.0, 2.0]
    assert by_lib["cypool"]["best_s"] == 0.5 and by_lib["cypool"]["runs"] == 15
    assert by_lib["torch"]["median_s"] == 2.0
    assert by_lib["numpy"]["status"] == "unsupported"
    # a round that failed is what the row shows, not a median of the others
    merged = runner.merge_rounds([_result("jax", 1.0), _result("jax", None, "error")])
    assert [r["status"] for r in merged] == ["error"]


def test_cache_sizes_read_from_sysfs(tmp_path):
    # the run records the host's caches (hosts differ between runs; a case that fits in the
    # last level can beat the memory floor): data and unified levels, instruction caches left out
    for i, (level, kind, size) in enumerate([(1, "Data", "48K"), (1, "Instruction", "32K"),
                                             (2, "Unified", "2048K"), (3, "Unified", "260M")]):
        d = tmp_path / f"index{i}"
        d.mkdir()
        (d / "level").write_text(f"{level}\n")
        (d / "type").write_text(f"{kind}\n")
        (d / "size").write_text(f"{size}\n")
    (tmp_path / "uevent").write_text("")
    assert runner.cache_sizes(str(tmp_path)) == {"L1d": 48 << 10, "L2": 2 << 20, "L3": 260 << 20}
    assert runner.cache_sizes(str(tmp_path / "missing")) == {}


def test_info_prints_config():
    proc = subprocess.run([sys.executable, "-m", "cypool", "info"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0
    assert f"cypool {cypool.__version__}" in proc.stdout and "openmp" in proc.stdout


def test_stream_copy_copies():
    from cypool._kernels._openmp import stream_copy
    src = np.arange(1001, dtype=np.uint8)
    dst = np.zeros_like(src)
    stream_copy(src, dst, 3)
    np.testing.assert_array_equal(src, dst)
