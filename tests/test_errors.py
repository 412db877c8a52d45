"""Every user-facing error: its type, and a message naming the function, the argument and what it got.

One case per distinct message of cypool/_validation.py, cypool/_threads.py and the
drivers in cypool/functional/_window.py, called through the public functions (so a
wrong function name in a message is caught too). Then arrays that look odd but are
valid, and must work (the storage variants already in test_layout.py are not repeated).
"""
import ast
import inspect
import re

import numpy as np
import pytest

import cypool

X1 = np.zeros((1, 2, 6))
X2 = np.zeros((1, 2, 5, 5))
X3 = np.zeros((1, 2, 4, 4, 4))
X2L = np.zeros((1, 5, 5, 2))  # channels_last
G2 = np.ones((1, 2, 2, 2))  # max_pool2d(X2, 2)'s output shape
I2 = np.zeros((1, 2, 2, 2), np.int64)


def case(id, call, exc, fn, *pieces):
    """``call()`` raises ``exc`` whose message starts with ``fn: `` and holds ``pieces`` in order."""
    regex = "(?s)^" + re.escape(fn) + ": .*" + ".*".join(re.escape(p) for p in pieces)
    return pytest.param(call, exc, regex, id=id)


def readonly(shape, dtype=np.float64):
    a = np.empty(shape, dtype)
    a.setflags(write=False)
    return a


# ---------------------------------------------------------------- input arrays

INPUT = [
    case("ndim-too-few", lambda: cypool.max_pool2d(np.zeros((2, 3)), 2), ValueError,
         "max_pool2d", "input must be 3-D (C, H, W) or 4-D (N, C, H, W)", "got 2-D with shape (2, 3)"),
    case("ndim-too-many", lambda: cypool.avg_pool1d(np.zeros((1, 1, 1, 4)), 2), ValueError,
         "avg_pool1d", "input must be 2-D (C, L) or 3-D (N, C, L)", "got 4-D with shape (1, 1, 1, 4)"),
    case("ndim-scalar", lambda: cypool.min_pool3d(3.0, 1), ValueError,
         "min_pool3d", "input must be 4-D", "got 0-D with shape ()"),
    case("ndim-channels-last", lambda: cypool.max_pool2d(np.zeros((2, 3)), 2, data_format="channels_last"),
         ValueError, "max_pool2d", "input must be 3-D (H, W, C) or 4-D (N, H, W, C)", "got 2-D"),
    case("ndim-channels-last-3d", lambda: cypool.max_pool3d(np.zeros(4), 1, data_format="channels_last"),
         ValueError, "max_pool3d", "input must be 4-D (D, H, W, C) or 5-D (N, D, H, W, C)", "got 1-D"),
    case("dtype-bool", lambda: cypool.max_pool2d(X2 > 0, 2), TypeError,
         "max_pool2d", "input has dtype bool", "supported dtypes: float16, float32, float64, int8"),
    case("dtype-bool-avg", lambda: cypool.avg_pool2d(X2 > 0, 2), TypeError,
         "avg_pool2d", "input has dtype bool", "supported dtypes"),
    case("dtype-complex", lambda: cypool.min_pool1d(X1 + 0j, 2), TypeError,
         "min_pool1d", "input has dtype complex128", "supported dtypes"),
    case("dtype-object", lambda: cypool.max_pool1d(X1.astype(object), 2), TypeError,
         "max_pool1d", "input has dtype object", "supported dtypes"),
    case("dtype-None-input", lambda: cypool.max_pool1d(None, 2), TypeError,
         "max_pool1d", "input has dtype object"),
    case("dtype-str", lambda: cypool.avg_pool1d(np.full((1, 1, 4), "a"), 2), TypeError,
         "avg_pool1d", "input has dtype str", "supported dtypes"),
    case("dtype-datetime", lambda: cypool.max_pool1d(np.zeros((1, 1, 4), "M8[s]"), 2), TypeError,
         "max_pool1d", "input has dtype datetime64[s]", "supported dtypes"),
    case("ragged-list", lambda: cypool.max_pool1d([[[1, 2], [3]]], 2), TypeError,
         "max_pool1d", "input must be an array-like of numbers", "got list"),
]

# ---------------------------------------------------------------- geometry

