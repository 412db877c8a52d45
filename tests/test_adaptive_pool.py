"""adaptive_{max,min,avg}_pool{1,2,3}d forward and backward: reference, PyTorch, gradients, errors."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cypool
from conftest import FLOATS, INTS, LAYOUTS, from_format, random_data, scan_order_data, to_format
from reference import adaptive_pool, adaptive_windows, numerical_gradient

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# (input spatial, output size): shrinking, overlapping, growing (m > n), unit, None
SIZES = {
    1: [((10,), (4,)), ((3,), (5,)), ((7,), (1,)), ((6,), (None,))],
    2: [((10, 7), (4, 3)), ((5, 5), (7, 2)), ((7, 7), (1, 1)), ((6, 5), (None, 2))],
    3: [((5, 4, 6), (2, 3, 4)), ((3, 3, 3), (4, 1, None))],
}
CASES = [(nsp, sp, out) for nsp, cases in SIZES.items() for sp, out in cases]


def fn(op, nsp, backward=False):
    return getattr(cypool, f"adaptive_{op}_pool{nsp}d" + ("_backward" if backward else ""))


def resolved(spatial, out):
    return tuple(n if m is None else m for n, m in zip(spatial, out))


def test_windows_reference_vectors():
    # §B5, run against PyTorch: n=10, m=4 and n=3 -> m=5
    assert adaptive_windows(10, 4) == [(0, 3), (2, 5), (5, 8), (7, 10)]
    assert [a for a, _ in adaptive_windows(3, 5)] == [0, 0, 1, 1, 2]


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS + INTS)
@pytest.mark.parametrize("nsp,spatial,out", CASES)
def test_select_matches_reference(op, data_format, dtype, nsp, spatial, out, rng):
    x = random_data(rng, (2, 3) + spatial, dtype)
    want, want_idx = adaptive_pool(x, op, resolved(spatial, out))
    got, idx = fn(op, nsp)(to_format(x, data_format), out, return_indices=True, data_format=data_format)
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(from_format(got, data_format), want)
    np.testing.assert_array_equal(from_format(idx, data_format), want_idx)
    plain = fn(op, nsp)(to_format(x, data_format), out, data_format=data_format)
    np.testing.assert_array_equal(plain, got)


@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS + [np.int16, np.uint8])
@pytest.mark.parametrize("nsp,spatial,out", CASES)
def test_avg_matches_reference(data_format, dtype, nsp, spatial, out, rng):
    x = random_data(rng, (2, 3) + spatial, dtype, ties=False)
    want, _ = adaptive_pool(x, "avg", resolved(spatial, out))
    got = fn("avg", nsp)(to_format(x, data_format), out, data_format=data_format)
    assert got.dtype == (x.dtype if x.dtype.kind == "f" else np.float64)
    rtol = 1e-6 if got.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("op", ["max", "min", "avg"])
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("nsp,spatial,out", CASES[::2])
def test_backward_matches_finite_differences(op, data_format, nsp, spatial, out, rng):
    x = random_data(rng, (1, 2) + spatial, np.float64, ties=False)
    size = resolved(spatial, out)
    g = rng.standard_normal((1, 2) + size)
    xf = to_format(x, data_format)
    if op == "avg":
        got = fn(op, nsp, True)(to_format(g, data_format), xf.shape, data_format=data_format)
    else:
        _, idx = fn(op, nsp)(xf, out, return_indices=True, data_format=data_format)
        got = fn(op, nsp, True)(to_format(g, data_format), idx, xf.shape, data_format=data_format)
    want = numerical_gradient(lambda a: adaptive_pool(a, op, size)[0], x, g)
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("op", ["max", "avg"])
def test_thread_count_invariance(op, rng):
    x = rng.standard_normal((4, 16, 37, 29)).astype(np.float32)
    one = fn(op, 2)(x, (7, 5), num_threads=1)
    two = fn(op, 2)(x, (7, 5), num_threads=2)
    assert one.tobytes() == two.tobytes()


@settings(max_examples=150, **SETTINGS)
@given(data=st.data())
def test_matches_torch(data):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    nsp = data.draw(st.integers(1, 3))
    spatial = tuple(data.draw(st.integers(1, 12 if nsp < 3 else 6)) for _ in range(nsp))
    # torch's 1-D adaptive pools take no None
    entry = st.integers(1, 9) if nsp == 1 else st.one_of(st.none(), st.integers(1, 9))
    out = tuple(data.draw(entry) for _ in range(nsp))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    batched = data.draw(st.booleans())
    channels_last = data.draw(st.booleans())
    values = data.draw(st.sampled_from(["normal", "ties", "specials"]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    shape = (2, 3) + spatial
    if values == "normal":
        x = rng.standard_normal(shape)
    elif values == "ties":
        x = rng.integers(-2, 3, shape).astype(np.float64)
    else:
        x = rng.choice([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan], shape)
    x = x.astype(dtype)
    t = torch.from_numpy(x if batched else x[0])
    xin = x if batched else x[0]
    df = "channels_last" if channels_last else "channels_first"
    xin = np.ascontiguousarray(np.moveaxis(xin, 1 if batched else 0, -1)) if channels_last else xin
    back = (lambda a: np.moveaxis(a, -1, 1 if batched else 0)) if channels_last else (lambda a: a)

    want, want_idx = getattr(F, f"adaptive_max_pool{nsp}d")(t, out, return_indices=True)
    got, idx = fn("max", nsp)(xin, out, return_indices=True, data_format=df)
    uint = {4: np.uint32, 8: np.uint64}[x.itemsize]
    np.testing.assert_array_equal(back(got).view(uint), want.numpy().view(uint))
    np.testing.assert_array_equal(back(idx), want_idx.numpy())
    got = fn("max", nsp)(xin, out, data_format=df)  # the kernels without indices
    np.testing.assert_array_equal(back(got).view(uint), want.numpy().view(uint))

    avg_want = getattr(F, f"adaptive_avg_pool{nsp}d")(t, out).numpy()
    avg_got = back(fn("avg", nsp)(xin, out, data_format=df))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(avg_got, avg_want, rtol=tol, atol=tol)

    if values != "specials" and dtype == np.float64:
        tg = t.clone().requires_grad_(True)
        y = getattr(F, f"adaptive_max_pool{nsp}d")(tg, out)
        gy = rng.standard_normal(tuple(y.shape))
        y.backward(torch.from_numpy(gy))
        g_in = np.ascontiguousarray(np.moveaxis(gy, 1 if batched else 0, -1)) if channels_last else gy
        got_g = fn("max", nsp, True)(g_in, idx, xin.shape, data_format=df)
        np.testing.assert_allclose(back(got_g), tg.grad.numpy(), rtol=1e-12, atol=1e-12)
        tg = t.clone().requires_grad_(True)
        getattr(F, f"adaptive_avg_pool{nsp}d")(tg, out).backward(torch.from_numpy(gy))
        got_g = fn("avg", nsp, True)(g_in, xin.shape, data_format=df)
        np.testing.assert_allclose(back(got_g), tg.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("spatial,out", [((30, 30), (7, 7)), ((13, 9), (4, 5)), ((9, 4), (2, 3)),
                                         ((5, 6, 7), (2, 3, 4))])
def test_columns_first_is_scan_order_bitwise(op, dtype, spatial, out, rng):
    # channels-first windows of two or more rows with no evenly spaced run take a
    # column step first (each column's winner over the window's rows), then a step
    # over columns (2-D: the column step one C pass over the window's rows): ties (+-0
    # among them), infinities and NaN payloads must come out bit for bit as the
    # scan-order reference, on any thread count
    x = scan_order_data(rng, (2, 3) + spatial, dtype, op)
    want, want_idx = adaptive_pool(x, op, out)
    bits = np.uint32 if dtype == np.float32 else np.uint64
    f = fn(op, len(spatial))
    for threads in (1, 2, 3):  # 6 planes: every count splits them into blocks of rows
        got = f(x, out, num_threads=threads)
        np.testing.assert_array_equal(got.view(bits), want.view(bits))
        got, idx = f(x, out, return_indices=True, num_threads=threads)
        np.testing.assert_array_equal(got.view(bits), want.view(bits))
        np.testing.assert_array_equal(idx, want_idx)


X2 = np.zeros((1, 2, 5, 5), np.float32)


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: cypool.adaptive_max_pool2d(X2, 0), ValueError,
     r"adaptive_max_pool2d: output_size must be a positive int .*; got 0"),
    (lambda: cypool.adaptive_avg_pool2d(X2, (3, -1)), ValueError,
     r"adaptive_avg_pool2d: output_size must be .*; got \(3, -1\)"),
    (lambda: cypool.adaptive_avg_pool2d(X2, (3,)), ValueError,
     r"adaptive_avg_pool2d: output_size must be .*tuple of 2.*; got \(3,\)"),
    (lambda: cypool.adaptive_min_pool1d(X2[0], 2.5), TypeError,
     r"adaptive_min_pool1d: output_size must be .*; got 2.5"),
    (lambda: cypool.adaptive_max_pool2d(X2, (2, "a")), TypeError,
     r"adaptive_max_pool2d: output_size must be .*; got \(2, 'a'\)"),
    (lambda: cypool.adaptive_max_pool2d(np.zeros((1, 2, 0, 5)), 2), ValueError,
     r"adaptive_max_pool2d: input must have a non-zero size along every spatial axis; got shape \(1, 2, 0, 5\)"),
    (lambda: cypool.adaptive_avg_pool2d_backward(np.ones((1, 2, 2, 2)), (1, 2, 5, 0)), ValueError,
     r"adaptive_avg_pool2d_backward: input_shape must have a non-zero size .*; got shape \(1, 2, 5, 0\)"),
    (lambda: cypool.adaptive_avg_pool1d(np.zeros((2, 3, 4), bool), 2), TypeError,
     r"adaptive_avg_pool1d: input .*bool"),
    (lambda: cypool.adaptive_avg_pool2d_backward(np.ones((1, 3, 2, 2)), (1, 2, 5, 5)), ValueError,
     r"adaptive_avg_pool2d_backward: grad_output's batch and channel sizes must match"),
])
def test_errors(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_zero_batch_and_channels():
    y = cypool.adaptive_max_pool2d(np.zeros((0, 3, 5, 5), np.float32), 2)
    assert y.shape == (0, 3, 2, 2)
    y = cypool.adaptive_avg_pool2d(np.zeros((2, 0, 5, 5)), (3, 1), data_format="channels_first")
    assert y.shape == (2, 0, 3, 1)


@pytest.mark.parametrize("op", ["max", "min", "avg"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.uint16])
@pytest.mark.parametrize("planes", [(1, 1), (2, 4), (3, 7), (5, 13)])
def test_whole_plane_kernel_is_bitwise_the_row_kernel(op, dtype, planes, rng):
    """Channels-first pooling to one cell per plane runs the whole-plane kernels (8 planes at
    a time); channels-last runs the row kernels. Both must agree bit for bit."""
    if op == "avg" and np.dtype(dtype).kind != "f":
        pytest.skip("integer averages are float64 of the same sums; covered by the float cases")
    if np.dtype(dtype).kind == "f":
        x = rng.choice(np.array([0.0, -0.0, 1.5, -2.25, np.nan, np.inf, 3.0, 1e-3]), planes + (5, 6))
        x = np.where(rng.random(x.shape) < 0.7, rng.standard_normal(x.shape), x).astype(dtype)
    else:
        x = random_data(rng, planes + (5, 6), dtype)
    cl = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    if op == "avg":
        a = cypool.adaptive_avg_pool2d(x, 1)
        b = np.moveaxis(cypool.adaptive_avg_pool2d(cl, 1, data_format="channels_last"), -1, 1)
        assert a.tobytes() == np.ascontiguousarray(b).tobytes()
        return
    a, ai = fn(op, 2)(x, 1, return_indices=True)
    b, bi = fn(op, 2)(cl, 1, return_indices=True, data_format="channels_last")
    assert a.tobytes() == np.ascontiguousarray(np.moveaxis(b, -1, 1)).tobytes()
    np.testing.assert_array_equal(ai, np.moveaxis(bi, -1, 1))
    assert fn(op, 2)(x, 1).tobytes() == a.tobytes()
