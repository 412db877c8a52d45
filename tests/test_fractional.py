"""fractional_max_pool2d/3d: PyTorch parity, both schemes against the NumPy references,
thread invariance, reproducible draws, every error message."""
import re

import numpy as np
import pytest
from conftest import LAYOUTS, from_format, to_format
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reference import (fractional_max_pool_graham, fractional_max_pool_torch, graham_windows,
                       is_graham_sequence, scatter_backward)

import cypool
from cypool.functional._fractional import graham_sequence, torch_starts, torch_starts_numpy

FNS = {2: cypool.fractional_max_pool2d, 3: cypool.fractional_max_pool3d}
BACKWARD = {2: cypool.fractional_max_pool2d_backward, 3: cypool.fractional_max_pool3d_backward}
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def torch_accepts(x, kernel, out):
    """PyTorch's 3-D check is strict (m + k - 1 < n), its 2-D one not; cypool accepts both."""
    return x.ndim == 4 or all(m + k - 1 < n for n, k, m in zip(x.shape[2:], kernel, out))


def _cp(nsp, x, layout, *args, **kwargs):
    """Call cypool on logical channels-first ``x`` in ``layout``; results back in channels-first."""
    res = FNS[nsp](to_format(x, layout), *args, data_format=layout, **kwargs)
    res = res if isinstance(res, tuple) else (res,)
    return tuple(from_format(r, layout) if r.ndim == x.ndim else r for r in res)


@st.composite
def torch_problems(draw, nsp=None, dtypes=(np.float32, np.float64)):
    """(x, kernel, output_size, samples) with ties, NaNs and extreme samples."""
    nsp = nsp or draw(st.sampled_from([2, 3]))
    top = 12 if nsp == 2 else 7
    spatial = tuple(draw(st.integers(1, top)) for _ in range(nsp))
    kernel = tuple(draw(st.integers(1, n)) for n in spatial)
    out = tuple(draw(st.integers(1, n - k + 1)) for n, k in zip(spatial, kernel))
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-3, 4, (n, c) + spatial).astype(dtype)
    if dtype.kind == "f" and draw(st.booleans()):
        x[rng.random(x.shape) < 0.1] = np.nan
    sdtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    below_one = np.nextafter(sdtype.type(1), sdtype.type(0))
    # rounding to float16 can carry a draw from [0, 1) up to 1.0: keep it below
    u = np.minimum(rng.random((n, c, nsp)).astype(sdtype), below_one)
    u.flat[rng.integers(0, u.size)] = draw(st.sampled_from([0.0, below_one, 0.5]))
    return x, kernel, out, u


# ---------------------------------------------------------------- PyTorch parity

@FAST
@given(problem=torch_problems(), layout=st.sampled_from(LAYOUTS))
def test_torch_parity(problem, layout):
    torch = pytest.importorskip("torch")
    x, kernel, out, u = problem
    assume(torch_accepts(x, kernel, out))
    nsp = x.ndim - 2
    f = getattr(torch.nn.functional, f"fractional_max_pool{nsp}d")
    ty, ti = f(torch.from_numpy(x), kernel, output_size=out, return_indices=True, _random_samples=torch.from_numpy(u))
    y, i = _cp(nsp, x, layout, kernel, out, return_indices=True, _random_samples=u)
    np.testing.assert_array_equal(y, ty.numpy())
    np.testing.assert_array_equal(i, ti.numpy())
    np.testing.assert_array_equal(_cp(nsp, x, layout, kernel, out, _random_samples=u)[0], ty.numpy())


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel", [2, 3])
@pytest.mark.parametrize("nan_rate", [0.03, 0.0])
def test_nan_payloads_without_indices(layout, dtype, kernel, nan_rate, rng):
    # Without indices the taps merge by a plain max and a row that met a NaN is merged
    # again by the exact rule: the values are those of the indexed kernel, bit for bit.
    # Kernels 2 and 3 take their columns first (max_planes_out_2x2/3x3); -0.0 beside
    # +0.0 checks that ties keep the first tap in scan order (rows without a NaN, all of
    # them at nan_rate 0, are the ones that take that path).
    x = rng.integers(-3, 4, (2, 3, 17, 29)).astype(dtype)
    payloads = np.array([0x7FC00001, 0xFFC00002, 0x7FC00003], np.uint32).view(np.float32).astype(dtype)
    nan_at = rng.random(x.shape) < nan_rate
    x[nan_at] = rng.choice(payloads, nan_at.sum())
    x[rng.random(x.shape) < 0.05] = -np.inf
    x[(x == 0) & (rng.random(x.shape) < 0.5)] = -0.0
    u = rng.random((2, 3, 2)).astype(dtype)
    y, _ = _cp(2, x, layout, kernel, (11, 19), return_indices=True, _random_samples=u)
    plain = _cp(2, x, layout, kernel, (11, 19), _random_samples=u)[0]
    assert np.isnan(y).any() == (nan_rate > 0) and not np.isnan(y).all()
    assert (y == 0).any() and (np.signbit(y) & (y == 0)).any()
    bits = np.uint32 if dtype == np.float32 else np.uint64
    np.testing.assert_array_equal(plain.view(bits), y.view(bits))
    want, _ = fractional_max_pool_torch(x, (kernel, kernel), (11, 19), u)
    np.testing.assert_array_equal(plain.view(bits), want.view(bits))