GEOMETRY = [
    case("kernel-zero", lambda: cypool.max_pool2d(X2, 0), ValueError,
         "max_pool2d", "kernel_size must be a positive int or a tuple of 2 positive ints", "got 0"),
    case("kernel-one-zero", lambda: cypool.max_pool2d(X2, (3, 0)), ValueError,
         "max_pool2d", "kernel_size must be", "got (3, 0)"),
    case("kernel-negative", lambda: cypool.avg_pool3d(X3, -2), ValueError,
         "avg_pool3d", "kernel_size must be a positive int or a tuple of 3 positive ints", "got -2"),
    case("kernel-short", lambda: cypool.min_pool2d(X2, (2,)), ValueError,
         "min_pool2d", "kernel_size must be", "got (2,)"),
    case("kernel-long", lambda: cypool.max_pool1d(X1, [2, 2]), ValueError,
         "max_pool1d", "kernel_size must be a positive int or a tuple of 1 positive ints", "got [2, 2]"),
    case("kernel-float", lambda: cypool.max_pool2d(X2, 2.0), TypeError,
         "max_pool2d", "kernel_size must be", "got 2.0"),
    case("kernel-float-in-tuple", lambda: cypool.max_pool2d(X2, (2, 2.0)), TypeError,
         "max_pool2d", "kernel_size must be", "got (2, 2.0)"),
    case("kernel-bool", lambda: cypool.max_pool2d(X2, True), TypeError,
         "max_pool2d", "kernel_size must be", "got True"),
    case("kernel-np-bool", lambda: cypool.max_pool2d(X2, (np.True_, 2)), TypeError,
         "max_pool2d", "kernel_size must be", f"got ({np.True_!r}, 2)"),
    case("kernel-str", lambda: cypool.max_pool2d(X2, "2"), TypeError,
         "max_pool2d", "kernel_size must be", "got '2'"),
    case("kernel-None", lambda: cypool.avg_pool2d(X2, None), TypeError,
         "avg_pool2d", "kernel_size must be", "got None"),
    case("stride-zero", lambda: cypool.max_pool2d(X2, 2, 0), ValueError,
         "max_pool2d", "stride must be a positive int or a tuple of 2 positive ints", "got 0"),
    case("stride-negative-in-tuple", lambda: cypool.avg_pool2d(X2, 2, (1, -1)), ValueError,
         "avg_pool2d", "stride must be", "got (1, -1)"),
    case("stride-float", lambda: cypool.min_pool1d(X1, 2, 1.5), TypeError,
         "min_pool1d", "stride must be", "got 1.5"),
    case("stride-bool", lambda: cypool.max_pool1d(X1, 2, (True,)), TypeError,
         "max_pool1d", "stride must be", "got (True,)"),
    case("stride-wrong-length", lambda: cypool.max_pool3d(X3, 2, (1, 1)), ValueError,
         "max_pool3d", "stride must be", "got (1, 1)"),
    case("dilation-zero", lambda: cypool.max_pool2d(X2, 2, dilation=0), ValueError,
         "max_pool2d", "dilation must be a positive int or a tuple of 2 positive ints", "got 0"),
    case("dilation-negative", lambda: cypool.min_pool2d(X2, 2, dilation=(1, -1)), ValueError,
         "min_pool2d", "dilation must be", "got (1, -1)"),
    case("dilation-float", lambda: cypool.max_pool1d(X1, 2, dilation=2.5), TypeError,
         "max_pool1d", "dilation must be", "got 2.5"),
    case("dilation-avg", lambda: cypool.avg_pool1d(X1, 2, dilation=0), ValueError,
         "avg_pool1d", "dilation must be", "got 0"),
    case("padding-negative", lambda: cypool.max_pool2d(X2, 2, padding=-1), ValueError,
         "max_pool2d", "padding must be a non-negative int, a tuple of 2 non-negative ints or (lo, hi) pairs",
         "got -1"),
    case("padding-short", lambda: cypool.max_pool2d(X2, 2, padding=(1,)), ValueError,
         "max_pool2d", "padding must be", "got (1,)"),
    case("padding-negative-in-tuple", lambda: cypool.avg_pool2d(X2, 3, padding=(1, -1)), ValueError,
         "avg_pool2d", "padding must be", "got (1, -1)"),
    case("padding-pair-short", lambda: cypool.max_pool2d(X2, 3, padding=((1,), (0, 0))), ValueError,
         "max_pool2d", "padding must be", "got ((1,), (0, 0))"),
    case("padding-pair-long", lambda: cypool.max_pool2d(X2, 3, padding=((1, 1, 1), 0)), ValueError,
         "max_pool2d", "padding must be", "got ((1, 1, 1), 0)"),
    case("padding-pair-negative", lambda: cypool.max_pool1d(X1, 3, padding=((1, -1),)), ValueError,
         "max_pool1d", "padding must be", "got ((1, -1),)"),
    case("padding-pair-float", lambda: cypool.min_pool1d(X1, 3, padding=((1, 0.5),)), TypeError,
         "min_pool1d", "padding must be", "got ((1, 0.5),)"),
    case("padding-flat-pair-for-1d", lambda: cypool.max_pool1d(X1, 3, padding=(1, 1)), ValueError,
         "max_pool1d", "padding must be a non-negative int, a tuple of 1 non-negative ints", "got (1, 1)"),
    case("padding-float", lambda: cypool.max_pool2d(X2, 2, padding=1.0), TypeError,
         "max_pool2d", "padding must be", "got 1.0"),
    case("padding-bool", lambda: cypool.max_pool2d(X2, 2, padding=True), TypeError,
         "max_pool2d", "padding must be", "got True"),
    case("padding-None", lambda: cypool.avg_pool2d(X2, 2, padding=None), TypeError,
         "avg_pool2d", "padding must be", "got None"),
    case("padding-string", lambda: cypool.max_pool2d(X2, 2, padding="full"), ValueError,
         "max_pool2d", "padding string must be 'valid', 'same' or 'same_lower'", "got 'full'"),
    case("padding-empty-string", lambda: cypool.avg_pool1d(X1, 2, padding=""), ValueError,
         "avg_pool1d", "padding string must be", "got ''"),
    case("window-does-not-fit", lambda: cypool.max_pool2d(np.zeros((1, 1, 2, 9)), 3), ValueError,
         "max_pool2d", "the window (kernel_size=3, dilation=1, extent 3) does not fit",
         "along axis H (size 2, padding (0, 0))", "output size would be 0"),
    case("window-does-not-fit-dilated", lambda: cypool.min_pool3d(X3, 2, dilation=(1, 1, 4)), ValueError,
         "min_pool3d", "(kernel_size=2, dilation=4, extent 5)", "along axis W (size 4", "output size would be 0"),
    case("window-does-not-fit-empty-input", lambda: cypool.max_pool1d(np.zeros((1, 1, 0)), 1), ValueError,
         "max_pool1d", "does not fit", "axis L (size 0", "output size would be 0"),
    # PyTorch accepts this (pad <= kernel_size // 2) and returns -inf with index 3, outside the plane
    case("window-without-input-cell", lambda: cypool.max_pool1d(np.zeros((1, 1, 3)), 2, 1, 1, 4), ValueError,
         "max_pool1d", "padding (1, 1) along axis L leaves window 0 with no input cell",
         "(size 3, kernel_size=2, stride=1, dilation=4)"),
    case("window-without-input-cell-late", lambda: cypool.avg_pool1d(X1, 2, 1, ((0, 2),)), ValueError,
         "avg_pool1d", "padding (0, 2) along axis L leaves window 6 with no input cell"),
    case("window-without-input-cell-left", lambda: cypool.max_pool2d(X2, 2, 2, ((0, 0), (2, 0))), ValueError,
         "max_pool2d", "padding (2, 0) along axis W leaves window 0 with no input cell"),
    case("window-without-input-cell-same", lambda: cypool.max_pool1d(np.zeros((1, 1, 2)), 2, 1, "same", 5),
         ValueError, "max_pool1d", "padding (2, 3) along axis L leaves window 0 with no input cell"),
]

