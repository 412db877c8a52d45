"""Threads: bitwise the same results for any count; the controls; the OpenMP build."""
import os

import numpy as np
import pytest

import cypool
from cypool._config import config
from conftest import random_data

COUNTS = [1, 2, 3, 7]


def run_all(x, n):
    kw = dict(num_threads=n)
    y, i = cypool.max_pool2d(x, 3, 1, 1, return_indices=True, **kw)
    xl = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    yl, il = cypool.min_pool2d(xl, 3, 2, 1, return_indices=True, data_format="channels_last", **kw)
    a = cypool.avg_pool2d(x, 3, 1, 1, count_include_pad=False, **kw)
    al = cypool.avg_pool2d(xl, 3, 1, 1, data_format="channels_last", **kw)
    g = np.linspace(-1, 1, y.size, dtype=x.dtype).reshape(y.shape)
    gm = cypool.max_pool2d_backward(g, i, x.shape, **kw)
    gl = np.linspace(-1, 1, yl.size, dtype=x.dtype).reshape(yl.shape)
    gml = cypool.min_pool2d_backward(gl, il, xl.shape, data_format="channels_last", **kw)
    ga = cypool.avg_pool2d_backward(g, x.shape, 3, 1, 1, count_include_pad=False, **kw)
    gal = cypool.avg_pool2d_backward(np.ascontiguousarray(np.moveaxis(g, 1, -1)), xl.shape, 3, 1, 1,
                                     data_format="channels_last", **kw)
    return [y, i, yl, il, a, al, gm, gml, ga, gal]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bitwise_identical_for_any_thread_count(dtype, rng):
    # big enough to pass the parallel threshold; overlapping windows so backward accumulates
    x = rng.standard_normal((3, 16, 40, 40)).astype(dtype)
    base = run_all(x, 1)
    for n in COUNTS[1:]:
        for got, want in zip(run_all(x, n), base):
            assert got.tobytes() == want.tobytes()


def test_controls():
    default = cypool.get_num_threads()
    assert default >= 1
    cypool.set_num_threads(3)
    try:
        assert cypool.get_num_threads() == 3
        with cypool.threads(1):
            assert cypool.get_num_threads() == 1
        assert cypool.get_num_threads() == 3
    finally:
        cypool.set_num_threads(None)
    assert cypool.get_num_threads() == default


def test_threads_restores_after_an_error():
    before = cypool.get_num_threads()
    with pytest.raises(RuntimeError):
        with cypool.threads(1):
            raise RuntimeError("boom")
    assert cypool.get_num_threads() == before


def test_build_has_openmp():
    """The installed package was built with OpenMP (unless the build was explicitly serial)."""
    cfg = config()
    if cfg.get("openmp_mode", "auto") == "disabled" or os.environ.get("CYPOOL_OPENMP") == "disabled":
        pytest.skip("explicitly serial build")
    assert cfg["openmp"], "cypool was built without OpenMP: num_threads would do nothing"


def test_threadpoolctl_limits_the_default():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not config()["openmp"]:
        pytest.skip("serial build")
    x = random_data(np.random.default_rng(0), (2, 4, 32, 32), np.float32)
    cypool.max_pool2d(x, 2)  # the OpenMP runtime is loaded
    libs = [lib for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "openmp"]
    assert libs, "threadpoolctl does not see cypool's OpenMP runtime"
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert cypool.get_num_threads() == 1
