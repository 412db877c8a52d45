"""max_pool*/min_pool* forward and backward against tests/reference.py."""
import numpy as np
import pytest

import cypool
from conftest import (FLOATS, INTS, LAYOUTS, as_kwargs, from_format, geometry_cases, geometry_ids,
                      random_data, scan_order_data, to_format)
from reference import numerical_gradient, scatter_backward, select_pool

OPS = ["max", "min"]


def pool(op, nsp):
    return getattr(cypool, f"{op}_pool{nsp}d")


def backward(op, nsp):
    return getattr(cypool, f"{op}_pool{nsp}d_backward")


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS + INTS + [np.float16])
@pytest.mark.parametrize("channels", [3, 6])  # channels-last: the unrolled few-channel path and the general one
@pytest.mark.parametrize("nsp,case", geometry_cases(), ids=geometry_ids())
def test_forward_matches_reference(op, data_format, dtype, channels, nsp, case, rng):
    x = random_data(rng, (2, channels) + case[0], dtype)
    want, want_idx = select_pool(x, op, *case[1:])
    got, idx = pool(op, nsp)(to_format(x, data_format), **as_kwargs(case), return_indices=True,
                             data_format=data_format)
    assert got.dtype == x.dtype and idx.dtype == np.int64
    np.testing.assert_array_equal(from_format(got, data_format), want)
    np.testing.assert_array_equal(from_format(idx, data_format), want_idx)
    # without indices: the same values from the index-free kernel
    plain = pool(op, nsp)(to_format(x, data_format), **as_kwargs(case), data_format=data_format)
    np.testing.assert_array_equal(plain, got)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("data_format", LAYOUTS)