@pytest.mark.parametrize("nsp", [2, 3])
def test_torch_parity_float16_and_ratio(nsp, rng):
    """float16 arithmetic rounds like c10::Half; output_ratio sizes as torch's int(n * r)."""
    torch = pytest.importorskip("torch")
    shape = (2, 3) + ((23, 31) if nsp == 2 else (9, 11, 13))
    ratio = (0.62, 0.7, 0.55)[:nsp]
    f = getattr(torch.nn.functional, f"fractional_max_pool{nsp}d")
    for dtype in (np.float16, np.float32, np.float64):
        x = rng.standard_normal(shape).astype(dtype)
        u = rng.random((2, 3, nsp)).astype(dtype)
        ty, ti = f(torch.from_numpy(x), 3, output_ratio=ratio, return_indices=True, _random_samples=torch.from_numpy(u))
        y, i = cypool.__dict__[f"fractional_max_pool{nsp}d"](x, 3, output_ratio=ratio, return_indices=True,
                                                            _random_samples=u)
        assert y.dtype == dtype
        np.testing.assert_array_equal(y, ty.numpy())
        np.testing.assert_array_equal(i, ti.numpy())


@pytest.mark.parametrize("ratio", [0.3, 0.5, 0.7, 0.95])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_torch_parity_wide_2x2_rows(ratio, dtype, rng):
    """Case j's path: 2x2 windows over rows of hundreds of columns (the gather takes 8
    outputs at once where their starts lie within 16, one at a time where not), with
    +-0 ties and a NaN in a few rows (those rows leave the fast path)."""
    torch = pytest.importorskip("torch")
    x = rng.choice(np.array([-0.0, 0.0, 1.0, -1.0], dtype), (2, 3, 17, 301))
    x[0, 1, 5, 100] = x[1, 2, 16, 300] = np.nan
    u = rng.random((2, 3, 2)).astype(dtype)
    ty, ti = torch.nn.functional.fractional_max_pool2d(
        torch.from_numpy(x), 2, output_ratio=(ratio, ratio), return_indices=True,
        _random_samples=torch.from_numpy(u))
    for threads in (1, 2):
        y, i = cypool.fractional_max_pool2d(x, 2, output_ratio=ratio, return_indices=True,
                                            _random_samples=u, num_threads=threads)
        plain = cypool.fractional_max_pool2d(x, 2, output_ratio=ratio, _random_samples=u, num_threads=threads)
        bits = np.uint32 if dtype == np.float32 else np.uint64
        np.testing.assert_array_equal(y.view(bits), ty.numpy().view(bits))
        np.testing.assert_array_equal(plain.view(bits), ty.numpy().view(bits))
        np.testing.assert_array_equal(i, ti.numpy())