# ---------------------------------------------------------------- flags, options

OPTIONS = [
    case("ceil_mode-int", lambda: cypool.max_pool2d(X2, 2, ceil_mode=1), TypeError,
         "max_pool2d", "ceil_mode must be True or False", "got 1"),
    case("ceil_mode-None", lambda: cypool.avg_pool1d(X1, 2, ceil_mode=None), TypeError,
         "avg_pool1d", "ceil_mode must be True or False", "got None"),
    case("ceil_mode-str", lambda: cypool.avg_pool2d_backward(G2, X2.shape, 2, ceil_mode="yes"), TypeError,
         "avg_pool2d_backward", "ceil_mode must be True or False", "got 'yes'"),
    case("return_indices-int", lambda: cypool.min_pool2d(X2, 2, return_indices=1), TypeError,
         "min_pool2d", "return_indices must be True or False", "got 1"),
    case("count_include_pad-int", lambda: cypool.avg_pool2d(X2, 2, count_include_pad=0), TypeError,
         "avg_pool2d", "count_include_pad must be True or False", "got 0"),
    case("count_include_pad-backward", lambda: cypool.avg_pool2d_backward(G2, X2.shape, 2, count_include_pad="no"),
         TypeError, "avg_pool2d_backward", "count_include_pad must be True or False", "got 'no'"),
    case("data_format-torch-name", lambda: cypool.max_pool2d(X2, 2, data_format="NCHW"), ValueError,
         "max_pool2d", "data_format must be 'channels_first' or 'channels_last'", "got 'NCHW'"),
    case("data_format-case", lambda: cypool.avg_pool2d(X2, 2, data_format="Channels_Last"), ValueError,
         "avg_pool2d", "data_format must be", "got 'Channels_Last'"),
    case("data_format-None", lambda: cypool.min_pool1d(X1, 2, data_format=None), ValueError,
         "min_pool1d", "data_format must be", "got None"),
    case("data_format-backward", lambda: cypool.max_pool2d_backward(G2, I2, X2.shape, data_format="nhwc"),
         ValueError, "max_pool2d_backward", "data_format must be", "got 'nhwc'"),
    case("num_threads-zero", lambda: cypool.max_pool2d(X2, 2, num_threads=0), ValueError,
         "max_pool2d", "num_threads must be None or a positive int", "got 0"),
    case("num_threads-negative", lambda: cypool.avg_pool3d(X3, 2, num_threads=-1), ValueError,
         "avg_pool3d", "num_threads must be None or a positive int", "got -1"),
    case("num_threads-float", lambda: cypool.min_pool1d(X1, 2, num_threads=2.0), TypeError,
         "min_pool1d", "num_threads must be", "got 2.0"),
    case("num_threads-bool", lambda: cypool.max_pool1d(X1, 2, num_threads=True), TypeError,
         "max_pool1d", "num_threads must be", "got True"),
    case("num_threads-str", lambda: cypool.max_pool1d(X1, 2, num_threads="2"), TypeError,
         "max_pool1d", "num_threads must be", "got '2'"),
    case("num_threads-beyond-c-int", lambda: cypool.max_pool1d(X1, 2, num_threads=2**31), ValueError,
         "max_pool1d", "num_threads must be", "at most 2147483647", "got 2147483648"),
    case("num_threads-backward", lambda: cypool.max_pool2d_backward(G2, I2, X2.shape, num_threads=0),
         ValueError, "max_pool2d_backward", "num_threads must be", "got 0"),
    case("num_threads-avg-backward", lambda: cypool.avg_pool2d_backward(G2, X2.shape, 2, num_threads=-3),
         ValueError, "avg_pool2d_backward", "num_threads must be", "got -3"),
    case("divisor_override-zero", lambda: cypool.avg_pool2d(X2, 2, divisor_override=0), ValueError,
         "avg_pool2d", "divisor_override must be None or a non-zero int", "got 0"),
    case("divisor_override-huge", lambda: cypool.avg_pool1d(X1, 2, divisor_override=2**60), ValueError,
         "avg_pool1d", "divisor_override must be", "got 1152921504606846976"),
    case("divisor_override-float", lambda: cypool.avg_pool3d(X3, 2, divisor_override=2.0), TypeError,
         "avg_pool3d", "divisor_override must be", "got 2.0"),
    case("divisor_override-bool", lambda: cypool.avg_pool2d(X2, 2, divisor_override=True), TypeError,
         "avg_pool2d", "divisor_override must be", "got True"),
    case("divisor_override-backward", lambda: cypool.avg_pool2d_backward(G2, X2.shape, 2, divisor_override=0),
         ValueError, "avg_pool2d_backward", "divisor_override must be", "got 0"),
    case("avg-dtype-int", lambda: cypool.avg_pool2d(X2, 2, dtype=np.int32), TypeError,
         "avg_pool2d", "dtype must be None or one of float16, float32, float64", "got <class 'numpy.int32'>"),
    case("avg-dtype-unknown-name", lambda: cypool.avg_pool2d(X2, 2, dtype="nonsense"), TypeError,
         "avg_pool2d", "dtype must be None or one of", "got 'nonsense'"),
    case("avg-dtype-list", lambda: cypool.avg_pool1d(X1, 2, dtype=[1]), TypeError,
         "avg_pool1d", "dtype must be None or one of", "got [1]"),
    case("avg-dtype-complex", lambda: cypool.avg_pool1d(X1, 2, dtype="complex64"), TypeError,
         "avg_pool1d", "dtype must be None or one of", "got 'complex64'"),
]

