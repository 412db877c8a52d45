"""Finite differences of the backward functions whose families test against PyTorch's autograd
(unpooling, fractional max pooling): each backward is the adjoint of its own forward."""
import numpy as np
import pytest

import cypool
from conftest import LAYOUTS, from_format, to_format
from reference import numerical_gradient


@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("nsp", [1, 2, 3])
def test_max_unpool_backward_is_the_adjoint(data_format, nsp, rng):
    spatial = {1: (9,), 2: (6, 5), 3: (4, 5, 4)}[nsp]
    x = rng.permutation(np.prod((1, 2) + spatial)).reshape((1, 2) + spatial).astype(np.float64)
    pool = getattr(cypool, f"max_pool{nsp}d")
    unpool = getattr(cypool, f"max_unpool{nsp}d")
    backward = getattr(cypool, f"max_unpool{nsp}d_backward")
    y, idx = pool(to_format(x, data_format), 2, return_indices=True, data_format=data_format)
    kw = dict(kernel_size=2, output_size=spatial, data_format=data_format)
    g = rng.standard_normal(x.shape)
    got = backward(to_format(g, data_format), idx, y.shape, data_format=data_format)
    f = lambda a: from_format(unpool(to_format(a, data_format), idx, **kw), data_format)  # noqa: E731
    want = numerical_gradient(f, from_format(y, data_format), g)
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("nsp", [2, 3])
def test_fractional_backward_matches_finite_differences(data_format, nsp, rng):
    spatial = {2: (9, 8), 3: (7, 6, 7)}[nsp]
    shape = (2, 2) + spatial
    x = rng.permutation(np.prod(shape)).reshape(shape).astype(np.float64) / 10  # no ties
    samples = rng.random((2, 2, nsp))
    pool = getattr(cypool, f"fractional_max_pool{nsp}d")
    backward = getattr(cypool, f"fractional_max_pool{nsp}d_backward")
    kw = dict(kernel_size=2, output_size=(4,) * nsp, _random_samples=samples, data_format=data_format)
    y, idx = pool(to_format(x, data_format), return_indices=True, **kw)
    g = rng.standard_normal(from_format(y, data_format).shape)
    got = backward(to_format(g, data_format), idx, to_format(x, data_format).shape, data_format=data_format)
    f = lambda a: from_format(pool(to_format(a, data_format), **kw), data_format)  # noqa: E731
    want = numerical_gradient(f, x, g)
    np.testing.assert_allclose(from_format(got, data_format), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("data_format", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("op", ["max", "avg", "avg_k3s1", "adaptive_avg", "global_avg"])
def test_backward_ignores_the_fresh_buffer(op, dtype, data_format, rng, monkeypatch):
    # grad_input arrives unzeroed (np.empty) and the kernels zero each plane (or write each
    # cell) themselves: a buffer full of NaN must give the zeroed buffer's result, bit for bit
    x = to_format(rng.standard_normal((2, 3, 7, 6)).astype(dtype), data_format)
    kw = dict(data_format=data_format)
    if op == "max":
        y, idx = cypool.max_pool2d(x, 3, 2, 1, return_indices=True, **kw)
        run = lambda t: cypool.max_pool2d_backward(y, idx, x.shape, num_threads=t, **kw)  # noqa: E731
    elif op == "avg":
        y = cypool.avg_pool2d(x, 2, 2, **kw)
        run = lambda t: cypool.avg_pool2d_backward(y, x.shape, 2, 2, num_threads=t, **kw)  # noqa: E731
    elif op == "avg_k3s1":  # the fused stride-1 interior (spread3_s1)
        y = cypool.avg_pool2d(x, 3, 1, 1, count_include_pad=False, **kw)
        run = lambda t: cypool.avg_pool2d_backward(y, x.shape, 3, 1, 1, count_include_pad=False,  # noqa: E731
                                                   num_threads=t, **kw)
    elif op == "adaptive_avg":
        y = cypool.adaptive_avg_pool2d(x, (3, 4), **kw)
        run = lambda t: cypool.adaptive_avg_pool2d_backward(y, x.shape, num_threads=t, **kw)  # noqa: E731
    else:
        y = cypool.adaptive_avg_pool2d(x, 1, **kw)
        run = lambda t: cypool.adaptive_avg_pool2d_backward(y, x.shape, num_threads=t, **kw)  # noqa: E731
    want = run(1)
    real_empty = np.empty

    def dirty_empty(*args, **kwargs):
        a = real_empty(*args, **kwargs)
        if a.dtype.kind == "f":
            a.fill(np.nan)
        return a

    monkeypatch.setattr(np, "empty", dirty_empty)
    for threads in (1, 2):
        got = run(threads)
        assert got.tobytes() == want.tobytes()
    assert np.isfinite(want).all()