def test_float32_and_float64_choose_different_windows():
    """The same u gives other windows in float32 than in float64, as in PyTorch (§B6):
    n=10, k=2, m=4, u just below 1/2: float32 rounds 1 + u up to 1.5."""
    torch = pytest.importorskip("torch")
    u = np.nextafter(np.float32(0.5), np.float32(0))
    x = np.arange(10.0)[::-1].reshape(1, 1, 1, 10)  # the index of a max is its window's start
    for dtype, starts in ((np.float32, [0, 3, 5, 8]), (np.float64, [0, 2, 5, 8])):
        samples = np.array([[[u, 0]]], dtype)
        i = cypool.fractional_max_pool2d(x.astype(dtype), (1, 2), (1, 4), None, True, samples)[1]
        assert i.ravel().tolist() == starts
        ti = torch.nn.functional.fractional_max_pool2d(torch.from_numpy(x.astype(dtype)), (1, 2), (1, 4), None, True,
                                                       torch.from_numpy(samples))[1]
        np.testing.assert_array_equal(i, ti.numpy())


@FAST
@given(problem=torch_problems(dtypes=(np.float64,)), layout=st.sampled_from(LAYOUTS))
def test_gradient_matches_autograd(problem, layout):
    torch = pytest.importorskip("torch")
    x, kernel, out, u = problem
    assume(torch_accepts(x, kernel, out))
    x = np.nan_to_num(x) + np.random.default_rng(1).standard_normal(x.shape)  # no NaN: gradients compare
    nsp = x.ndim - 2
    t = torch.from_numpy(x).requires_grad_(True)
    ty = getattr(torch.nn.functional, f"fractional_max_pool{nsp}d")(t, kernel, out, _random_samples=torch.from_numpy(u))
    g = np.random.default_rng(2).standard_normal(ty.shape)
    ty.backward(torch.from_numpy(g))
    y, i = _cp(nsp, x, layout, kernel, out, return_indices=True, _random_samples=u)
    gx = BACKWARD[nsp](to_format(g, layout), to_format(i, layout), to_format(x, layout).shape, data_format=layout)
    np.testing.assert_array_equal(from_format(gx, layout), t.grad.numpy())


# ---------------------------------------------------------------- NumPy references

@FAST
@given(problem=torch_problems(dtypes=(np.float16, np.float32, np.float64, np.int8, np.uint16, np.int64)),
       layout=st.sampled_from(LAYOUTS))
def test_torch_scheme_matches_reference(problem, layout):
    x, kernel, out, u = problem
    nsp = x.ndim - 2
    want_y, want_i = fractional_max_pool_torch(x, kernel, out, u)
    y, i = _cp(nsp, x, layout, kernel, out, return_indices=True, _random_samples=u)
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(i, want_i)
    g = np.random.default_rng(0).standard_normal(y.shape)
    np.testing.assert_allclose(BACKWARD[nsp](g, i, x.shape), scatter_backward(g, i, x.shape[2:]))


@FAST
@given(seed=st.integers(0, 2**32 - 1), pseudo=st.booleans(), overlapping=st.booleans(),
       layout=st.sampled_from(LAYOUTS), dtype=st.sampled_from([np.float32, np.float64, np.int32, np.uint8]),
       h=st.integers(1, 15), w=st.integers(1, 15), data=st.data())
def test_graham_scheme_matches_reference(seed, pseudo, overlapping, layout, dtype, h, w, data):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, (2, 3, h, w)).astype(dtype)
    if x.dtype.kind == "f" and data.draw(st.booleans()):
        x[rng.random(x.shape) < 0.1] = np.nan
    size = (data.draw(st.integers(1, h)), data.draw(st.integers(1, w)))
    y, i, rows, cols = _cp(2, x, layout, output_size=size, return_indices=True, scheme="graham",
                           pseudo_random=pseudo, overlapping=overlapping, rng=seed)
    assert is_graham_sequence(rows, h, size[0]) and is_graham_sequence(cols, w, size[1])
    want_y, want_i = fractional_max_pool_graham(x, rows, cols, overlapping)
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(i, want_i)
    # the sequences reproduce the call
    again = _cp(2, x, layout, return_indices=True, scheme="graham", overlapping=overlapping,
                row_pooling_sequence=rows, col_pooling_sequence=list(cols))
    for a, b in zip(again, (y, i, rows, cols)):
        np.testing.assert_array_equal(a, b)
    g = rng.standard_normal(y.shape)
    np.testing.assert_allclose(cypool.fractional_max_pool2d_backward(g, i, x.shape),
                               scatter_backward(g, i, x.shape[2:]))