# ---------------------------------------------------------------- out= and indices_out=

_SHARED = np.empty((1, 2, 2, 2))

OUTPUTS = [
    case("out-not-ndarray", lambda: cypool.max_pool2d(X2, 2, out=[0.0] * 8), TypeError,
         "max_pool2d", "out must be a numpy.ndarray", "got list"),
    case("out-shape", lambda: cypool.max_pool2d(X2, 2, out=np.empty((1, 2, 3, 2))), ValueError,
         "max_pool2d", "out must have shape (1, 2, 2, 2) and dtype float64", "got shape (1, 2, 3, 2)"),
    case("out-dtype", lambda: cypool.min_pool2d(X2, 2, out=np.empty((1, 2, 2, 2), np.float32)), ValueError,
         "min_pool2d", "out must have shape (1, 2, 2, 2) and dtype float64", "and dtype float32"),
    case("out-avg-of-ints-is-float64", lambda: cypool.avg_pool1d(np.zeros((1, 1, 4), np.int32), 2,
                                                                 out=np.empty((1, 1, 2), np.int32)),
         ValueError, "avg_pool1d", "out must have shape (1, 1, 2) and dtype float64", "dtype int32"),
    case("out-unbatched-shape", lambda: cypool.max_pool2d(X2[0], 2, out=np.empty((1, 2, 2, 2))), ValueError,
         "max_pool2d", "out must have shape (2, 2, 2)", "got shape (1, 2, 2, 2)"),
    case("out-channels-last-logical-shape",
         lambda: cypool.max_pool2d(np.zeros((1, 5, 5, 3)), 2, data_format="channels_last",
                                   out=np.empty((1, 3, 2, 2))), ValueError,
         "max_pool2d", "out must have shape (1, 2, 2, 3)", "got shape (1, 3, 2, 2)"),
    case("out-read-only", lambda: cypool.max_pool2d(X2, 2, out=readonly((1, 2, 2, 2))), ValueError,
         "max_pool2d", "out must be writeable", "got a read-only array"),
    case("out-wrong-layout", lambda: cypool.avg_pool2d(X2, 2, out=np.asfortranarray(np.empty((1, 2, 2, 2)))),
         ValueError, "avg_pool2d", "out must be contiguous in the channels-first memory layout",
         "got strides (8, 8, 16, 32)"),
    case("out-wrong-layout-channels-last",
         lambda: cypool.max_pool2d(np.zeros((1, 5, 5, 3)), 2, data_format="channels_last",
                                   out=np.moveaxis(np.empty((1, 3, 2, 2)), 1, -1)),
         ValueError, "max_pool2d", "out must be contiguous in the channels-last memory layout", "got strides"),
    case("out-strided", lambda: cypool.max_pool1d(X1, 2, out=np.empty((1, 2, 6))[..., ::2]), ValueError,
         "max_pool1d", "out must be contiguous", "got strides (96, 48, 16)"),
    case("out-overlaps-input", lambda: (lambda x: cypool.max_pool2d(x, 2, out=x[:, :, :2, :2]))(X2.copy()),
         ValueError,
         "max_pool2d", "out must not overlap the input arrays"),
    case("out-overlaps-input-avg", lambda: (lambda x: cypool.avg_pool1d(x, 2, out=x[..., :3]))(X1.copy()),
         ValueError, "avg_pool1d", "out must not overlap the input arrays"),
    case("indices_out-without-return_indices",
         lambda: cypool.max_pool2d(X2, 2, indices_out=np.empty((1, 2, 2, 2), np.int64)), ValueError,
         "max_pool2d", "indices_out is given but return_indices is False"),
    case("indices_out-dtype",
         lambda: cypool.min_pool2d(X2, 2, return_indices=True, indices_out=np.empty((1, 2, 2, 2), np.int32)),
         ValueError, "min_pool2d", "indices_out must have shape (1, 2, 2, 2) and dtype int64", "dtype int32"),
    case("indices_out-not-ndarray",
         lambda: cypool.max_pool1d(X1, 2, return_indices=True, indices_out=(0, 0, 0)), TypeError,
         "max_pool1d", "indices_out must be a numpy.ndarray", "got tuple"),
    case("indices_out-overlaps-out",
         lambda: cypool.max_pool2d(X2, 2, return_indices=True, out=_SHARED, indices_out=_SHARED.view(np.int64)),
         ValueError, "max_pool2d", "indices_out must not overlap"),
]

