"""lp_pool{1,2,3}d and global pooling: reference, PyTorch, gradients, errors."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cypool
from conftest import LAYOUTS, from_format, to_format
from reference import lp_pool, numerical_gradient

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
INF = math.inf

GEOMETRY = {  # (spatial, kernel, stride, ceil_mode)
    1: [((7,), (2,), (2,), False), ((7,), (3,), (2,), True), ((5,), (2,), (1,), False)],
    2: [((6, 7), (2, 3), (2, 2), True), ((5, 5), (3, 3), (1, 2), False)],
    3: [((4, 5, 3), (2, 2, 2), (2, 2, 1), True)],
}
CASES = [(nsp, g) for nsp, gs in GEOMETRY.items() for g in gs]


def lp(nsp, backward=False):
    return getattr(cypool, f"lp_pool{nsp}d" + ("_backward" if backward else ""))


def test_pytorch_vectors():
    # §B7 [ran]: ceil edge scaled by K/n, signed p=1 sums, NaN for p=3 with a negative sum
    np.testing.assert_array_equal(cypool.lp_pool1d(np.ones((1, 1, 3)), 1, 2, ceil_mode=True), [[[2.0, 2.0]]])
    np.testing.assert_array_equal(cypool.lp_pool1d(np.array([[[-1.0, -2, 3, -4]]]), 1, 2), [[[-3.0, -1.0]]])
    assert np.isnan(cypool.lp_pool1d(np.array([[[-1.0, -2.0]]]), 3, 2)).all()


@pytest.mark.parametrize("p", [1, 2, 3, 1.5, INF, -INF])
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("channels", [3, 6])  # channels-last: the unrolled few-channel path and the general one
@pytest.mark.parametrize("nsp,geometry", CASES)
def test_forward_matches_reference(p, data_format, dtype, channels, nsp, geometry, rng):
    spatial, kernel, stride, ceil_mode = geometry
    x = rng.standard_normal((2, channels) + spatial).astype(dtype)
    if p == 1.5:
        x = np.abs(x)
    want = lp_pool(x, p, kernel, stride, ceil_mode)
    got = lp(nsp)(to_format(x, data_format), p, kernel, stride, ceil_mode, data_format=data_format)
    assert got.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=tol, atol=tol, equal_nan=True)


def test_integers_compute_in_float64():
    x = np.arange(8, dtype=np.int16).reshape(1, 1, 8)
    y = cypool.lp_pool1d(x, 2, 2)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y[0, 0], [1.0, math.hypot(2, 3), math.hypot(4, 5), math.hypot(6, 7)])


@pytest.mark.parametrize("p", [1, 2, 3, INF, -INF])
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("nsp,geometry", CASES[::2])
def test_backward_matches_finite_differences(p, data_format, nsp, geometry, rng):
    spatial, kernel, stride, ceil_mode = geometry
    x = rng.uniform(0.5, 2.0, (1, 2) + spatial) * rng.choice([-1, 1], (1, 2) + spatial)
    if p == 3:
        x = np.abs(x)  # keep sums positive: odd p with a negative sum is NaN
    y = lp_pool(x, p, kernel, stride, ceil_mode)
    g = rng.standard_normal(y.shape)
    xf, yf, gf = (to_format(a, data_format) for a in (x, y, g))
    got = lp(nsp, True)(gf, xf, yf, p, kernel, stride, ceil_mode, data_format=data_format)
    want = numerical_gradient(lambda a: lp_pool(a, p, kernel, stride, ceil_mode), x, g)
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=1e-6, atol=1e-8)


FORMULA_GEOMETRY = [  # (shape, kernel, stride, ceil_mode): overlapping, disjoint (one pass for
    # p = 2 channels-first), disjoint with gaps between windows and after them, ceil edges, 3-D
    ((3, 5, 9, 8), (2, 3), 2, False),
    ((3, 5, 9, 8), 2, 2, False),
    ((3, 5, 9, 11), (2, 3), (3, 4), True),
    ((2, 4, 7, 9), 3, 3, True),
    ((2, 3, 5, 7, 9), (2, 1, 3), (3, 2, 3), True),
]


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("storage", ["c", "strided"])
@pytest.mark.parametrize("shape,kernel,stride,ceil_mode", FORMULA_GEOMETRY)
def test_backward_p1_p2_rounds_as_the_formula(p, dtype, data_format, storage, shape, kernel, stride,
                                              ceil_mode, rng):
    # p = 1, 2 take one parallel pass for the per-output factor and one for x**(p-1) (p = 2 under
    # disjoint windows, channels-first: one pass for all): bit for bit the formula step by step in
    # the input's dtype: t = (g * s) * K, s = y**(1-p) (0 where y = 0), then avg_pool's backward
    # of t, times x**(p-1) (so 0 * x on cells no window holds); zeros, NaN, inf and strided arrays
    nsp = len(shape) - 2
    volume = math.prod(kernel) if isinstance(kernel, tuple) else kernel ** nsp
    x = rng.standard_normal(shape).astype(dtype)
    x[0, 0, :2, :2] = 0  # a zero window: y = 0
    x[1, 1, 3, 3] = np.nan
    x[0, 1, -1] = np.inf  # the last row (3-D: slice), which no window may hold
    x = to_format(x, data_format)
    y = lp(nsp)(x, p, kernel, stride, ceil_mode, data_format=data_format)
    g = rng.standard_normal(y.shape).astype(dtype)
    g.flat[5] = np.inf
    with np.errstate(all="ignore"):
        s = np.where(y != 0, np.reciprocal(y) if p == 2 else dtype(1), dtype(0))
        t = (g * s) * dtype(volume)
        avg_bwd = getattr(cypool, f"avg_pool{nsp}d_backward")
        want = avg_bwd(t, x.shape, kernel, stride, 0, ceil_mode, data_format=data_format) * (x if p == 2 else 1)
    if storage == "strided":  # grad_output and input as views (NumPy's multiply for x)
        g, x = (np.repeat(a, 2, axis=-1)[..., ::2] for a in (g, x))
    for threads in (1, 2, 3):
        got = lp(nsp, True)(g, x, y, p, kernel, stride, ceil_mode, data_format=data_format,
                            num_threads=threads)
        assert got.dtype == dtype and got.tobytes() == want.astype(dtype).tobytes()


def test_zero_sum_has_zero_gradient():
    x = np.zeros((1, 1, 4))
    y = cypool.lp_pool1d(x, 2, 2)
    np.testing.assert_array_equal(cypool.lp_pool1d_backward(np.ones_like(y), x, y, 2, 2), 0.0)


@settings(max_examples=120, **SETTINGS)
@given(data=st.data())
def test_matches_torch(data):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    nsp = data.draw(st.integers(1, 3))
    kernel = tuple(data.draw(st.integers(1, 3)) for _ in range(nsp))
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(nsp))
    spatial = tuple(k + data.draw(st.integers(0, 5)) for k in kernel)
    ceil_mode = data.draw(st.booleans())
    p = data.draw(st.sampled_from([1, 2, 3, 2.5, INF, -INF]))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((2, 2) + spatial).astype(dtype)
    if p == 2.5:
        x = np.abs(x)
    t = torch.from_numpy(x)
    f = getattr(F, f"lp_pool{nsp}d")
    tk, ts = (kernel[0], stride[0]) if nsp == 1 else (kernel, stride)  # torch's 1-D takes ints
    want = f(t, p, tk, ts, ceil_mode).numpy()
    got = lp(nsp)(x, p, kernel, stride, ceil_mode)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True)
    if dtype == np.float64:
        tg = t.clone().requires_grad_(True)
        y = f(tg, p, tk, ts, ceil_mode)
        g = rng.standard_normal(tuple(y.shape))
        y.backward(torch.from_numpy(g))
        gx = lp(nsp, True)(g, x, y.detach().numpy(), p, kernel, stride, ceil_mode)
        np.testing.assert_allclose(gx, tg.grad.numpy(), rtol=1e-9, atol=1e-12, equal_nan=True)


# ------------------------------------------------------------------ global pooling

def global_ref(x, op, p=None):
    planes = x.reshape(x.shape[:2] + (-1,)).astype(np.float64 if op in ("avg", "lp") else x.dtype)
    if op == "avg":
        return planes.mean(-1), None
    if op == "lp":
        if math.isinf(p):
            return (np.abs(planes).max(-1) if p > 0 else np.abs(planes).min(-1)), None
        return np.sum(planes ** p, -1) ** (1.0 / p), None
    # first extreme in scan order; a NaN wins with the index of the last NaN
    idx = np.argmax(planes, -1) if op == "max" else np.argmin(planes, -1)
    nan = np.isnan(planes) if planes.dtype.kind == "f" else np.zeros(planes.shape, bool)
    last_nan = planes.shape[-1] - 1 - np.argmax(nan[..., ::-1], -1)
    idx = np.where(nan.any(-1), last_nan, idx)
    return np.take_along_axis(planes, idx[..., None], -1)[..., 0], idx


@pytest.mark.parametrize("op", ["max", "min", "avg", "lp"])
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("spatial", [(5,), (3, 4), (2, 3, 2), (2, 2, 3, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_matches_reference(op, data_format, spatial, keepdims, rng):
    x = rng.integers(-3, 4, (2, 3) + spatial).astype(np.float32)
    x[0, 0].flat[1] = np.nan
    layout = (lambda a: np.ascontiguousarray(np.moveaxis(a, 1, -1))) if data_format == "channels_last" else (lambda a: a)
    kw = dict(keepdims=keepdims, data_format=data_format)
    if op in ("max", "min"):
        got, idx = getattr(cypool, f"global_{op}_pool")(layout(x), True, **kw)
    elif op == "avg":
        got, idx = cypool.global_avg_pool(layout(x), **kw), None
    else:
        got, idx = cypool.global_lp_pool(layout(np.abs(x)), 2, **kw), None
    want, want_idx = global_ref(np.abs(x) if op == "lp" else x, op, 2)
    expected = (2,) + (1,) * len(spatial) + (3,) if data_format == "channels_last" else (2, 3) + (1,) * len(spatial)
    assert got.shape == (expected if keepdims else (2, 3))
    got2 = got.reshape(2, 3) if data_format == "channels_first" or not keepdims else got.reshape(2, 3)
    np.testing.assert_allclose(got2, want, rtol=1e-6, equal_nan=True)
    if idx is not None:
        np.testing.assert_array_equal(idx.reshape(2, 3), want_idx)


@pytest.mark.parametrize("op", ["max", "min", "avg", "lp", "lp_inf"])
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_backward_matches_finite_differences(op, data_format, keepdims, rng):
    x = rng.uniform(0.5, 2.0, (2, 2, 3, 2)) * rng.choice([-1, 1], (2, 2, 3, 2))
    if op == "lp":
        x = np.abs(x)
    layout = (lambda a: np.ascontiguousarray(np.moveaxis(a, 1, -1))) if data_format == "channels_last" else (lambda a: a)
    kw = dict(keepdims=keepdims, data_format=data_format)
    p = INF if op == "lp_inf" else 3
    ref_op = "lp" if op.startswith("lp") else op
    g = rng.standard_normal((2, 2))
    gk = g.reshape((2, 1, 1, 2) if data_format == "channels_last" else (2, 2, 1, 1)) if keepdims else g
    xl = layout(x)
    if op in ("max", "min"):
        _, idx = getattr(cypool, f"global_{op}_pool")(xl, True, **kw)
        got = getattr(cypool, f"global_{op}_pool_backward")(gk, idx, xl.shape, **kw)
    elif op == "avg":
        got = cypool.global_avg_pool_backward(gk, xl.shape, **kw)
    else:
        y = cypool.global_lp_pool(xl, p, **kw)
        got = cypool.global_lp_pool_backward(gk, xl, y, p, **kw)
    want = numerical_gradient(lambda a: global_ref(a, ref_op, p)[0], x, g)
    back = (lambda a: np.moveaxis(a, -1, 1)) if data_format == "channels_last" else (lambda a: a)
    np.testing.assert_allclose(back(got), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("op,dtype", [(op, dt) for op in ("max", "min") for dt in (np.float32, np.float64, np.int16)]
                         + [("avg", np.float32), ("avg", np.float64)])
@pytest.mark.parametrize("n,c", [(1, 3), (1, 200), (3, 70), (9, 5)])  # (1, 200): an image cut in channel blocks
@pytest.mark.parametrize("size", [1, 3, 4, 5, 9])  # whole 4-row passes and leftover rows
def test_whole_image_kernels_agree_across_layouts(op, dtype, n, c, size, rng):
    # the channels-last whole-image kernels (*_global_cl) give the channels-first ones' bits:
    # each channel meets its cells in one order (max/min: scan order; avg: the lanes of
    # test_global_avg_sums_in_lanes, whose float data would tell orders apart); NaNs and +-0
    # ties included; any thread count
    x = rng.integers(-2, 3, (n, c, size)).astype(dtype)
    if x.dtype.kind == "f":
        x[x == 0] = rng.choice(np.array([0.0, -0.0], dtype), int((x == 0).sum()))
        x.flat[rng.integers(0, x.size, 3)] = np.nan
    cl = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    for threads in (1, 2, 3):
        if op == "avg":
            want = cypool.global_avg_pool(x, num_threads=threads)
            got = cypool.global_avg_pool(cl, data_format="channels_last", num_threads=threads)
        else:
            want, want_idx = getattr(cypool, f"global_{op}_pool")(x, True, num_threads=threads)
            got, idx = getattr(cypool, f"global_{op}_pool")(cl, True, data_format="channels_last",
                                                            num_threads=threads)
            np.testing.assert_array_equal(idx, want_idx)
            np.testing.assert_array_equal(idx, global_ref(x, op, 2)[1])
        assert got.tobytes() == want.tobytes()


def lane_sum(planes):
    """Sums of (P, S) planes in the kernels' lane order (cypool_lane_sum), in their dtype.

    Lane l adds cells l, l + 8, ... in order from 0; the lanes meet as
    ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
    """
    lanes = np.zeros((8, planes.shape[0]), planes.dtype)
    for t in range(planes.shape[1]):
        lanes[t % 8] = lanes[t % 8] + planes[:, t]
    return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("data_format", LAYOUTS)
# (13, 130): whole images of more than 64 channels (channels-last: running sums in scratch);
# (1, 200): one image cut in channel blocks; (2, 3): a few channels
@pytest.mark.parametrize("n,c", [(2, 3), (1, 200), (13, 130)])
# lanes of 0-1 cells, exactly 1, 1-2, 6-7 (7x7, case f), 12-13 (passes of 6, 6 and 1); every
# count of last cells (0-7) and of whole blocks of eight (0-8, and more: the kernels' switch)
@pytest.mark.parametrize("size", [1, 5, 8, 9, 15, 22, 27, 49, 66, 100])
def test_global_avg_sums_in_lanes(dtype, data_format, n, c, size, rng):
    # global averages add each plane in eight lanes (vector adds over a channels-first plane),
    # in both layouts, on any number of threads; checked bit for bit against that order
    x = rng.standard_normal((n, c, size)).astype(dtype)
    x[:, 0, :2] = -0.0  # plane 0: -0 cells (0 + -0 = +0 in a lane)
    want = (lane_sum(x.reshape(n * c, size)) / dtype(size)).reshape(n, c)
    for threads in (1, 2, 3):
        got = cypool.global_avg_pool(to_format(x, data_format), data_format=data_format, num_threads=threads)
        assert got.tobytes() == want.tobytes()
    # a window over the whole plane takes the same kernel, its divisor_override too
    got = cypool.avg_pool1d(to_format(x, data_format), size, divisor_override=3, data_format=data_format)
    want = (lane_sum(x.reshape(n * c, size)) / dtype(3)).reshape(n, c, 1)
    assert np.ascontiguousarray(from_format(got, data_format)).tobytes() == want.tobytes()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("n,c", [(1, 3), (1, 200), (3, 70)])
@pytest.mark.parametrize("size", [1, 4, 6])
def test_global_avg_backward_writes_every_cell(dtype, n, c, size, rng):
    # grad_input is not zeroed first: every cell gets g / size (one division in the kernel dtype)
    g = rng.standard_normal((n, c)).astype(dtype)
    kdt = np.float32 if dtype == np.float16 else dtype
    want = np.broadcast_to((g.astype(kdt) / kdt(size)).astype(dtype)[..., None], (n, c, size))
    for threads in (1, 2):
        got = cypool.global_avg_pool_backward(g, (n, c, size), num_threads=threads)
        assert got.tobytes() == np.ascontiguousarray(want).tobytes()
        got = cypool.global_avg_pool_backward(g, (n, size, c), data_format="channels_last", num_threads=threads)
        assert np.moveaxis(got, -1, 1).tobytes() == np.ascontiguousarray(want).tobytes()


def test_global_matches_torch_adaptive(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4, 5, 6)).astype(np.float32)
    t = torch.from_numpy(x)
    want, want_idx = torch.nn.functional.adaptive_max_pool2d(t, 1, return_indices=True)
    got, idx = cypool.global_max_pool(x, True, keepdims=True)
    np.testing.assert_array_equal(got, want.numpy())
    np.testing.assert_array_equal(idx, want_idx.numpy())
    np.testing.assert_allclose(cypool.global_avg_pool(x), x.mean((2, 3)), rtol=1e-6)
    np.testing.assert_allclose(cypool.global_lp_pool(x, 2), np.sqrt((x.astype(np.float64) ** 2).sum((2, 3))),
                               rtol=1e-6)


X = np.zeros((1, 2, 4), np.float32)


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: cypool.lp_pool1d(X, 0, 2), ValueError, r"lp_pool1d: norm_type must be a non-zero number or \+-inf; got 0"),
    (lambda: cypool.lp_pool1d(X, float("nan"), 2), ValueError, r"lp_pool1d: norm_type .*; got nan"),
    (lambda: cypool.lp_pool2d(X[None], "2", 2), TypeError, r"lp_pool2d: norm_type .*; got '2'"),
    (lambda: cypool.lp_pool1d(X, 2, 5), ValueError, r"lp_pool1d: the window .* does not fit"),
    (lambda: cypool.lp_pool1d_backward(np.ones((1, 2, 2)), X, np.ones((1, 2, 3)), 2, 2), ValueError,
     r"lp_pool1d_backward: output must have shape \(1, 2, 2\) \(the shape of grad_output\); got \(1, 2, 3\)"),
    (lambda: cypool.global_max_pool(np.zeros((2, 3))), ValueError,
     r"global_max_pool: input must be \(N, C, \*spatial\) with at least one spatial axis .*got 2-D"),
    (lambda: cypool.global_avg_pool(np.zeros((2, 0, 3)), data_format="channels_last"), ValueError,
     r"global_avg_pool: input must have a non-zero size along every spatial axis; got shape \(2, 0, 3\)"),
    (lambda: cypool.global_avg_pool_backward(np.ones((2, 3)), (2, 3)), ValueError,
     r"global_avg_pool_backward: input_shape must be \(N, C, \*spatial\) .*; got \(2, 3\)"),
    (lambda: cypool.global_avg_pool_backward(np.ones((2, 3)), (2, 3, 4), keepdims=True), ValueError,
     r"global_avg_pool_backward: grad_output must have shape \(2, 3, 1\)"),
    (lambda: cypool.global_min_pool(X, keepdims=1), TypeError, r"global_min_pool: keepdims must be True or False; got 1"),
    (lambda: cypool.global_lp_pool(X, -0.0), ValueError, r"global_lp_pool: norm_type .*; got -0.0"),
])
def test_errors(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()