@pytest.mark.parametrize("pseudo", [False, True])
def test_graham_sequences_keep_tensorflows_contract(pseudo):
    """k <= step <= k + 1 for every size pair (TensorFlow's DCHECKs); random: n % m long steps."""
    rng = np.random.default_rng(4)
    for n in range(1, 40):
        for m in range(1, n + 1):
            for _ in range(3):
                seq = graham_sequence(n, m, pseudo, rng)
                assert is_graham_sequence(seq, n, m), (n, m, seq)
                if not pseudo:
                    assert np.count_nonzero(np.diff(seq) == n // m + 1) == (n % m if n % m else 0)


def test_graham_windows_rule():
    assert [list(r) for r in graham_windows([0, 2, 3, 5], 5, False)] == [[0, 1], [2], [3, 4]]
    assert [list(r) for r in graham_windows([0, 2, 3, 5], 5, True)] == [[0, 1, 2], [2, 3], [3, 4]]


def test_tensorflow_parity():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 17, 23, 3))  # NHWC, TensorFlow's layout
    for pseudo in (False, True):
        for overlapping in (False, True):
            ty, rows, cols = tf.nn.fractional_max_pool(x, [1.0, 1.44, 1.73, 1.0], pseudo_random=pseudo,
                                                       overlapping=overlapping, seed=7)
            rows, cols = rows.numpy(), cols.numpy()
            assert is_graham_sequence(rows, 17, int(17 / 1.44)) and is_graham_sequence(cols, 23, int(23 / 1.73))
            y, r, c = cypool.fractional_max_pool2d(x, scheme="graham", overlapping=overlapping,
                                                   row_pooling_sequence=rows, col_pooling_sequence=cols,
                                                   data_format="channels_last")
            np.testing.assert_array_equal(y, ty.numpy())
            np.testing.assert_array_equal(r, rows)


# ---------------------------------------------------------------- layouts, threads, draws

