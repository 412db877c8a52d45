"""avg_pool* forward and backward against tests/reference.py."""
import numpy as np
import pytest

import cypool
from conftest import (FLOATS, INTS, LAYOUTS, as_kwargs, from_format, geometry_cases, geometry_ids,
                      random_data, to_format)
from reference import avg_pool, lp_pool, numerical_gradient

TOL = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-13}


def pool(nsp):
    return getattr(cypool, f"avg_pool{nsp}d")


def backward(nsp):
    return getattr(cypool, f"avg_pool{nsp}d_backward")


def avg_kwargs(case, count_include_pad, divisor_override):
    kw = as_kwargs(case)
    kw.update(count_include_pad=count_include_pad, divisor_override=divisor_override)
    return kw


@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS + [np.float16])
@pytest.mark.parametrize("count_include_pad,divisor_override", [(True, None), (False, None), (True, 3)])
@pytest.mark.parametrize("channels", [3, 6])  # channels-last: the unrolled few-channel path and the general one
@pytest.mark.parametrize("nsp,case", geometry_cases(), ids=geometry_ids())
def test_forward_matches_reference(data_format, dtype, count_include_pad, divisor_override, channels, nsp, case,
                                   rng):
    x = rng.standard_normal((2, channels) + case[0]).astype(dtype)
    kw = avg_kwargs(case, count_include_pad, divisor_override)
    want = avg_pool(x, *case[1:], count_include_pad=count_include_pad, divisor_override=divisor_override)
    got = pool(nsp)(to_format(x, data_format), **kw, data_format=data_format)
    assert got.dtype == x.dtype
    tol = TOL[np.dtype(dtype)]
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=tol, atol=tol)


COLUMN_FIRST = [  # (spatial shape, kernel, padding, ceil_mode): stride-1 windows of 2 or 3 columns
    ((9, 14), (3, 3), 1, False), ((8, 11), (2, 2), 0, False), ((7, 12), (2, 2), 1, True),
    ((5, 13), (1, 3), (0, 1), False), ((9, 10), (4, 2), (2, 1), False), ((6, 12), (2, 3), 1, True),
    ((4, 6, 11), (2, 2, 3), (1, 1, 1), False), ((5, 4, 12), (1, 3, 3), (0, 1, 1), True),
]


@pytest.mark.parametrize("dtype", FLOATS + [np.uint8])
@pytest.mark.parametrize("count_include_pad,divisor_override", [(True, None), (False, None), (False, 5)])
@pytest.mark.parametrize("shape,k,p,ceil_mode", COLUMN_FIRST)
def test_column_first_rows(dtype, count_include_pad, divisor_override, shape, k, p, ceil_mode, rng):
    # channels-first rows of stride-1 windows 2 or 3 columns wide (case e) sum
    # each column over the window's rows once, then each window's columns, the
    # padded edge windows too: within rounding of the reference, the same bits
    # on 1 and 2 threads, and never -0 (PyTorch sums into a zero)
    nsp = len(shape)
    if dtype == np.uint8:
        x = rng.integers(0, 256, (2, 3) + shape).astype(np.uint8)
    else:
        x = rng.standard_normal((2, 3) + shape).astype(dtype)
        x[..., :2, :] = -0.0  # rows of -0: windows within them must sum to +0
    pads = tuple((q, q) for q in (p if isinstance(p, tuple) else (p,) * nsp))
    want = avg_pool(x, k, (1,) * nsp, (1,) * nsp, pads, ceil_mode, count_include_pad, divisor_override)
    kw = dict(kernel_size=k, stride=1, padding=p, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
              divisor_override=divisor_override)
    got = [pool(nsp)(x, **kw, num_threads=t) for t in (1, 2)]
    tol = TOL[np.dtype(np.float32 if dtype == np.float32 else np.float64)]
    np.testing.assert_allclose(got[0], want, rtol=tol, atol=tol)
    np.testing.assert_array_equal(got[0], got[1])
    assert not np.signbit(got[0][got[0] == 0]).any()
    if nsp == 2 and dtype != np.uint8 and not ceil_mode and divisor_override is None:
        lp = [cypool.lp_pool2d(x, 2, k, 1, num_threads=t) for t in (1, 2)]  # Lp, p = 2: sums of squares
        np.testing.assert_allclose(lp[0], lp_pool(x, 2, k, (1, 1), False), rtol=tol, atol=tol)
        np.testing.assert_array_equal(lp[0], lp[1])


@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", [None, np.float32])
@pytest.mark.parametrize("channels", [3, 6])
@pytest.mark.parametrize("nsp,case", geometry_cases(), ids=geometry_ids())
def test_uint8_is_read_as_is(data_format, dtype, channels, nsp, case, rng):
    """The average kernels read uint8 images directly: the same sums as a float copy's."""
    x = rng.integers(0, 256, (2, channels) + case[0], dtype=np.uint8)
    kw = avg_kwargs(case, False, None)
    got = pool(nsp)(to_format(x, data_format), **kw, dtype=dtype, data_format=data_format)
    want = pool(nsp)(to_format(x.astype(dtype or np.float64), data_format), **kw, data_format=data_format)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", INTS)
