"""The AVX2 twin of the channels-last kernels gives the baseline's bits, as do the channels-first
row passes built both ways; CYPOOL_ISA.

The twin (``_window_cl_avx2``, setup.py's TWIN_FLAGS) replaces the baseline
channels-last module at import when the CPU runs AVX2 and FMA, so on such a
machine every other test runs the twin. Here each channels-last op runs through
both modules (the kernel namespace swapped under the Python layer) on data with
ties, +-0, infinities and NaN payloads, and must give the same bits: 8-lane
vectors may not change a result, nor may fused multiply-adds (the twin is
built with -ffp-contract=off).
"""
import importlib
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

import cypool
import cypool.functional._fractional as FF
import cypool.functional._window as FW
from cypool._kernels import _cpu, _window, _window_cf, _window_cf_idx, _window_cl

CL = "channels_last"


@pytest.fixture(scope="module")
def twin():
    if not _cpu.has_avx2_fma():
        pytest.skip("this CPU does not run AVX2 + FMA code")
    try:
        importlib.import_module("cypool._kernels._window_cl_avx2")
    except ImportError:
        pytest.skip("cypool was built without the AVX2 twin")
    return _window.namespace("avx2")


def _data(rng, shape, dtype):
    x = rng.integers(-4, 5, shape).astype(dtype)  # ties
    if np.dtype(dtype).kind == "f":
        x[x == 0] = rng.choice(np.array([0.0, -0.0], dtype), int((x == 0).sum()))
        x[rng.random(shape) < 0.03] = np.inf
        x[rng.random(shape) < 0.03] = -np.inf
        payloads = np.array([0x7FC00001, 0xFFC00002], np.uint32).view(np.float32).astype(dtype)
        nan_at = rng.random(shape) < 0.02
        x[nan_at] = rng.choice(payloads, int(nan_at.sum()))
        x += rng.standard_normal(shape).astype(dtype)  # distinct sums for the averages
    return x