def test_nan_inf_and_ties(op, data_format):
    nan, inf = np.nan, np.inf
    # §B4: [[nan, 1], [nan, 2]] -> nan at the last NaN (index 2); ties keep the first
    x = np.array([[[[nan, 1, 3, 3, -inf, -inf], [nan, 2, 3, 3, -inf, -inf]]]], np.float32)
    got, idx = pool(op, 2)(to_format(x, data_format), 2, return_indices=True, data_format=data_format)
    got, idx = from_format(got, data_format), from_format(idx, data_format)
    assert np.isnan(got[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 6
    assert got[0, 0, 0, 1] == 3 and idx[0, 0, 0, 1] == 2
    assert got[0, 0, 0, 2] == -inf and idx[0, 0, 0, 2] == 4


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("return_indices", [False, True])
def test_nan_payloads_in_irregular_windows(op, data_format, return_indices):
    # Windows off the evenly spaced interior select without the NaN test and redo a row
    # that met a NaN with the exact rule: the last NaN in scan order wins, bits and index.
    a, b = np.array([0x7FC00001, 0xFFC00002], np.uint32).view(np.float32)
    x = np.array([[[1, a, 2, b, 3, 4, b, a], [1, 2, 3, 4, 5, 6, 7, 8]]], np.float32)
    x = np.stack([x, -x])[:, 0]  # (2, 2, 8): NaNs in one plane, none in another
    got = getattr(cypool, f"adaptive_{op}_pool1d")(  # windows [0, 3), [2, 6), [5, 8)
        to_format(x, data_format), 3, return_indices=return_indices, data_format=data_format)
    got, idx = got if return_indices else (got, None)
    got = from_format(got, data_format)
    np.testing.assert_array_equal(got[0, 0].view(np.uint32), np.array([a, b, a], np.float32).view(np.uint32))
    np.testing.assert_array_equal(got[0, 1], [3, 6, 8] if op == "max" else [1, 3, 6])
    if return_indices:
        idx = from_format(idx, data_format)
        np.testing.assert_array_equal(idx[:, 0], [[1, 3, 7]] * 2)
        np.testing.assert_array_equal(idx[0, 1], [2, 5, 7] if op == "max" else [0, 2, 5])


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("nsp,case", [c for c in geometry_cases() if c[1][0][-1] > 16],
                         ids=[i for c, i in zip(geometry_cases(), geometry_ids()) if c[1][0][-1] > 16])
def test_nan_payloads_in_wide_rows(op, data_format, dtype, nsp, case, rng):
    # The interior loops select without the NaN test and redo a row that met a NaN:
    # NaN payloads, infinities and ties must come out bit for bit as the reference's.
    x = random_data(rng, (2, 3) + case[0], dtype)
    payloads = np.array([0x7FC00001, 0xFFC00002, 0x7FC00003], np.uint32).view(np.float32).astype(dtype)
    x[rng.random(x.shape) < 0.04] = np.inf if op == "max" else -np.inf
    x[rng.random(x.shape) < 0.05] = -np.inf if op == "max" else np.inf
    nan_at = rng.random(x.shape) < 0.05
    x[nan_at] = rng.choice(payloads, nan_at.sum())
    x[1, 1] = np.where(np.isnan(x[1, 1]), 0, x[1, 1])  # a plane without NaN
    want, want_idx = select_pool(x, op, *case[1:])
    bits = np.uint32 if dtype == np.float32 else np.uint64
    for return_indices in (False, True):
        got = pool(op, nsp)(to_format(x, data_format), **as_kwargs(case), return_indices=return_indices,
                            data_format=data_format)
        got, idx = got if return_indices else (got, None)
        np.testing.assert_array_equal(from_format(got, data_format).view(bits), want.view(bits))
        if return_indices:
            np.testing.assert_array_equal(from_format(idx, data_format), want_idx)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize("shape", [(7, 11), (12, 24), (9, 37)])
@pytest.mark.parametrize("stride", [1, 2])
def test_separable_3x3(op, dtype, padding, shape, stride, streaming, rng):
    # channels-first 3x3 stride-1 and -2 windows go through a ring of per-row 3-tap results
    # (values, and columns for the indices; without indices, float32 at stride 2 in the AVX2
    # build, data in cache merge each output's three rows at once): ties (+-0 among them),
    # infinities and NaN payloads must come out bit for bit as the scan-order reference, on
    # any thread count
    x = scan_order_data(rng, (2, 3) + shape, dtype, op)
    want, want_idx = select_pool(x, op, (3, 3), (stride, stride), (1, 1), ((padding, padding),) * 2, False)
    bits = np.uint32 if dtype == np.float32 else np.uint64
    for threads in (1, 2):
        got = pool(op, 2)(x, 3, stride, padding, num_threads=threads)
        np.testing.assert_array_equal(got.view(bits), want.view(bits))
        got, idx = pool(op, 2)(x, 3, stride, padding, return_indices=True, num_threads=threads)
        np.testing.assert_array_equal(got.view(bits), want.view(bits))
        np.testing.assert_array_equal(idx, want_idx)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize("shape", [(14, 37), (13, 36), (6, 17)])
def test_separable_3x3_signed_zeros(op, padding, shape, streaming, rng):
    # windows whose extreme is a zero: the sign shows which zero came first in scan order,
    # through the ring and through the rows merged three at a time
    x = rng.choice(np.array([0.0, -0.0, -1.0 if op == "max" else 1.0], np.float32), (2, 3) + shape)
    want, _ = select_pool(x, op, (3, 3), (2, 2), (1, 1), ((padding, padding),) * 2, False)
    for threads in (1, 2):
        got = pool(op, 2)(x, 3, 2, padding, num_threads=threads)
        np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


FUSED_ROWS = [  # (spatial shape, kernel, stride, dilation, padding): whole-row windows, each fused loop shape
    ((6, 10), 2, 2, 1, 0), ((8, 7), 2, 2, 1, 0), ((4, 2), 2, 2, 1, 0),     # 2x2 stride 2 (cases b, k)
    ((4, 6, 9), 2, 2, 1, 0), ((2, 4, 4), 2, 2, 1, 0),                      # 2x2x2 (case h)
    ((7, 9), 2, 1, 1, 0), ((6, 11), 3, 1, 1, 1), ((9, 12), 2, 1, 2, 0),    # stride 1, dilated
    ((9, 13), 3, 2, 1, 1), ((5, 5, 8), 2, 1, 1, 0),                        # 3x3 stride 2, 2x2x2 stride 1
    ((37,), 4, 4, 1, 0), ((19,), 3, 2, 1, 1),                               # 1-D (case i)
    ((55,), 4, 4, 1, 0), ((50,), 4, 4, 2, 1),  # k4 s4: 8 + 4 + 1 outputs (AVX2, SSE, scalar), dilated
]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,k,s,d,p", FUSED_ROWS)
def test_fused_rows(op, dtype, shape, k, s, d, p, rng):
    # channels-first rows take their interior windows in one fused loop
    # (float64: SSE2 pairs of outputs, odd widths end on one): ties (+-0 among
    # them), infinities and NaN payloads bit for bit as the scan-order
    # reference, with and without indices, on any thread count
    nsp = len(shape)
    x = scan_order_data(rng, (2, 3) + shape, dtype, op)
    want, want_idx = select_pool(x, op, (k,) * nsp, (s,) * nsp, (d,) * nsp, ((p, p),) * nsp, False)
    bits = np.uint32 if dtype == np.float32 else np.uint64
    for threads in (1, 2):
        got, idx = pool(op, nsp)(x, k, s, p, d, return_indices=True, num_threads=threads)
        np.testing.assert_array_equal(got.view(bits), want.view(bits))
        np.testing.assert_array_equal(idx, want_idx)
        got = pool(op, nsp)(x, k, s, p, d, num_threads=threads)  # plane (1, 2): no NaN, no redo
        np.testing.assert_array_equal(got.view(bits), want.view(bits))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("shift", [0, 1, 3])
def test_k4_s4_indices_streamed_from_any_offset(op, shift, streaming, rng):
    # 1-D k4 s4 with indices (case i): the AVX2 pass streams the indices from their
    # first 32-byte line on (streaming: every size), the outputs before it taken apart;
    # indices_out 0-3 int64 past a 64-byte line, rows of 1-29 outputs
    for width in (4, 13, 39, 60, 116):
        x = scan_order_data(rng, (2, 3, width), np.float32, op)
        want, want_idx = select_pool(x, op, (4,), (4,), (1,), ((0, 0),), False)
        y = np.empty(want.shape, np.float32)
        buf = np.empty(want_idx.size + 16, np.int64)
        skip = (-buf.ctypes.data % 64) // 8 + shift
        idx = buf[skip:skip + want_idx.size].reshape(want_idx.shape)
        for threads in (1, 2):
            idx[...] = -1
            pool(op, 1)(x, 4, return_indices=True, out=y, indices_out=idx, num_threads=threads)
            np.testing.assert_array_equal(y.view(np.uint32), want.view(np.uint32))
            np.testing.assert_array_equal(idx, want_idx)


@pytest.mark.parametrize("op", OPS)
def test_integer_extremes(op):
    for dtype in INTS:
        info = np.iinfo(dtype)
        x = np.array([[[info.min, info.max, info.min, info.min]]], dtype)
        y, i = pool(op, 1)(x, 2, return_indices=True)
        want = [info.max, info.min] if op == "max" else [info.min, info.min]
        np.testing.assert_array_equal(y[0, 0], want)
        np.testing.assert_array_equal(i[0, 0], [1, 2] if op == "max" else [0, 2])


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS + [np.float16])
@pytest.mark.parametrize("nsp,case", geometry_cases(), ids=geometry_ids())
def test_backward_matches_reference(op, data_format, dtype, nsp, case, rng):
    x = random_data(rng, (2, 2) + case[0], np.float64)
    _, idx = select_pool(x, op, *case[1:])
    g = rng.standard_normal(idx.shape).astype(dtype)
    got = backward(op, nsp)(to_format(g, data_format), to_format(idx, data_format),
                            to_format(x, data_format).shape, data_format=data_format)
    assert got.dtype == g.dtype
    want = scatter_backward(g.astype(np.float64), idx, x.shape[2:])
    tol = 1e-2 if dtype == np.float16 else 1e-5
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(3, 100, 90), (2, 131, 127)])
def test_backward_of_planes_beyond_l1(dtype, shape, streaming, rng):
    # planes of 36-130 KB: from memory (streaming) the scatter prefetches the next plane
    # while it scatters into this one (SCATTER_PF_MIN/MAX); overlapping 3x3 windows
    x = random_data(rng, (2,) + shape, np.float64)
    _, idx = select_pool(x, "max", (3, 3), (2, 2), (1, 1), ((1, 1), (1, 1)), False)
    g = rng.standard_normal(idx.shape).astype(dtype)
    for threads in (1, 2):
        got = cypool.max_pool2d_backward(g, idx, x.shape, num_threads=threads)
        want = scatter_backward(g.astype(np.float64), idx, x.shape[2:])
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("nsp,case", geometry_cases(), ids=geometry_ids())
def test_backward_finite_differences(op, nsp, case, rng):
    # distinct values spaced far beyond eps: the argmax cannot flip
    x = random_data(rng, (1, 2) + case[0], np.float64, ties=False)
    kw = as_kwargs(case)
    y, idx = pool(op, nsp)(x, **kw, return_indices=True)
    g = rng.standard_normal(y.shape)
    got = backward(op, nsp)(g, idx, x.shape)
    want = numerical_gradient(lambda v: pool(op, nsp)(v, **kw), x, g)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_backward_accumulates_overlaps():
    # §B4: [5, 3, 1, 2, 5], k=2, s=1 -> gradient [1, 1, 0, 1, 1]
    x = np.array([[[5.0, 3, 1, 2, 5]]])
    y, i = cypool.max_pool1d(x, 2, stride=1, return_indices=True)
    np.testing.assert_array_equal(cypool.max_pool1d_backward(np.ones_like(y), i, x.shape),
                                  [[[1, 1, 0, 1, 1]]])


