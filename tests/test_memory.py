"""The result cache (cypool/_memory.py): large results reuse freed blocks.

Most tests lower ``MIN_BYTES`` so that small results go through the cache.
"""
import os
import threading

import numpy as np
import pytest

import cypool
from cypool import _memory

from conftest import LAYOUTS


@pytest.fixture
def cached(monkeypatch):
    """Every result through the cache, which starts empty and holds up to 64 MiB."""
    monkeypatch.setattr(_memory, "MIN_BYTES", 0)
    monkeypatch.setattr(_memory, "_limit", 64 << 20)
    cypool.empty_cache()
    yield
    cypool.empty_cache()


def address(a):
    return a.__array_interface__["data"][0]


def leased(a):
    """Whether ``a``'s memory is a cached block (a _Lease down its base chain)."""
    while a is not None:
        if isinstance(a, _memory._Lease):
            return True
        a = getattr(a, "base", None)
    return False


def data(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def test_freed_result_block_is_reused(cached):
    x = data((2, 3, 16, 16))
    y = cypool.max_pool2d(x, 2)
    where = address(y)
    assert leased(y)
    del y
    y2 = cypool.max_pool2d(data((2, 3, 16, 16), 1), 2)
    assert address(y2) == where
    np.testing.assert_array_equal(y2, data((2, 3, 16, 16), 1).reshape(2, 3, 8, 2, 8, 2).max(axis=(3, 5)))


def test_live_results_and_their_views_keep_their_memory(cached):
    x1, x2 = data((2, 3, 16, 16), 1), data((2, 3, 16, 16), 2)
    y1 = cypool.avg_pool2d(x1, 2)
    keep = y1.copy()
    view = y1[1:, ::2, 1:]
    kept_view = view.copy()
    y2 = cypool.avg_pool2d(x2, 2)
    assert not np.shares_memory(y1, y2)
    del y1                          # the view still holds the block
    y3 = cypool.avg_pool2d(x2, 2, data_format="channels_last")
    assert not np.shares_memory(view, y2) and not np.shares_memory(view, y3)
    np.testing.assert_array_equal(view, kept_view)
    np.testing.assert_array_equal(view, keep[1:, ::2, 1:])


def test_cached_results_are_aligned_writeable_contiguous(cached):
    for dtype in (np.float32, np.float64, np.int16):
        y, i = cypool.max_pool2d(data((2, 3, 10, 10), dtype=dtype), 2, return_indices=True)
        for a in (y, i):
            assert address(a) % 64 == 0
            assert a.flags.writeable and a.flags.c_contiguous
        assert y.dtype == dtype and i.dtype == np.int64
        yl = cypool.max_pool2d(data((2, 10, 10, 3), dtype=dtype), 2, data_format="channels_last")
        assert yl.shape == (2, 5, 5, 3) and yl.flags.c_contiguous and address(yl) % 64 == 0


def test_idle_blocks_stay_under_the_limit_and_empty_cache_frees_them(cached, monkeypatch):
    monkeypatch.setattr(_memory, "_limit", 5 << 20)       # two 2 MiB blocks, not three
    results = [cypool.max_pool2d(data((2, 3, 16, 16), k), 2) for k in range(3)]
    assert _memory.cache_info()["idle_blocks"] == 0       # all three are in use
    del results
    info = _memory.cache_info()
    assert info["idle_blocks"] == 2 and info["idle_bytes"] <= 5 << 20
    assert cypool.empty_cache() == info["idle_bytes"]
    assert cypool.empty_cache() == 0
    assert _memory.cache_info()["idle_blocks"] == 0


def test_limit_zero_turns_reuse_off(cached, monkeypatch):
    monkeypatch.setattr(_memory, "_limit", 0)
    y = cypool.max_pool2d(data((2, 3, 16, 16)), 2)
    assert not leased(y)
    del y
    assert _memory.cache_info()["idle_blocks"] == 0


def test_small_results_skip_the_cache():
    y = cypool.max_pool2d(data((1, 1, 8, 8)), 2)
    assert y.nbytes < _memory.MIN_BYTES and not leased(y)


@pytest.mark.parametrize("raw, mib", [("", _memory._DEFAULT_MB), ("0", 0), (" 256 ", 256)])
def test_cache_limit_from_the_environment(monkeypatch, raw, mib):
    monkeypatch.setenv("CYPOOL_CACHE_MB", raw)
    assert _memory._limit_from_env() == mib << 20


@pytest.mark.parametrize("raw", ["-1", "lots", "1.5"])
def test_bad_cache_limit_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("CYPOOL_CACHE_MB", raw)
    with pytest.raises(ValueError, match=f"CYPOOL_CACHE_MB.*{raw!r}"):
        _memory._limit_from_env()


def test_show_config_reports_the_cache():
    assert "result_cache" in cypool._config.config()


# Every result must be written in full: with the cache, a result's memory is
# whatever a freed one left there. Here every block comes poisoned (all bits
# set: NaN for floats, -1 for integers), and a result asked for as zeros must
# still come out zeroed.
def _calls(df):
    cl = df == "channels_last"
    x2 = data((2, 5, 5, 3) if cl else (2, 3, 5, 5))
    x3 = data((2, 5, 4, 5, 3) if cl else (2, 3, 5, 4, 5))
    x1 = data((2, 9, 3) if cl else (2, 3, 9))
    kw = dict(data_format=df)
    x4 = data((2, 4, 4, 3) if cl else (2, 3, 4, 4), 4)
    y2, i2 = cypool.max_pool2d(x2, 2, return_indices=True, **kw)
    yu, iu = cypool.max_pool2d(x4, 2, return_indices=True, **kw)
    g2 = data(y2.shape, 5)
    ya = cypool.adaptive_max_pool2d(x2, 3, return_indices=True, **kw)
    yf = cypool.fractional_max_pool2d(x2, 2, output_size=3, return_indices=True,
                                      _random_samples=np.full((2, 3, 2), 0.4, np.float32), **kw)
    lp = cypool.lp_pool2d(x2, 2, 2, **kw)
    return {
        "max1d": lambda: cypool.max_pool1d(x1, 3, 2, 1, return_indices=True, **kw),
        "max2d": lambda: cypool.max_pool2d(x2, 3, 2, 1, ceil_mode=True, return_indices=True, **kw),
        "min3d": lambda: cypool.min_pool3d(x3, 2, 1, return_indices=True, **kw),
        "avg2d": lambda: cypool.avg_pool2d(x2, 3, 2, 1, count_include_pad=False, **kw),
        "avg3d": lambda: cypool.avg_pool3d(x3, 2, **kw),
        "avg2d_bwd": lambda: cypool.avg_pool2d_backward(g2, x2.shape, 2, **kw),
        "avg2d_bwd_overlap": lambda: cypool.avg_pool2d_backward(
            data(cypool.avg_pool2d(x2, 3, 1, 1, **kw).shape, 6), x2.shape, 3, 1, 1, **kw),
        "max2d_bwd": lambda: cypool.max_pool2d_backward(g2, i2, x2.shape, **kw),
        "adaptive_max2d": lambda: cypool.adaptive_max_pool2d(x2, 3, return_indices=True, **kw),
        "adaptive_avg2d": lambda: cypool.adaptive_avg_pool2d(x2, 1, **kw),
        "adaptive_avg2d_bwd": lambda: cypool.adaptive_avg_pool2d_backward(
            data(cypool.adaptive_avg_pool2d(x2, 2, **kw).shape, 7), x2.shape, **kw),
        "adaptive_max2d_bwd": lambda: cypool.adaptive_max_pool2d_backward(
            data(ya[0].shape, 8), ya[1], x2.shape, **kw),
        "global_max": lambda: cypool.global_max_pool(x2, True, **kw),
        "global_avg_bwd": lambda: cypool.global_avg_pool_backward(data((2, 3), 9), x2.shape, **kw),
        "lp2d": lambda: cypool.lp_pool2d(x2, 2, 2, **kw),
        "lp2d_bwd": lambda: cypool.lp_pool2d_backward(data(lp.shape, 10), x2, lp, 2, 2, **kw),
        "fractional2d": lambda: cypool.fractional_max_pool2d(
            x2, 2, output_size=3, return_indices=True, _random_samples=np.full((2, 3, 2), 0.4, np.float32), **kw),
        "fractional2d_bwd": lambda: cypool.fractional_max_pool2d_backward(
            data(yf[0].shape, 11), yf[1], x2.shape, **kw),
        "unpool2d": lambda: cypool.max_unpool2d(yu, iu, 2, **kw),
        "unpool2d_bwd": lambda: cypool.max_unpool2d_backward(data(x4.shape, 12), iu, yu.shape, **kw),
    }


CALL_NAMES = list(_calls("channels_first"))


@pytest.mark.parametrize("df", LAYOUTS)
@pytest.mark.parametrize("name", CALL_NAMES)
def test_every_result_cell_is_written(cached, monkeypatch, df, name):
    calls = _calls(df)
    clean = calls[name]()
    real_take = _memory._take

    def poisoned(nbytes):
        entry = real_take(nbytes)
        entry[1].fill(0xFF)
        return entry

    monkeypatch.setattr(_memory, "_take", poisoned)
    dirty = calls[name]()
    for want, got in zip(clean if isinstance(clean, tuple) else (clean,),
                         dirty if isinstance(dirty, tuple) else (dirty,)):
        np.testing.assert_array_equal(got, want)


def test_threads_calling_at_once_get_their_own_results(cached):
    inputs = [data((4, 3, 32, 32), k) for k in range(4)]
    expected = [cypool.max_pool2d(x, 2, return_indices=True) for x in inputs]
    errors = []

    def work(k):
        try:
            for _ in range(50):
                y, i = cypool.max_pool2d(inputs[k], 2, return_indices=True, num_threads=1)
                np.testing.assert_array_equal(y, expected[k][0])
                np.testing.assert_array_equal(i, expected[k][1])
        except AssertionError as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_zeroed_results_come_out_zero_from_a_dirty_block(cached):
    dirty = _memory.empty((3, 1000), np.float64)
    dirty.fill(np.nan)
    del dirty
    again = _memory.empty((3, 1000), np.float64, zero=True)
    assert leased(again)
    np.testing.assert_array_equal(again, np.zeros((3, 1000)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_can_allocate_though_the_lock_was_held_at_fork(cached):
    # a fork while a thread holds the cache's lock (here this one): the child's copy of the lock
    # stays held forever unless the child gets a new one (os.register_at_fork)
    x = data((2, 3, 16, 16))
    want = cypool.max_pool2d(x, 2)
    read, write = os.pipe()
    with _memory._lock:
        pid = os.fork()
        if pid == 0:  # the child: pool, report, leave at once (no pytest teardown here)
            try:
                os.close(read)
                ok = np.array_equal(cypool.max_pool2d(x, 2, num_threads=1), want)  # no OpenMP team
                os.write(write, b"ok" if ok else b"bad")
            finally:
                os._exit(0)
    os.close(write)
    try:
        import select
        ready, _, _ = select.select([read], [], [], 60)
        got = os.read(read, 16) if ready else b"hang"
    finally:
        os.close(read)
        if not ready:
            os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert got == b"ok"