def test_integers_average_to_float64(dtype, rng):
    x = random_data(rng, (2, 3, 7, 6), dtype, ties=False)
    got = cypool.avg_pool2d(x, 3, stride=2, padding=1)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, avg_pool(x, (3, 3), (2, 2), (1, 1), ((1, 1), (1, 1)), False), rtol=1e-12)
    as32 = cypool.avg_pool2d(x, 3, stride=2, padding=1, dtype=np.float32)
    assert as32.dtype == np.float32


def test_reference_vectors():
    # §B3: 7x7 arange(49), k=2, s=3, ceil -> edge windows divided by the real count
    x = np.arange(49.0).reshape(1, 1, 7, 7)
    np.testing.assert_array_equal(cypool.avg_pool2d(x, 2, 3, ceil_mode=True)[0, 0],
                                  [[4, 7, 9.5], [25, 28, 30.5], [42.5, 45.5, 48]])
    x = np.arange(1.0, 17).reshape(1, 1, 4, 4)
    np.testing.assert_allclose(cypool.avg_pool2d(x, 3, 2, 1, ceil_mode=True)[0, 0],
                               [[14 / 9, 30 / 9, 2.0], [57 / 9, 11, 6], [4.5, 7.5, 4]])
    np.testing.assert_array_equal(cypool.avg_pool2d(x, 3, 2, 1, ceil_mode=True, divisor_override=1)[0, 0],
                                  [[14, 30, 12], [57, 99, 36], [27, 45, 16]])
    # §B1: AvgPool2d(k=4, s=4, p=2, ceil) on 9x9 -> 3x3 (#116420)
    assert cypool.avg_pool2d(np.ones((1, 1, 9, 9)), 4, 4, 2, ceil_mode=True).shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(cypool.avg_pool1d(np.arange(1.0, 6)[None, None], 2, 2, ceil_mode=True),
                                  [[[1.5, 3.5, 5.0]]])


@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("count_include_pad,divisor_override", [(True, None), (False, None), (False, 2)])
@pytest.mark.parametrize("nsp,case", geometry_cases(), ids=geometry_ids())
def test_backward_finite_differences(data_format, count_include_pad, divisor_override, nsp, case, streaming,
                                     rng):
    # streaming: the gathered backward (overlapping windows of taps 1 apart) in its
    # from-memory form too (it prefetches)
    x = rng.standard_normal((1, 2) + case[0])
    kw = avg_kwargs(case, count_include_pad, divisor_override)
    y = pool(nsp)(x, **kw)
    g = rng.standard_normal(y.shape)
    got = backward(nsp)(to_format(g, data_format), to_format(x, data_format).shape, **kw,
                        data_format=data_format)
    want = numerical_gradient(lambda v: pool(nsp)(v, **kw), x, g)
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("k,s,p", [(3, 1, 1), (2, 1, 0), (3, 2, 1), (2, 2, 0), (4, 1, 2)])
def test_backward_of_negative_zeros_is_positive_zero(data_format, k, s, p):
    # PyTorch accumulates into zeros: 0 + -0 is +0 in every cell, gathered
    # (overlapping windows of taps 1 apart), scattered or written once (disjoint)
    shape = (2, 3, 9, 10)
    y = cypool.avg_pool2d(np.zeros(shape), k, s, p)
    g = np.full(y.shape, -0.0)
    got = cypool.avg_pool2d_backward(to_format(g, data_format), to_format(np.zeros(shape), data_format).shape,
                                     k, s, p, data_format=data_format)
    assert not np.signbit(got).any()


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_backward_dtype_follows_grad(dtype):
    g = np.ones((1, 1, 2, 2), dtype)
    got = cypool.avg_pool2d_backward(g, (1, 1, 4, 4), 2)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, np.full((1, 1, 4, 4), 0.25, dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("divisor_override", [None, 2, 8, 3, 6])
def test_divisors_bit_for_bit(dtype, divisor_override, rng):
    # 2x2 stride-2 windows, channels-first (cases d and l): a power-of-2 divisor is taken
    # as a multiply by its reciprocal (the same bits), any other by division; both
    # against the taps summed in scan order and divided, on values whose quotients round
    # (tiny, subnormal, huge)
    fi = np.finfo(dtype)
    x = (rng.standard_normal((2, 3, 6, 40)) * rng.choice([1.0, 1e-30, 1e30], (2, 3, 6, 40))).astype(dtype)
    x.reshape(-1)[::7] = fi.smallest_subnormal * 3
    x.reshape(-1)[::11] = fi.max / 3
    div = dtype(divisor_override or 4)
    t = x.reshape(2, 3, 3, 2, 20, 2)
    sums = ((((dtype(0) + t[:, :, :, 0, :, 0]) + t[:, :, :, 0, :, 1]) + t[:, :, :, 1, :, 0]) + t[:, :, :, 1, :, 1])
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(cypool.avg_pool2d(x, 2, divisor_override=divisor_override), sums / div)
    g = x[:, :, ::2, ::2]
    want = np.repeat(np.repeat(dtype(0) + g / div, 2, axis=2), 2, axis=3)
    np.testing.assert_array_equal(cypool.avg_pool2d_backward(g, x.shape, 2, divisor_override=divisor_override), want)