# ---------------------------------------------------------------- backward

BACKWARD = [
    case("input_shape-None", lambda: cypool.max_pool2d_backward(G2, I2, None), TypeError,
         "max_pool2d_backward", "input_shape must be a tuple of ints", "got None"),
    case("input_shape-int", lambda: cypool.min_pool2d_backward(G2, I2, 5), TypeError,
         "min_pool2d_backward", "input_shape must be a tuple of ints", "got 5"),
    case("input_shape-float", lambda: cypool.max_pool2d_backward(G2, I2, (1, 2, 5.0, 5)), TypeError,
         "max_pool2d_backward", "input_shape must be a tuple of ints", "got (1, 2, 5.0, 5)"),
    case("input_shape-str", lambda: cypool.avg_pool2d_backward(G2, "1255", 2), TypeError,
         "avg_pool2d_backward", "input_shape must be a tuple of ints", "got '1255'"),
    case("input_shape-length", lambda: cypool.max_pool2d_backward(G2, I2, (5, 5)), ValueError,
         "max_pool2d_backward", "input_shape must have 3 (C, H, W) or 4 (N, C, H, W) non-negative entries",
         "got (5, 5)"),
    case("input_shape-length-channels-last",
         lambda: cypool.max_pool3d_backward(G2, I2, (5, 5, 5), data_format="channels_last"), ValueError,
         "max_pool3d_backward", "input_shape must have 4 (D, H, W, C) or 5 (N, D, H, W, C)", "got (5, 5, 5)"),
    case("input_shape-negative", lambda: cypool.avg_pool1d_backward(np.ones((1, 1, 2)), (1, 1, -4), 2),
         ValueError, "avg_pool1d_backward", "input_shape must have", "non-negative entries", "got (1, 1, -4)"),
    case("grad_output-int", lambda: cypool.max_pool2d_backward(G2.astype(int), I2, X2.shape), TypeError,
         "max_pool2d_backward", "grad_output has dtype int64", "supported dtypes: float16, float32, float64"),
    case("grad_output-bool", lambda: cypool.avg_pool2d_backward(G2 > 0, X2.shape, 2), TypeError,
         "avg_pool2d_backward", "grad_output has dtype bool", "supported dtypes: float16, float32, float64"),
    case("grad_output-ragged", lambda: cypool.avg_pool1d_backward([[[1.0], [1.0, 2.0]]], (1, 2, 2), 2),
         TypeError, "avg_pool1d_backward", "grad_output must be an array-like of numbers", "got list"),
    case("indices-float", lambda: cypool.max_pool2d_backward(G2, I2.astype(float), X2.shape), TypeError,
         "max_pool2d_backward", "indices has dtype float64",
         "supported dtypes: int8, int16, int32, int64, uint8, uint16, uint32, uint64"),
    case("indices-bool", lambda: cypool.min_pool2d_backward(G2, I2 > 0, X2.shape), TypeError,
         "min_pool2d_backward", "indices has dtype bool"),
    case("indices-shape", lambda: cypool.max_pool2d_backward(G2, np.zeros((1, 2, 2, 3), int), X2.shape),
         ValueError, "max_pool2d_backward", "indices must have shape (1, 2, 2, 2) (the shape of grad_output)",
         "got (1, 2, 2, 3)"),
    case("grad_output-ndim", lambda: cypool.max_pool2d_backward(G2[0], I2[0], X2.shape), ValueError,
         "max_pool2d_backward", "grad_output must have 4 dimensions like input_shape (1, 2, 5, 5)",
         "got shape (2, 2, 2)"),
    case("grad_output-channels", lambda: cypool.min_pool2d_backward(np.ones((1, 3, 2, 2)), np.zeros((1, 3, 2, 2), int),
                                                                    X2.shape), ValueError,
         "min_pool2d_backward", "grad_output's batch and channel sizes must match input_shape (1, 2, 5, 5)",
         "got grad_output shape (1, 3, 2, 2)"),
    case("grad_output-batch-avg", lambda: cypool.avg_pool2d_backward(np.ones((2, 2, 2, 2)), X2.shape, 2), ValueError,
         "avg_pool2d_backward", "grad_output's batch and channel sizes must match",
         "got grad_output shape (2, 2, 2, 2)"),
    case("grad_output-spatial-avg", lambda: cypool.avg_pool2d_backward(np.ones((1, 2, 3, 2)), X2.shape, 2),
         ValueError, "avg_pool2d_backward",
         "grad_output must have shape (1, 2, 2, 2) (the forward output's shape for these arguments)",
         "got (1, 2, 3, 2)"),
    case("grad_output-spatial-avg-channels-last",
         lambda: cypool.avg_pool2d_backward(np.ones((1, 2, 2, 2)), X2L.shape, 2, ceil_mode=True,
                                            data_format="channels_last"),
         ValueError, "avg_pool2d_backward", "grad_output must have shape (1, 3, 3, 2)", "got (1, 2, 2, 2)"),
    case("avg-backward-geometry", lambda: cypool.avg_pool2d_backward(G2, X2.shape, (2, 0)), ValueError,
         "avg_pool2d_backward", "kernel_size must be", "got (2, 0)"),
    case("avg-backward-empty-window", lambda: cypool.avg_pool1d_backward(np.ones((1, 2, 7)), X1.shape, 2, 1, ((0, 2),)),
         ValueError, "avg_pool1d_backward", "padding (0, 2) along axis L leaves window 6 with no input cell"),
    case("indices-too-large", lambda: cypool.max_pool2d_backward(G2, np.full((1, 2, 2, 2), 25), X2.shape),
         ValueError, "max_pool2d_backward", "indices must lie in [0, 25)", "got 8 out of range"),
    case("indices-negative", lambda: cypool.min_pool1d_backward(np.ones((1, 2, 3)), [[[0, -1, 2], [5, 5, -7]]],
                                                                 X1.shape), ValueError,
         "min_pool1d_backward", "indices must lie in [0, 6)", "got 2 out of range"),
    case("indices-uint64-wraps", lambda: cypool.max_pool2d_backward(G2, np.full((1, 2, 2, 2), 2**64 - 1, np.uint64),
                                                                    X2.shape), ValueError,
         "max_pool2d_backward", "indices must lie in [0, 25)", "got 8 out of range"),
    case("indices-out-of-range-channels-last",
         lambda: cypool.max_pool2d_backward(np.ones((1, 2, 2, 2)), [[[[0, 24], [25, 3]], [[-1, 0], [0, 0]]]],
                                            X2L.shape, data_format="channels_last"), ValueError,
         "max_pool2d_backward", "indices must lie in [0, 25)", "got 2 out of range"),
    case("indices-out-of-range-3d", lambda: cypool.max_pool3d_backward(np.ones((1, 2, 1, 1, 1)),
                                                                       [[[[[64]]], [[[63]]]]], X3.shape),
         ValueError, "max_pool3d_backward", "indices must lie in [0, 64)", "got 1 out of range"),
    case("indices-out-of-range-float16", lambda: cypool.max_pool1d_backward(np.ones((1, 1, 1), np.float16),
                                                                            [[[9]]], (1, 1, 3)),
         ValueError, "max_pool1d_backward", "indices must lie in [0, 3)", "got 1 out of range"),
    case("indices-into-empty-input", lambda: cypool.max_pool2d_backward(G2, I2, (1, 2, 0, 5)), ValueError,
         "max_pool2d_backward", "indices must lie in [0, 0)", "got 8 out of range"),
]