def test_reference_vectors():
    # §B1 test vectors
    np.testing.assert_array_equal(cypool.max_pool1d(np.arange(5.0)[None, None], 2, 2, ceil_mode=True),
                                  [[[1, 3, 4]]])
    assert cypool.max_pool1d(np.arange(4.0)[None, None], 1, 2, ceil_mode=True).shape[-1] == 2
    # §B4: k=3, s=2, p=1 on a 4x4 arange -> indices [[5, 7], [13, 15]]
    _, i = cypool.max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(i[0, 0], [[5, 7], [13, 15]])
    # §B2: 3x3 1..9, k=2, s=2: same -> [[5, 6], [8, 9]], same_lower -> [[1, 3], [7, 9]]
    x = np.arange(1.0, 10).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(cypool.max_pool2d(x, 2, padding="same")[0, 0], [[5, 6], [8, 9]])
    np.testing.assert_array_equal(cypool.max_pool2d(x, 2, padding="same_lower")[0, 0], [[1, 3], [7, 9]])
    np.testing.assert_array_equal(cypool.max_pool2d(x, 2, padding="valid")[0, 0], [[5]])


CL_ROWS = [  # (spatial shape, kernel, stride, dilation, padding): channels-last windows of 2x2 to 3x3
    ((9, 13), (3, 3), (2, 2), (1, 1), (1, 1)),   # case a: 3x3 stride 2, edge rows of 2 taps
    ((8, 10), (2, 2), (2, 2), (1, 1), (0, 0)),   # 2x2 stride 2
    ((7, 9), (2, 3), (1, 2), (1, 1), (0, 1)),    # 2x3 and 3x2, strides 1 and 2
    ((9, 7), (3, 2), (1, 1), (1, 1), (1, 0)),
    ((9, 12), (2, 2), (1, 1), (2, 2), (0, 0)),   # dilated
    ((6, 11), (3, 3), (1, 3), (1, 1), (1, 1)),   # stride 3 across
]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("channels", [8, 13, 40])
@pytest.mark.parametrize("shape,k,s,d,p", CL_ROWS)
def test_channels_last_rows(op, dtype, channels, shape, k, s, d, p, streaming, rng):
    # channels-last rows of 2x2 to 3x3 windows (case a NHWC: a C pass over whole vectors of
    # channels, maxps/minps taking later taps against earlier, a pixel with a NaN redone
    # exactly; with streaming its prefetches): ties (+-0), infinities and NaN payloads bit
    # for bit as the scan-order reference; image 1 has no NaN, so none of it is redone
    x = scan_order_data(rng, (2, channels) + shape, dtype, op)
    x[1] = np.where(np.isnan(x[1]), 1, x[1])
    want, _ = select_pool(x, op, k, s, d, tuple((q, q) for q in p), False)
    bits = np.uint32 if dtype == np.float32 else np.uint64
    for threads in (1, 2):
        got = pool(op, 2)(to_format(x, "channels_last"), k, s, p, d, num_threads=threads,
                          data_format="channels_last")
        np.testing.assert_array_equal(from_format(got, "channels_last").view(bits), want.view(bits))