@pytest.mark.parametrize("scheme,nsp", [("torch", 2), ("torch", 3), ("graham", 2)])
@pytest.mark.parametrize("planes", [16, 2])  # 2: the threads split planes into blocks of rows
def test_thread_invariance(scheme, nsp, planes, rng):
    shape = (2, planes // 2, 48, 45) if nsp == 2 else (2, planes // 2, 14, 15, 16)
    x = rng.integers(-20, 20, shape).astype(np.float32)
    x[rng.random(shape) < 0.01] = np.nan
    kw = dict(output_ratio=0.7, return_indices=True, rng=3, scheme=scheme)
    if scheme == "torch":
        kw["kernel_size"] = 2
    else:
        kw["overlapping"] = True
    for layout in LAYOUTS:
        runs = [_cp(nsp, x, layout, num_threads=t, **kw) for t in (1, 2, 3, 7)]
        g = rng.standard_normal(runs[0][0].shape).astype(np.float32)
        grads = [BACKWARD[nsp](g, r[1], x.shape, num_threads=t) for r, t in zip(runs, (1, 2, 3, 7))]
        for r, gr in zip(runs[1:], grads[1:]):
            for a, b in zip(r, runs[0]):
                np.testing.assert_array_equal(a, b)
            assert gr.tobytes() == grads[0].tobytes()
        for t in (1, 2, 3, 7):  # without indices (NaN-free rows: the running-row passes)
            got = _cp(nsp, x, layout, num_threads=t, **dict(kw, return_indices=False))[0]
            assert got.tobytes() == runs[0][0].tobytes()


def test_layouts_and_memory_formats_agree(rng):
    """channels-last data and channels-first data in channels-last memory: same numbers, no copy needed."""
    x = rng.standard_normal((2, 5, 13, 11)).astype(np.float32)
    u = rng.random((2, 5, 2)).astype(np.float32)
    want = cypool.fractional_max_pool2d(x, 2, 7, return_indices=True, _random_samples=u)
    nhwc_memory = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    got = cypool.fractional_max_pool2d(nhwc_memory, 2, 7, return_indices=True, _random_samples=u)
    assert np.moveaxis(got[0], 1, -1).flags.c_contiguous  # the output keeps the memory format
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    strided = cypool.fractional_max_pool2d(np.asfortranarray(x), 2, 7, return_indices=True, _random_samples=u)
    for a, b in zip(strided, want):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
def test_channels_last_channel_blocks(dtype, rng):
    """Channels-last runs by blocks of channels (a cache line's worth, fewer for big volumes):
    many blocks with a partial last one, and a volume big enough to shrink the blocks."""
    for shape, kernel, size in (((2, 37, 13, 12), 2, (9, 8)), ((1, 20, 42, 40, 40), (2, 3, 2), (30, 21, 33))):
        x = rng.integers(-50, 50, shape).astype(dtype)
        nsp = x.ndim - 2
        want = FNS[nsp](x, kernel, size, return_indices=True, rng=5)
        got = _cp(nsp, x, "channels_last", kernel, size, return_indices=True, rng=5)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("nsp", [2, 3])
def test_unbatched_input(nsp, rng):
    x = rng.standard_normal((3,) + (9,) * nsp)
    u = rng.random((3, nsp))
    want = FNS[nsp](x[None], 2, 5, None, True, u[None])
    for samples in (u, u[None]):
        got = FNS[nsp](x, 2, 5, None, True, samples)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b[0])
    g = rng.standard_normal(got[0].shape)
    np.testing.assert_array_equal(BACKWARD[nsp](g, got[1], x.shape), BACKWARD[nsp](g[None], want[1], x[None].shape)[0])


def test_same_seed_same_windows(rng):
    x = rng.standard_normal((2, 3, 20, 20)).astype(np.float32)
    f = cypool.fractional_max_pool2d
    a = f(x, 3, output_ratio=0.6, return_indices=True, rng=11)
    b = f(x, 3, output_ratio=0.6, return_indices=True, rng=np.random.default_rng(11))
    # the documented draw: Generator.random((N, C, 2)) in the input dtype
    c = f(x, 3, output_ratio=0.6, return_indices=True,
          _random_samples=np.random.default_rng(11).random((2, 3, 2), dtype=np.float32))
    for r in (b, c):
        np.testing.assert_array_equal(r[1], a[1])
    assert not np.array_equal(f(x, 3, 12, return_indices=True, rng=12)[1], a[1])
    gen = np.random.default_rng(5)
    assert not np.array_equal(f(x, 3, 12, return_indices=True, rng=gen)[1],
                              f(x, 3, 12, return_indices=True, rng=gen)[1])  # a Generator advances
    s1 = f(x, output_size=(13, 9), scheme="graham", rng=4)[1:]
    s2 = f(x, output_size=(13, 9), scheme="graham", rng=4)[1:]
    for a_, b_ in zip(s1, s2):
        np.testing.assert_array_equal(a_, b_)


def test_out_arguments_and_empty_inputs(rng):
    x = rng.standard_normal((2, 3, 10, 10))
    u = rng.random((2, 3, 2))
    y, i = cypool.fractional_max_pool2d(x, 2, 6, None, True, u)
    yo, io = np.empty_like(y), np.empty_like(i)
    r = cypool.fractional_max_pool2d(x, 2, 6, None, True, u, out=yo, indices_out=io)
    assert r[0] is yo and r[1] is io
    np.testing.assert_array_equal(yo, y)
    np.testing.assert_array_equal(io, i)
    empty = cypool.fractional_max_pool2d(np.zeros((0, 3, 10, 10)), 2, 6, return_indices=True)
    assert empty[0].shape == (0, 3, 6, 6) and empty[1].dtype == np.int64
    g = cypool.fractional_max_pool2d(np.zeros((2, 0, 10, 10)), output_size=4, scheme="graham", rng=0)
    assert g[0].shape == (2, 0, 4, 4) and is_graham_sequence(g[1], 10, 4)