# ---------------------------------------------------------------- thread controls

THREADS = [
    case("set_num_threads-zero", lambda: cypool.set_num_threads(0), ValueError,
         "set_num_threads", "num_threads must be None or a positive int", "got 0"),
    case("set_num_threads-negative", lambda: cypool.set_num_threads(-4), ValueError,
         "set_num_threads", "num_threads must be", "got -4"),
    case("set_num_threads-float", lambda: cypool.set_num_threads(2.5), TypeError,
         "set_num_threads", "num_threads must be", "got 2.5"),
    case("set_num_threads-bool", lambda: cypool.set_num_threads(True), TypeError,
         "set_num_threads", "num_threads must be", "got True"),
    case("set_num_threads-str", lambda: cypool.set_num_threads("4"), TypeError,
         "set_num_threads", "num_threads must be", "got '4'"),
    case("threads-zero", lambda: cypool.threads(0).__enter__(), ValueError,
         "threads", "num_threads must be None or a positive int", "got 0"),
    case("threads-float", lambda: cypool.threads(1.5).__enter__(), TypeError,
         "threads", "num_threads must be", "got 1.5"),
]


ADAPTIVE = [
    case("output_size-zero", lambda: cypool.adaptive_max_pool2d(X2, 0), ValueError,
         "adaptive_max_pool2d", "output_size must be a positive int or a tuple of 2", "got 0"),
    case("output_size-float", lambda: cypool.adaptive_avg_pool1d(X1, 1.5), TypeError,
         "adaptive_avg_pool1d", "output_size must be", "got 1.5"),
    case("adaptive-empty-axis", lambda: cypool.adaptive_avg_pool2d(np.zeros((1, 1, 0, 3)), 1), ValueError,
         "adaptive_avg_pool2d", "input must have a non-zero size along every spatial axis", "got shape (1, 1, 0, 3)"),
    case("adaptive-backward-empty-axis",
         lambda: cypool.adaptive_avg_pool2d_backward(np.ones((1, 1, 1, 1)), (1, 1, 0, 3)), ValueError,
         "adaptive_avg_pool2d_backward", "input_shape must have a non-zero size", "got shape (1, 1, 0, 3)"),
    case("adaptive-backward-empty-output",
         lambda: cypool.adaptive_avg_pool2d_backward(np.ones((1, 1, 0, 1)), (1, 1, 2, 3)), ValueError,
         "adaptive_avg_pool2d_backward", "grad_output must have a positive spatial size", "got shape (1, 1, 0, 1)"),
]