@pytest.mark.parametrize("op", ["max", "min", "avg"])
@pytest.mark.parametrize("channels", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("width", [2, 3, 31, 32, 34, 66, 97])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_uint8_images_2x2(op, channels, width, ceil_mode, streaming, rng):
    """uint8 channels-last 2x2 windows at stride 2 (case m; a C pass of SSSE3 shuffles for 1-4
    channels, 16 output pixels a block and the rest one by one; the kernel's loops with edges or
    5 channels): the float path's results, bit for bit, on 1-3 threads, with cached and
    streaming stores, into aligned and (``out=``) misaligned results."""
    x = rng.integers(0, 256, (2, 5, width, channels), dtype=np.uint8)
    x[0, 0, ::2] = 255  # extremes
    x[0, 1, 1::2] = 0
    fn = getattr(cypool, f"{op}_pool2d")
    for divisor in ([None, 3, 8] if op == "avg" else [None]):
        kw = dict(ceil_mode=ceil_mode, data_format="channels_last")
        if divisor is not None:
            kw["divisor_override"] = divisor
        want = fn(x.astype(np.float32), 2, **kw)
        extra = {"dtype": np.float32} if op == "avg" else {}
        for threads in (1, 2, 3):
            got = fn(x, 2, **kw, num_threads=threads, **extra)
            assert got.dtype == (np.float32 if op == "avg" else np.uint8)
            assert got.tobytes() == want.astype(got.dtype).tobytes()
        if streaming:  # a result 1 byte (uint8) or 4 bytes (float32) off a 16-byte boundary
            raw = np.zeros(want.size * got.itemsize + 64, np.uint8)
            start = (-raw.ctypes.data) % 16 + (1 if op != "avg" else 4)
            out = raw[start:start + want.size * got.itemsize].view(got.dtype).reshape(want.shape)
            fn(x, 2, **kw, **extra, out=out)
            assert out.tobytes() == want.astype(got.dtype).tobytes()