def _finite(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def _signed_zeros(rng, shape, dtype):
    """+0, -0 and -1 only: windows whose extreme is a zero, which come first deciding its sign."""
    return rng.choice(np.array([0.0, -0.0, -1.0], dtype), shape)


# (name, input shape (N, *spatial, C), data maker, call on a channels-last array)
CALLS = [
    ("max2d k3 s2 p1", (2, 13, 11, 37), _data,
     lambda x: cypool.max_pool2d(x, 3, 2, 1, return_indices=True, data_format=CL)),
    ("max2d k2 s2", (2, 10, 12, 19), _data, lambda x: cypool.max_pool2d(x, 2, 2, data_format=CL)),
    ("min2d k3 s1 dil2", (1, 11, 9, 21), _data,
     lambda x: cypool.min_pool2d(x, 3, 1, 0, 2, return_indices=True, data_format=CL)),
    ("max1d k4 s4", (2, 33, 13), _data, lambda x: cypool.max_pool1d(x, 4, 4, return_indices=True, data_format=CL)),
    ("max3d k2 s2", (1, 6, 7, 8, 11), _data,
     lambda x: cypool.max_pool3d(x, 2, 2, return_indices=True, data_format=CL)),
    ("max2d rgb", (1, 9, 10, 3), _data, lambda x: cypool.max_pool2d(x, 3, 2, data_format=CL)),
    ("avg2d k2 s2", (2, 10, 12, 19), _finite, lambda x: cypool.avg_pool2d(x, 2, 2, data_format=CL)),
    ("avg2d k3 s1 p1 excl", (2, 9, 11, 37), _finite,
     lambda x: cypool.avg_pool2d(x, 3, 1, 1, count_include_pad=False, data_format=CL)),
    ("avg2d k5 s3 ceil", (1, 14, 13, 9), _finite,
     lambda x: cypool.avg_pool2d(x, 5, 3, 2, ceil_mode=True, data_format=CL)),
    ("avg2d rgb", (1, 9, 10, 3), _finite, lambda x: cypool.avg_pool2d(x, 2, 2, data_format=CL)),
    ("lp2d p2", (2, 10, 12, 19), _finite, lambda x: cypool.lp_pool2d(x, 2, 2, data_format=CL)),
    ("lp2d p3", (1, 9, 8, 13), _finite, lambda x: cypool.lp_pool2d(x, 3, 3, 2, data_format=CL)),
    # pixels of 512 bytes and more: one tap at a time over the channels (CL_TAP_BYTES)
    ("max2d k2 s2 wide", (2, 6, 8, 130), _data,
     lambda x: cypool.max_pool2d(x, 2, 2, return_indices=True, data_format=CL)),
    ("min2d k3 s2 p1 wide", (2, 7, 6, 130), _data,
     lambda x: cypool.min_pool2d(x, 3, 2, 1, return_indices=True, data_format=CL)),
    ("max2d k(2,3) s1 wide", (1, 5, 6, 130), _data, lambda x: cypool.max_pool2d(x, (2, 3), 1, data_format=CL)),
    ("avg2d k3 s1 p1 excl wide", (2, 6, 7, 130), _finite,
     lambda x: cypool.avg_pool2d(x, 3, 1, 1, count_include_pad=False, data_format=CL)),
    ("lp2d p2 wide", (1, 6, 8, 130), _finite, lambda x: cypool.lp_pool2d(x, 2, 2, data_format=CL)),
    ("adaptive max", (2, 30, 29, 21), _data,
     lambda x: cypool.adaptive_max_pool2d(x, 7, return_indices=True, data_format=CL)),
    ("adaptive avg", (2, 30, 29, 21), _finite, lambda x: cypool.adaptive_avg_pool2d(x, 7, data_format=CL)),
    ("global max", (3, 7, 9, 45), _data,
     lambda x: cypool.global_max_pool(x, return_indices=True, data_format=CL)),
    ("global avg", (3, 7, 9, 45), _finite, lambda x: cypool.global_avg_pool(x, data_format=CL)),
    ("fractional", (2, 15, 14, 19), _data,
     lambda x: cypool.fractional_max_pool2d(x, 2, output_ratio=0.7, return_indices=True, data_format=CL,
                                            _random_samples=np.full((x.shape[0], x.shape[-1], 2), 0.3, x.dtype))),
]


def _backward_calls(rng, dtype):
    """Backward passes on channels-last arrays: (name, thunk)."""
    x = _finite(rng, (2, 12, 11, 37), dtype)
    y, idx = cypool.max_pool2d(x, 3, 2, 1, return_indices=True, data_format=CL)
    g = _finite(rng, y.shape, dtype)
    ga = _finite(rng, cypool.avg_pool2d(x, 3, 1, 1, data_format=CL).shape, dtype)
    gg = _finite(rng, (2, 37), dtype)
    return [
        ("max bwd", lambda: cypool.max_pool2d_backward(g, idx, x.shape, data_format=CL)),
        ("avg bwd", lambda: cypool.avg_pool2d_backward(ga, x.shape, 3, 1, 1, count_include_pad=False,
                                                       data_format=CL)),
        ("global avg bwd", lambda: cypool.global_avg_pool_backward(gg, x.shape, data_format=CL)),
    ]


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[a.itemsize])


def _both(monkeypatch, twin, thunk):
    results = []
    for ns in (_window.namespace("baseline"), twin):
        monkeypatch.setattr(FW, "K", ns)
        monkeypatch.setattr(FF, "K", ns)
        res = thunk()
        results.append(res if isinstance(res, tuple) else (res,))
    return results


# every call in float32 and float64; 8-bit images where cypool takes them (max, min, average)
UINT8 = {"max2d k2 s2", "max2d rgb", "avg2d k2 s2", "avg2d rgb", "global max", "adaptive max"}
PARAMS = [pytest.param(call, dtype, id=f"{call[0]}-{np.dtype(dtype).name}")
          for call in CALLS for dtype in (np.float32, np.float64) + ((np.uint8,) if call[0] in UINT8 else ())]