LP_GLOBAL = [
    case("norm_type-zero", lambda: cypool.lp_pool1d(X1, 0, 2), ValueError,
         "lp_pool1d", "norm_type must be a non-zero number or +-inf", "got 0"),
    case("norm_type-str", lambda: cypool.lp_pool2d(X2, "2", 2), TypeError,
         "lp_pool2d", "norm_type must be a non-zero number or +-inf", "got '2'"),
    case("global-ndim", lambda: cypool.global_max_pool(np.zeros((2, 3))), ValueError,
         "global_max_pool", "input must be (N, C, *spatial) with at least one spatial axis", "got 2-D"),
    case("global-input_shape", lambda: cypool.global_avg_pool_backward(np.ones((2, 3)), (2, 3)), ValueError,
         "global_avg_pool_backward", "input_shape must be (N, C, *spatial)", "got (2, 3)"),
    case("global-input_shape-type", lambda: cypool.global_avg_pool_backward(np.ones((2, 3)), 7), TypeError,
         "global_avg_pool_backward", "input_shape must be a tuple of ints", "got 7"),
]

ALL_CASES = INPUT + GEOMETRY + OPTIONS + OUTPUTS + BACKWARD + THREADS + ADAPTIVE + LP_GLOBAL


@pytest.mark.parametrize("call,exc,regex", ALL_CASES)
def test_error_message(call, exc, regex):
    before = cypool.get_num_threads()
    with pytest.raises(exc, match=regex) as info:
        call()
    assert type(info.value) is exc  # not a subclass that happens to match
    assert cypool.get_num_threads() == before  # a refused setting leaves the default alone


def _message_templates():
    """Every error message template of the validation module and the drivers, as a regex.

    A template is an f-string starting with ``{fn}``; its fields become ``.*``.
    """
    import cypool._validation
    import cypool.functional._unpool
    import cypool.functional._window

    for module in (cypool._validation, cypool.functional._window, cypool.functional._unpool):
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if (isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.FormattedValue)
                    and isinstance(node.values[0].value, ast.Name) and node.values[0].value.id == "fn"):
                yield "".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".*" for v in node.values)


def test_every_message_has_a_case():
    """Each message template in the source is produced by at least one case (here, in
    test_unpool.py or in test_fractional.py)."""
    from test_fractional import ERRORS as FRACTIONAL  # run by test_fractional.py itself
    from test_unpool import ERRORS as UNPOOL_ERRORS

    messages = []
    for param in ALL_CASES + UNPOOL_ERRORS + FRACTIONAL:
        try:
            param.values[0]()
        except (TypeError, ValueError) as exc:
            messages.append(str(exc))
    templates = list(_message_templates())
    assert len(templates) >= 25, templates
    for template in templates:
        assert any(re.fullmatch(template, m, re.S) for m in messages), f"no case produces {template!r}"


# ---------------------------------------------------------------- odd but valid


def _reference(x, **kw):
    """max (with indices) and avg of a plain C-contiguous native-order copy of ``x``."""
    a = np.asarray(x)
    plain = np.array(a, dtype=a.dtype.newbyteorder("="), order="C")
    y, i = cypool.max_pool2d(plain, 3, 2, 1, return_indices=True, **kw)
    return y, i, cypool.avg_pool2d(plain, 3, 2, 1, **kw)


def _run(x, **kw):
    y, i = cypool.max_pool2d(x, 3, 2, 1, return_indices=True, **kw)
    return y, i, cypool.avg_pool2d(x, 3, 2, 1, **kw)


def _unaligned(x):
    buf = bytearray(x.nbytes + 1)
    a = np.frombuffer(buf, x.dtype, count=x.size, offset=1).reshape(x.shape)
    a[...] = x
    assert not a.flags.aligned
    return a


class _Sub(np.ndarray):
    pass


ODD = {
    "big-endian-float64": lambda x: x.astype(">f8"),
    "big-endian-float32": lambda x: x.astype(">f4"),
    "unaligned": _unaligned,
    "broadcast-batch": lambda x: np.broadcast_to(x[:1], x.shape),
    "broadcast-channels": lambda x: np.broadcast_to(x[:, :1], x.shape),
    "broadcast-width": lambda x: np.broadcast_to(x[..., :1], x.shape),
    "ndarray-subclass": lambda x: x.view(_Sub),
    "masked-array-without-mask": lambda x: np.ma.masked_array(x),
    "nested-lists": lambda x: x.tolist(),
}