# ---------------------------------------------------------------- errors: one per message

X = np.zeros((1, 2, 5, 5), np.float32)
U = np.full((1, 2, 2), 0.5, np.float32)
F2, F3 = cypool.fractional_max_pool2d, cypool.fractional_max_pool3d


def case(id, call, exc, fn, *pieces):
    """``call()`` raises ``exc`` whose message starts with ``fn: `` and holds ``pieces`` in order."""
    regex = "(?s)^" + re.escape(fn) + ": .*" + ".*".join(re.escape(p) for p in pieces)
    return pytest.param(call, exc, regex, id=id)


FN = "fractional_max_pool2d"
ERRORS = [
    case("scheme", lambda: F2(X, 2, 3, scheme="tf"), ValueError, FN, "scheme must be 'torch' or 'graham'", "'tf'"),
    case("graham-3d", lambda: F3(np.zeros((1, 1, 4, 4, 4)), output_size=2, scheme="graham"), ValueError,
         "fractional_max_pool3d", "scheme='graham'", "2-D only", "got scheme='graham'"),
    case("torch-pseudo", lambda: F2(X, 2, 3, pseudo_random=True), ValueError,
         FN, "pseudo_random is not used by scheme='torch'", "got pseudo_random=True"),
    case("torch-sequence", lambda: F2(X, 2, 3, row_pooling_sequence=[0, 5]), ValueError,
         FN, "row_pooling_sequence is not used by scheme='torch'"),
    case("graham-kernel", lambda: F2(X, 2, 3, scheme="graham"), ValueError,
         FN, "kernel_size is not used by scheme='graham'", "got kernel_size=2"),
    case("graham-samples", lambda: F2(X, None, 3, _random_samples=U, scheme="graham"), ValueError,
         FN, "_random_samples is not used by scheme='graham'"),
    case("both-sizes", lambda: F2(X, 2, 3, 0.5), ValueError,
         FN, "give output_size or output_ratio, not both", "got output_size=3 and output_ratio=0.5"),
    case("no-size", lambda: F2(X, 2), ValueError, FN, "one of output_size or output_ratio is required", "neither"),
    case("no-size-graham", lambda: F2(X, scheme="graham"), ValueError, FN, "one of output_size or output_ratio"),
    case("output-size-zero", lambda: F2(X, 2, 0), ValueError,
         FN, "output_size must be a positive int or a tuple of 2 positive ints", "got 0"),
    case("output-size-negative", lambda: F3(np.zeros((1, 1, 4, 4, 4)), 2, (2, -1, 2)), ValueError,
         "fractional_max_pool3d", "output_size must be", "got (2, -1, 2)"),
    case("ratio-one", lambda: F2(X, 2, output_ratio=1.0), ValueError,
         FN, "output_ratio must be a number in (0, 1) or a tuple of 2 such numbers", "got 1.0"),
    case("ratio-zero", lambda: F2(X, 2, output_ratio=(0.5, 0)), ValueError, FN, "output_ratio must be", "got (0.5, 0)"),
    case("ratio-nan", lambda: F2(X, 2, output_ratio=float("nan")), ValueError, FN, "output_ratio must be", "got nan"),
    case("ratio-length", lambda: F2(X, 2, output_ratio=(0.5,)), ValueError, FN, "output_ratio must be", "got (0.5,)"),
    case("ratio-type", lambda: F2(X, 2, output_ratio="half"), TypeError, FN, "output_ratio must be", "got 'half'"),
    case("ratio-empty-output", lambda: F2(X, 1, output_ratio=(0.1, 0.5)), ValueError,
         FN, "output_ratio 0.1 leaves no output along axis H", "int(5 * 0.1) = 0"),
    case("kernel-missing", lambda: F2(X, output_size=3), TypeError, FN, "kernel_size is required by scheme='torch'",
         "got None"),
    case("kernel-zero", lambda: F2(X, 0, 3), ValueError, FN, "kernel_size must be a positive int", "got 0"),
    case("kernel-too-big", lambda: F2(X, (2, 3), 4), ValueError,
         FN, "output size 4 with kernel_size 3 needs output_size + kernel_size - 1 <= input size along axis W",
         "got 4 + 3 - 1 > 5"),
    case("kernel-too-big-3d", lambda: F3(np.zeros((1, 1, 4, 4, 4)), 2, (4, 2, 2)), ValueError,
         "fractional_max_pool3d", "along axis D", "got 4 + 2 - 1 > 4"),
    case("samples-dtype", lambda: F2(X, 2, 3, _random_samples=U.astype(np.float64)), TypeError,
         FN, "_random_samples has dtype float64, which is not supported; supported dtypes: float32"),
    case("samples-dtype-int-input", lambda: F2(X.astype(np.int16), 2, 3, _random_samples=U), TypeError,
         FN, "_random_samples has dtype float32", "supported dtypes: float64"),
    case("samples-shape", lambda: F2(X, 2, 3, _random_samples=U[:, :, :1]), ValueError,
         FN, "_random_samples must have shape (1, 2, 2) (N, C, 2", "got shape (1, 2, 1)"),
    case("samples-shape-3d", lambda: F3(np.zeros((2, 1, 4, 4, 4)), 2, 2, _random_samples=np.zeros((1, 1, 3))),
         ValueError, "fractional_max_pool3d", "_random_samples must have shape (2, 1, 3)", "got shape (1, 1, 3)"),
    case("samples-one", lambda: F2(X, 2, 3, _random_samples=np.ones((1, 2, 2), np.float32)), ValueError,
         FN, "_random_samples must lie in [0, 1)", "got 4 outside", "1.0"),
    case("samples-nan", lambda: F2(X, 2, 3, _random_samples=np.where([[[True, False]] * 2], np.float32(np.nan), U)),
         ValueError, FN, "_random_samples must lie in [0, 1)", "got 2 outside", "nan"),
    case("samples-and-rng", lambda: F2(X, 2, 3, _random_samples=U, rng=1), ValueError,
         FN, "give _random_samples or rng, not both", "got rng=1"),
    case("rng-type", lambda: F2(X, 2, 3, rng=np.random.RandomState(0)), TypeError,
         FN, "rng must be None, an int seed or a numpy.random.Generator", "got RandomState"),
    case("rng-float", lambda: F2(X, 2, 3, rng=1.5), TypeError, FN, "rng must be None", "got float"),
    case("rng-negative", lambda: F2(X, output_size=3, scheme="graham", rng=-1), ValueError,
         FN, "rng seed must be a non-negative int", "got -1"),
    case("pseudo-type", lambda: F2(X, output_size=3, scheme="graham", pseudo_random="yes"), TypeError,
         FN, "pseudo_random must be True or False", "got 'yes'"),
    case("overlapping-type", lambda: F2(X, output_size=3, scheme="graham", overlapping=1), TypeError,
         FN, "overlapping must be True or False", "got 1"),
    case("graham-too-large", lambda: F2(X, output_size=(3, 6), scheme="graham"), ValueError,
         FN, "scheme='graham' needs output_size <= input size along axis W", "got 6 > 5"),
    case("sequence-alone", lambda: F2(X, scheme="graham", row_pooling_sequence=[0, 5]), ValueError,
         FN, "give both row_pooling_sequence and col_pooling_sequence, or neither", "got only row_pooling_sequence"),
    case("sequence-alone-col", lambda: F2(X, scheme="graham", col_pooling_sequence=[0, 5]), ValueError,
         FN, "give both", "got only col_pooling_sequence"),
    case("sequence-floats", lambda: F2(X, scheme="graham", row_pooling_sequence=[0.0, 5.0],
                                       col_pooling_sequence=[0, 5]), TypeError,
         FN, "row_pooling_sequence must be a 1-D sequence of ints", "got [0.0, 5.0]"),
    case("sequence-2d", lambda: F2(X, scheme="graham", row_pooling_sequence=[0, 5], col_pooling_sequence=[[0, 5]]),
         TypeError, FN, "col_pooling_sequence must be a 1-D sequence of ints", "got [[0, 5]]"),
    case("sequence-end", lambda: F2(X, scheme="graham", row_pooling_sequence=[0, 2, 4],
                                    col_pooling_sequence=[0, 5]), ValueError,
         FN, "row_pooling_sequence must increase strictly from 0 to the input size 5", "got [0, 2, 4]"),
    case("sequence-repeat", lambda: F2(X, scheme="graham", row_pooling_sequence=[0, 5],
                                       col_pooling_sequence=[0, 2, 2, 5]), ValueError,
         FN, "col_pooling_sequence must increase strictly", "got [0, 2, 2, 5]"),
    case("sequence-short", lambda: F2(X, scheme="graham", row_pooling_sequence=[5],
                                      col_pooling_sequence=[0, 5]), ValueError,
         FN, "row_pooling_sequence must increase strictly", "at least 2 entries", "got [5]"),
    case("sequence-size", lambda: F2(X, output_size=2, scheme="graham", row_pooling_sequence=[0, 5],
                                     col_pooling_sequence=[0, 2, 5]), ValueError,
         FN, "row_pooling_sequence and col_pooling_sequence give output size (1, 2)",
         "output_size/output_ratio ask for (2, 2)"),
    case("indices-out-alone", lambda: F2(X, 2, 3, indices_out=np.zeros((1, 2, 3, 3), np.int64)), ValueError,
         FN, "indices_out is given but return_indices is False"),
    case("out-shape", lambda: F2(X, 2, 3, out=np.zeros((1, 2, 2, 2), np.float32)), ValueError,
         FN, "out must have shape (1, 2, 3, 3) and dtype float32", "got shape (1, 2, 2, 2)"),
    case("input-dtype", lambda: F2(X > 0, 2, 3), TypeError, FN, "input has dtype bool", "supported dtypes"),
    case("input-ndim", lambda: F3(np.zeros((5, 5)), 2, 2), ValueError,
         "fractional_max_pool3d", "input must be 4-D (C, D, H, W) or 5-D (N, C, D, H, W)", "got 2-D"),
    case("return-indices-type", lambda: F2(X, 2, 3, return_indices="yes"), TypeError,
         FN, "return_indices must be True or False"),
    case("backward-indices", lambda: cypool.fractional_max_pool2d_backward(np.ones((1, 2, 3, 3)),
                                                                          np.full((1, 2, 3, 3), 25), X.shape),
         ValueError, "fractional_max_pool2d_backward", "indices must lie in [0, 25)", "got 18 out of range"),
    case("backward-shape", lambda: cypool.fractional_max_pool3d_backward(np.ones((1, 2, 3)), np.zeros((1, 2, 3), int),
                                                                         (1, 2, 4, 4, 4)),
         ValueError, "fractional_max_pool3d_backward", "grad_output must have 5 dimensions"),
]


@pytest.mark.parametrize("call,exc,regex", ERRORS)
def test_error_message(call, exc, regex):
    with pytest.raises(exc, match=regex) as info:
        call()
    assert type(info.value) is exc


@settings(max_examples=300, deadline=None)
@given(dtype=st.sampled_from([np.float32, np.float64]), k=st.integers(1, 7), extra=st.integers(0, 3000),
       m=st.integers(1, 800), seed=st.integers(0, 2**32 - 1))
def test_compiled_starts_are_the_numpy_starts(dtype, k, extra, m, seed):
    """The compiled start table (float32/float64) is the NumPy twin's, element for element,
    samples at the ends of [0, 1) included."""
    rng = np.random.default_rng(seed)
    u = rng.random(17).astype(dtype)
    u[:3] = [0, np.nextafter(dtype(1), dtype(0)), 0.5]
    n = k + extra
    got = torch_starts(u, n, k, m)
    np.testing.assert_array_equal(got, torch_starts_numpy(u, n, k, m))
    assert got.min() >= 0 and got.max() <= n - k and (np.diff(got, axis=1) >= 0).all()