@pytest.mark.parametrize("call,dtype", PARAMS)
def test_twin_gives_the_baseline_bits(twin, monkeypatch, rng, call, dtype):
    name, shape, make, call = call
    x = rng.integers(0, 256, shape).astype(np.uint8) if dtype == np.uint8 else make(rng, shape, dtype)
    base, fast = _both(monkeypatch, twin, lambda: call(x))
    assert len(base) == len(fast)
    for a, b in zip(base, fast):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(_bits(a), _bits(b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_twin_backward_gives_the_baseline_bits(twin, monkeypatch, rng, dtype):
    for name, thunk in _backward_calls(rng, dtype):
        (a,), (b,) = _both(monkeypatch, twin, thunk)
        np.testing.assert_array_equal(_bits(a), _bits(b), err_msg=name)


# channels-first calls whose row passes are the C ones built twice in _window_cf
# and _window_cf_idx (CYPOOL_CF_TWICE): column-first averages (and Lp, p = 2), the
# 3x3 max/min ring with and without indices, 2x2 (2x2x2) max/min at stride 2 (float32),
# fractional pooling's square windows
CF_CALLS = [
    ("avg k3 s1 p1 excl", (2, 3, 9, 29), _finite,
     lambda x: cypool.avg_pool2d(x, 3, 1, 1, count_include_pad=False)),
    ("avg k2 s1 ceil", (2, 3, 8, 27), _finite, lambda x: cypool.avg_pool2d(x, 2, 1, 1, ceil_mode=True)),
    ("avg3d k(2,2,3) s1", (1, 2, 4, 5, 26), _finite, lambda x: cypool.avg_pool3d(x, (2, 2, 3), 1, 1)),
    ("lp k3 s1", (2, 3, 9, 29), _finite, lambda x: cypool.lp_pool2d(x, 2, 3, 1)),
    ("max k3 s2 p1", (2, 3, 13, 37), _data, lambda x: cypool.max_pool2d(x, 3, 2, 1)),
    ("min k3 s1 p1", (2, 3, 11, 30), _data, lambda x: cypool.min_pool2d(x, 3, 1, 1)),
    ("max k3 s2 p1 idx", (2, 3, 13, 37), _data, lambda x: cypool.max_pool2d(x, 3, 2, 1, return_indices=True)),
    # the AVX2 stride-2 rows merge three input rows (two output rows at once): the sign of a
    # zero extreme shows the merge order
    ("max k3 s2 p1 zeros", (2, 3, 14, 37), _signed_zeros, lambda x: cypool.max_pool2d(x, 3, 2, 1)),
    ("min k3 s2 zeros ceil", (2, 3, 13, 36), lambda rng, shape, dtype: -_signed_zeros(rng, shape, dtype),
     lambda x: cypool.min_pool2d(x, 3, 2, 0, ceil_mode=True)),
    ("min k3 s1 idx", (2, 3, 11, 30), _data, lambda x: cypool.min_pool2d(x, 3, 1, 0, return_indices=True)),
    ("avg bwd k3 s1 p1 excl", (2, 3, 9, 29), _finite,  # gathered: quotients, row and column sums
     lambda g: cypool.avg_pool2d_backward(g, g.shape, 3, 1, 1, count_include_pad=False)),
    ("max k2 s2 pairs", (2, 3, 10, 46), _data, lambda x: cypool.max_pool2d(x, 2)),  # 8 + 7 outputs
    ("min k2 s2 pairs", (2, 3, 10, 46), _finite, lambda x: cypool.min_pool2d(x, 2)),
    ("max3d k2 s2 pairs", (2, 3, 4, 6, 38), _finite, lambda x: cypool.max_pool3d(x, 2)),
    # with indices (float32): a block without NaN by max/min and equality, one with a NaN by the
    # exact blends; the sign of a zero extreme and its index show the tie order
    ("max k2 s2 pairs idx", (2, 3, 10, 46), _data, lambda x: cypool.max_pool2d(x, 2, return_indices=True)),
    ("min k2 s2 pairs zeros idx", (2, 3, 10, 46), lambda rng, shape, dtype: -_signed_zeros(rng, shape, dtype),
     lambda x: cypool.min_pool2d(x, 2, return_indices=True)),
    ("max k2 s2 pairs zeros idx", (2, 3, 10, 46), _signed_zeros, lambda x: cypool.max_pool2d(x, 2, return_indices=True)),
    ("max3d k2 s2 pairs idx", (2, 3, 4, 6, 38), _data, lambda x: cypool.max_pool3d(x, 2, return_indices=True)),
    ("min3d k2 s2 pairs zeros idx", (2, 3, 4, 6, 38), lambda rng, shape, dtype: -_signed_zeros(rng, shape, dtype),
     lambda x: cypool.min_pool3d(x, 2, return_indices=True)),
    ("max k2 s2 p1 idx", (2, 3, 11, 47), _data, lambda x: cypool.max_pool2d(x, 2, 2, 1, return_indices=True)),
    ("max k2 s2 p1 zeros idx", (2, 3, 11, 47), _signed_zeros,  # the general row loop's interior
     lambda x: cypool.max_pool2d(x, 2, 2, 1, return_indices=True)),
    ("max k4 s4 quads zeros", (2, 3, 118), _signed_zeros, lambda x: cypool.max_pool1d(x, 4)),  # 3 x 8 + 4 + 1
    ("min k4 s4 quads zeros", (2, 3, 118), lambda rng, shape, dtype: -_signed_zeros(rng, shape, dtype),
     lambda x: cypool.min_pool1d(x, 4)),
    ("adaptive max 7x7", (2, 3, 30, 30), _data, lambda x: cypool.adaptive_max_pool2d(x, 7)),  # tall8
    ("adaptive min 8x3", (2, 3, 20, 41), _signed_zeros, lambda x: cypool.adaptive_min_pool2d(x, (8, 3))),
    ("adaptive max 5x4", (2, 3, 17, 23), _finite, lambda x: cypool.adaptive_max_pool2d(x, (5, 4))),
    ("adaptive max 7x7 idx", (2, 3, 30, 30), _data, lambda x: cypool.adaptive_max_pool2d(x, 7, return_indices=True)),
    ("adaptive min 8x3 idx", (2, 3, 20, 41), _signed_zeros,
     lambda x: cypool.adaptive_min_pool2d(x, (8, 3), return_indices=True)),
    ("fractional k2", (2, 3, 25, 38), _data,  # rows without NaN: the running-row passes
     lambda x: cypool.fractional_max_pool2d(x, 2, output_ratio=0.7, _random_samples=np.full((2, 3, 2), 0.3, x.dtype))),
    ("fractional k2 idx", (2, 3, 25, 38), _data,  # the 2x2 pass with indices
     lambda x: cypool.fractional_max_pool2d(x, 2, output_ratio=0.7, return_indices=True,
                                            _random_samples=np.full((2, 3, 2), 0.3, x.dtype))),
    ("fractional k3", (2, 3, 25, 38), _finite,
     lambda x: cypool.fractional_max_pool2d(x, 3, output_ratio=0.6, _random_samples=np.full((2, 3, 2), 0.6, x.dtype))),
]
CF_PARAMS = [pytest.param(call, dtype, id=f"{call[0]}-{np.dtype(dtype).name}")
             for call in CF_CALLS
             for dtype in (np.float32, np.float64) + ((np.uint8,) if call[0].startswith("avg k") else ())]


@pytest.mark.parametrize("call,dtype", CF_PARAMS)
def test_channels_first_passes_give_the_baseline_bits(rng, call, dtype):
    if not _cpu.has_avx2_fma():
        pytest.skip("this CPU does not run AVX2 code")
    name, shape, make, call = call
    x = rng.integers(0, 256, shape).astype(np.uint8) if dtype == np.uint8 else make(rng, shape, dtype)
    was = [m._use_avx2(False) for m in (_window_cf, _window_cf_idx)]
    try:
        base = call(x)
        for m in (_window_cf, _window_cf_idx):
            m._use_avx2(True)
        fast = call(x)
    finally:
        for m, w in zip((_window_cf, _window_cf_idx), was):
            m._use_avx2(w)
    base, fast = (r if isinstance(r, tuple) else (r,) for r in (base, fast))
    for a, b in zip(base, fast):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(_bits(a), _bits(b))


def test_channels_first_passes_follow_cypool_isa():
    want = _cpu.has_avx2_fma() and os.environ.get("CYPOOL_ISA", "auto") != "baseline"
    assert _window.CF_AVX2 == want
    assert _window_cf._use_avx2(want) == want  # the setting made at import
    assert _window_cf_idx._use_avx2(want) == want
    assert f"row passes {'avx2' if want else 'baseline'}," in cypool._config.config()["kernels"]


def test_uint8_pass_is_reported():
    # SSSE3 is in the x86-64-v2 floor: any x86-64 CPU that runs the wheels has it
    # (built by gcc or clang: the pass uses their target attribute and CPU check)
    x86 = platform.machine().lower() in ("x86_64", "amd64")
    if not x86:
        assert not _window.U8_2X2
    elif str(cypool._config.config()["compiler"]) in ("gcc", "clang"):
        assert _window.U8_2X2
    avx2 = _window.U8_2X2 and _window.CF_AVX2  # its AVX2 form: the channels-first passes' rule
    assert _window.U8_AVX2 == avx2
    want = ("avx2" if avx2 else "ssse3") if _window.U8_2X2 else "none"
    assert cypool._config.config()["kernels"].endswith(f"uint8 2x2 pass {want}")


@pytest.mark.parametrize("op", ["max", "min", "avg", "avg /3"])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("streaming", [False, True])
def test_uint8_pass_avx2_gives_the_ssse3_bits(rng, op, channels, streaming):
    # the AVX2 form takes blocks of 16 results two at a time (an odd block count leaves the
    # last to the SSSE3 pass); streaming means 16 bytes off a 32-byte boundary go to the
    # SSSE3 pass whole (the AVX2 form's streaming stores are 32 bytes)
    if not (_window.U8_2X2 and _cpu.has_avx2_fma()):
        pytest.skip("this CPU does not run the AVX2 form")
    fn = {"max": cypool.max_pool2d, "min": cypool.min_pool2d}.get(op, cypool.avg_pool2d)
    kw = dict(data_format="channels_last")
    if op.startswith("avg"):
        kw.update(dtype=np.float32, divisor_override=3 if op == "avg /3" else None)
    was_nt = _window.stream_min_bytes(0 if streaming else None)
    was = _window_cl._u8_use_avx2(False)
    try:
        for width in (32, 34, 66, 130, 257):
            x = rng.integers(0, 256, (5, width, channels), dtype=np.uint8)
            base = fn(x, 2, **kw)
            _window_cl._u8_use_avx2(True)
            fast = fn(x, 2, **kw)
            buf = np.empty(fast.nbytes + 64, np.uint8)
            at = (-buf.ctypes.data) % 64 + 16
            shifted = buf[at:at + fast.nbytes].view(fast.dtype).reshape(fast.shape)
            fn(x, 2, out=shifted, **kw)
            _window_cl._u8_use_avx2(False)
            np.testing.assert_array_equal(_bits(fast), _bits(base))
            np.testing.assert_array_equal(_bits(shifted), _bits(base))
    finally:
        _window_cl._u8_use_avx2(was)
        _window.stream_min_bytes(was_nt)


def test_twin_is_in_use_where_it_runs():
    built = cypool._config.config()["kernels"]
    try:
        importlib.import_module("cypool._kernels._window_cl_avx2")
        have = True
    except ImportError:
        have = False
    want = "avx2" if (have and _cpu.has_avx2_fma() and os.environ.get("CYPOOL_ISA", "auto") != "baseline") \
        else "baseline"
    assert _window.ISA == want
    assert built.startswith(f"channels-last {want}")
    assert (FW.K.pick("max_fwd_cl", np.dtype(np.float32)) is not _window_cl.max_fwd_cl) == (want == "avx2")


def _isa_in_subprocess(value):
    root = os.path.dirname(os.path.dirname(cypool.__file__))  # this cypool, wherever it is installed
    env = dict(os.environ, CYPOOL_ISA=value,
               PYTHONPATH=os.pathsep.join([root] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    code = "from cypool._kernels import _window; print(_window.ISA)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_integer_data_keep_the_baseline_kernels(twin):
    # the twin holds floating types only: integer pooling (and 8-bit image averages) take the baseline's
    assert twin.pick("max_fwd_cl", np.dtype(np.int16)) is _window_cl.max_fwd_cl
    assert twin.pick("avg_fwd_cl", np.dtype(np.uint8)) is _window_cl.avg_fwd_cl
    assert twin.pick("max_fwd_cl", np.dtype(np.float32)) is not _window_cl.max_fwd_cl
    assert twin.scatter_bwd_cl is not _window_cl.scatter_bwd_cl  # floating types only anyway
    with pytest.raises(ValueError, match="isa must be 'baseline' or 'avx2'; got 'sse'"):
        _window.kernels("sse")


def test_cypool_isa_baseline_declines_the_twin():
    res = _isa_in_subprocess("baseline")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "baseline"


def test_cypool_isa_rejects_unknown_values():
    res = _isa_in_subprocess("avx512")
    assert res.returncode != 0
    assert "CYPOOL_ISA must be one of auto, baseline" in res.stderr and "'avx512'" in res.stderr