@pytest.mark.parametrize("kind", sorted(ODD))
@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
def test_odd_but_valid_inputs(kind, data_format):
    x = np.random.default_rng(7).integers(-3, 4, (2, 3, 6, 7)).astype(np.float64)
    if data_format == "channels_last":
        x = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    v = ODD[kind](x)
    want = _reference(v, data_format=data_format)
    got = _run(v, data_format=data_format)
    for g, w in zip(got, want):
        assert type(g) is np.ndarray
        np.testing.assert_array_equal(g, w)
    assert got[0].dtype == want[0].dtype and got[0].dtype.isnative
    assert got[0].dtype == (np.float32 if kind == "big-endian-float32" else np.float64)


def test_torch_tensor_input():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal((2, 3, 6, 7))
    for g, w in zip(_run(torch.from_numpy(x)), _reference(x)):
        np.testing.assert_array_equal(g, w)


def test_backward_accepts_odd_argument_types():
    x = np.random.default_rng(5).standard_normal((1, 2, 5, 5))
    y, idx = cypool.max_pool2d(x, 2, return_indices=True)
    g = np.random.default_rng(6).standard_normal(y.shape)
    want = cypool.max_pool2d_backward(g, idx, x.shape)
    assert np.count_nonzero(want) == g.size
    shapes = [list(x.shape), np.array(x.shape), tuple(np.int32(v) for v in x.shape)]
    for shape in shapes:
        np.testing.assert_array_equal(cypool.max_pool2d_backward(g, idx, shape), want)
    for index in (idx.astype(np.int32), idx.astype(np.uint8), idx.astype(">i8"), idx.tolist()):
        np.testing.assert_array_equal(cypool.max_pool2d_backward(g, index, x.shape), want)
    np.testing.assert_array_equal(cypool.max_pool2d_backward(g.tolist(), idx, x.shape), want)
    np.testing.assert_array_equal(cypool.max_pool2d_backward(g.astype(">f8"), idx, x.shape), want)
    ga = cypool.avg_pool2d_backward(g, x.shape, 2)
    np.testing.assert_array_equal(cypool.avg_pool2d_backward(g.tolist(), list(x.shape), [2, 2], None, [0, 0]), ga)


def test_geometry_accepts_numpy_ints_and_lists():
    x = np.random.default_rng(8).standard_normal((1, 2, 7, 6))
    want = cypool.max_pool2d(x, (3, 2), (2, 1), ((1, 1), (0, 1)), (1, 2), True)
    got = cypool.max_pool2d(x, [np.int64(3), np.uint8(2)], np.array([2, 1]).tolist(), [[np.int32(1), 1], (0, 1)],
                            [1, np.int16(2)], np.bool_(True))
    np.testing.assert_array_equal(got, want)
    # an empty stride means the default, as in torch.nn.functional
    np.testing.assert_array_equal(cypool.avg_pool2d(x, 2, ()), cypool.avg_pool2d(x, 2))
    # dtype= by name (computed in that dtype, per the docstring)
    np.testing.assert_array_equal(cypool.avg_pool2d(x, 2, dtype="float32"), cypool.avg_pool2d(x.astype(np.float32), 2))


@pytest.mark.parametrize("good,bad,exc", [
    (dict(kernel_size=1), dict(kernel_size=True), TypeError),
    (dict(kernel_size=(2, 2)), dict(kernel_size=(2, True)), TypeError),
    (dict(kernel_size=2, ceil_mode=True), dict(kernel_size=2, ceil_mode=1), TypeError),
    (dict(kernel_size=2, stride=1), dict(kernel_size=2, stride=1.0), TypeError),
    (dict(kernel_size=2, padding=1), dict(kernel_size=2, padding=True), TypeError),
    (dict(kernel_size=2, padding=((1, 0), (0, 1))), dict(kernel_size=2, padding=((1, 0), (0, True))), TypeError),
])
def test_cached_plans_do_not_hide_errors(good, bad, exc):
    # window plans are cached by value and type: an argument equal to a cached good one
    # (True == 1, 1.0 == 1) is still refused, however often the good one ran
    x = np.zeros((1, 1, 5, 5), np.float32)
    for _ in range(2):
        cypool.max_pool2d(x, **good)
        with pytest.raises(exc):
            cypool.max_pool2d(x, **bad)
    # a list and a tuple of the same ints are separate entries with the same plan
    assert cypool.max_pool2d(x, [2, 3], [1, 2]).shape == cypool.max_pool2d(x, (2, 3), (1, 2)).shape == (1, 1, 4, 2)


def test_plan_cache_overflow_from_threads():
    # more distinct geometries than the plan cache holds, from several threads at once:
    # evictions never race, and every result is the one computed alone
    from concurrent.futures import ThreadPoolExecutor

    x = np.arange(2 * 3 * 12 * 11, dtype=np.float32).reshape(2, 3, 12, 11)
    args = [((kh, kw), (sh, sw), (ph, 0)) for kh in range(1, 6) for kw in range(1, 6)
            for sh in range(1, 5) for sw in range(1, 5) for ph in range(0, (kh + 1) // 2)]
    assert len(args) > 2 * 256
    want = [cypool.max_pool2d(x, *a) for a in args]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda a: cypool.max_pool2d(x, *a, num_threads=1), args * 2))
    for g, w in zip(got, want * 2):
        np.testing.assert_array_equal(g, w)
