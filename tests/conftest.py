"""Shared test helpers: geometry cases, layouts, dtypes. Tests run against the installed cypool."""
import os
import zlib

import numpy as np
import pytest

import cypool

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_report_header(config):
    where = os.path.dirname(cypool.__file__)
    return [f"cypool {cypool.__version__} from {where}"]


FLOATS = [np.float32, np.float64]
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
LAYOUTS = ["channels_first", "channels_last"]

# Per-dimensionality geometry cases in the references' form:
# (spatial, kernel, stride, dilation, ((lo, hi), ...), ceil_mode)
GEOMETRY = {
    1: [
        ((7,), (2,), (2,), (1,), ((0, 0),), False),
        ((7,), (3,), (1,), (1,), ((1, 1),), False),          # overlapping, padded
        ((7,), (3,), (2,), (1,), ((1, 1),), True),           # ceil
        ((9,), (3,), (2,), (2,), ((2, 0),), False),          # dilated, asymmetric
        ((5,), (2,), (2,), (1,), ((0, 0),), True),           # ceil overhang
        ((6,), (4,), (3,), (1,), ((3, 2),), True),           # padding > k // 2
        ((7,), (2,), (3,), (1,), ((0, 0),), False),          # stride > kernel: cells no window covers
    ],
    2: [
        ((7, 6), (2, 2), (2, 2), (1, 1), ((0, 0), (0, 0)), False),
        ((7, 7), (3, 3), (2, 2), (1, 1), ((1, 1), (1, 1)), False),   # ResNet stem
        ((7, 6), (3, 2), (2, 1), (1, 1), ((1, 1), (0, 1)), True),
        ((8, 9), (2, 3), (1, 2), (2, 1), ((1, 0), (1, 1)), False),   # dilated
        ((5, 5), (4, 4), (4, 4), (1, 1), ((2, 2), (2, 2)), True),    # #116420 shape
        # rows wide enough for the channels-first interior loops (2-4 tap rows fused)
        ((5, 20), (2, 2), (2, 2), (1, 1), ((0, 0), (0, 0)), False),
        ((6, 19), (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)), False),
        ((7, 23), (2, 3), (1, 2), (1, 2), ((0, 0), (1, 1)), True),
        ((7, 11), (2, 2), (3, 4), (1, 1), ((0, 0), (1, 1)), False),  # stride > kernel: gaps
    ],
    3: [
        ((4, 5, 6), (2, 2, 2), (2, 2, 2), (1, 1, 1), ((0, 0),) * 3, False),
        ((5, 5, 5), (3, 3, 3), (2, 2, 2), (1, 1, 1), ((1, 1),) * 3, True),
        ((5, 6, 4), (2, 3, 2), (1, 2, 1), (2, 1, 1), ((1, 0), (1, 1), (0, 1)), False),
        ((4, 4, 18), (2, 2, 2), (2, 2, 2), (1, 1, 1), ((0, 0),) * 3, False),   # 4 tap rows
        ((3, 5, 17), (1, 2, 3), (1, 1, 2), (1, 1, 1), ((0, 0), (1, 1), (1, 1)), False),
        ((5, 4, 7), (1, 2, 2), (2, 2, 3), (1, 1, 1), ((0, 0),) * 3, True),     # gaps, ceil overhang
    ],
}


def geometry_ids():
    return [f"{nsp}d-{i}" for nsp, cases in GEOMETRY.items() for i in range(len(cases))]


def geometry_cases():
    return [(nsp, case) for nsp, cases in GEOMETRY.items() for case in cases]


def as_kwargs(case):
    """A reference case -> cypool keyword arguments (symmetric pads given as ints)."""
    _, kernel, stride, dilation, pads, ceil_mode = case
    padding = tuple(lo if lo == hi else (lo, hi) for lo, hi in pads)
    return dict(kernel_size=kernel, stride=stride, dilation=dilation, padding=padding, ceil_mode=ceil_mode)


def random_data(rng, shape, dtype, ties=True):
    """Random values of ``dtype``; with ``ties`` drawn from a small set so that ties occur."""
    dtype = np.dtype(dtype)
    if ties:
        if dtype.kind == "u":
            return rng.integers(0, 5, shape).astype(dtype)
        return rng.integers(-4, 5, shape).astype(dtype)
    if dtype.kind == "f":
        return rng.permutation(np.prod(shape)).reshape(shape).astype(dtype) / 7
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


def scan_order_data(rng, shape, dtype, op):
    """Data that only the scan-order rule gets right, bit for bit (shape (N >= 2, C >= 3, ...)):
    ties with zeros of both signs, the op's identity (-inf for max, +inf for min) and NaNs of
    two payloads; plane (1, 2) has no NaN."""
    x = random_data(rng, shape, dtype)
    x[x == 0] = rng.choice(np.array([0.0, -0.0], dtype), int((x == 0).sum()))
    x[rng.random(x.shape) < 0.04] = -np.inf if op == "max" else np.inf
    payloads = np.array([0x7FC00001, 0xFFC00002], np.uint32).view(np.float32).astype(dtype)
    nan_at = rng.random(x.shape) < 0.02
    x[nan_at] = rng.choice(payloads, nan_at.sum())
    x[1, 2] = np.where(np.isnan(x[1, 2]), 1, x[1, 2])
    return x


def to_format(x, data_format):
    """Logical channels-first (N, C, *sp) -> the given data_format, C-contiguous."""
    return np.ascontiguousarray(np.moveaxis(x, 1, -1)) if data_format == "channels_last" else x


def from_format(y, data_format):
    return np.moveaxis(y, -1, 1) if data_format == "channels_last" else y


@pytest.fixture
def rng(request):
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(params=[False, True], ids=["cached", "streaming"])
def streaming(request):
    """Both memory forms: with True every array counts as large, so the kernels that can
    write with streaming stores (case m's uint8 pass) do so whatever its size, those with
    a form for data in cache (the AVX2 3x3 stride-2 rows) take their other one, and those
    that prefetch from memory (the channels-last row pass, the gathered average
    backward) prefetch."""
    from cypool._kernels import _window
    was = _window.stream_min_bytes(0 if request.param else None)
    yield request.param
    _window.stream_min_bytes(was)
