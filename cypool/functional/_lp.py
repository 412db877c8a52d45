"""Lp (power-average) pooling and global pooling: compositions of the window drivers.

Lp follows PyTorch's definition (SPEC.md, reference §B7):
``y = (K * avg_pool(x**p, k, s, padding=0, ceil_mode))**(1/p)`` with ``K`` the
kernel volume, so ceil-mode edge windows are scaled by ``K / n_valid``, sums
keep their sign (odd p with a negative sum gives NaN) and ``p = inf`` is max
pooling of ``|x|`` (``-inf``: min of ``|x|``), as PyTorch. Global pooling flattens the spatial axes and runs the 1-D adaptive
drivers with one output.
"""
import math

import numpy as np

from .. import _threads
from .. import _validation as check
from . import _window
from .._kernels import _window as K

_F64 = np.dtype(np.float64)
_KERNEL_DTYPES = (np.dtype(np.float32), _F64)


def _float_input(fn, x):
    """Lp needs floats: integers are computed in float64 (NumPy's mean rule)."""
    a = check.array(fn, "input", x, check.ORDERED_DTYPES)
    return a if a.dtype in check.FLOAT_DTYPES else a.astype(_F64)


def _power(a, p):
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if p == 2:
            return np.multiply(a, a)
        if p == 1:
            return a
        return np.power(a, a.dtype.type(p))


def _select_abs(fn, a, nsp, p, kernel_size, stride, ceil_mode, return_indices, data_format, num_threads):
    """p = +-inf: max (min) pooling of |x| (PyTorch's lp_pool special case)."""
    op = "max" if p > 0 else "min"
    return _window.select_forward(fn, op, np.abs(a), nsp, kernel_size, stride, 0, 1, ceil_mode,
                                  return_indices, data_format=data_format, num_threads=num_threads,
                                  out=None, indices_out=None)


def lp_forward(fn, x, nsp, norm_type, kernel_size, stride, ceil_mode, *, data_format, num_threads):
    p = check.norm_type(fn, norm_type)
    a = _float_input(fn, x)
    if math.isinf(p):
        return _select_abs(fn, a, nsp, p, kernel_size, stride, ceil_mode, False, data_format, num_threads)
    volume = math.prod(check.int_tuple(fn, "kernel_size", kernel_size, nsp))
    if p == 2:
        return _window.lp2_forward(fn, a, nsp, kernel_size, stride, ceil_mode, volume,
                                   data_format=data_format, num_threads=num_threads)
    y = _window.avg_forward(fn, _power(a, p), nsp, kernel_size, stride, 0, ceil_mode, True, None,
                            dilation=1, dtype=None, data_format=data_format,
                            num_threads=num_threads, out=None)
    with np.errstate(invalid="ignore", over="ignore"):
        y *= y.dtype.type(volume)
        if p != 1:
            np.power(y, y.dtype.type(1.0 / p), out=y)
    return y


def lp_backward(fn, grad_output, input, output, nsp, norm_type, kernel_size, stride, ceil_mode, *,
                data_format, num_threads):
    """dy/dx_i = (K / n_div) * x_i**(p-1) * S**(1/p - 1) summed over windows; 0 where S = 0."""
    p = check.norm_type(fn, norm_type)
    a = _float_input(fn, input)
    if math.isinf(p):
        _, idx = _select_abs(fn, a, nsp, p, kernel_size, stride, ceil_mode, True, data_format, num_threads)
        gx = _window.scatter_backward(fn, grad_output, idx, a.shape, nsp,
                                      data_format=data_format, num_threads=num_threads)
        gx *= np.sign(a).astype(gx.dtype, copy=False)  # d|x|/dx, 0 at 0
        return gx
    y = check.array(fn, "output", output, check.FLOAT_DTYPES)
    g = check.array(fn, "grad_output", grad_output, check.FLOAT_DTYPES)
    check.same_shape(fn, "output", y, g.shape, "the shape of grad_output")
    volume = math.prod(check.int_tuple(fn, "kernel_size", kernel_size, nsp))
    nthreads = _threads.resolve(fn, num_threads)
    if p == 2 and g.dtype == y.dtype == a.dtype and g.dtype in _KERNEL_DTYPES:
        # disjoint windows, channels-first: one pass over g, y and x (same bits)
        gx = _window.lp2_backward(fn, g, y, a, nsp, kernel_size, stride, ceil_mode, volume,
                                  data_format=data_format, nthreads=nthreads)
        if gx is not None:
            return gx
    # one parallel pass for p = 1 and 2 (same rounding, step by step) where the
    # arrays allow it; NumPy otherwise
    fused = p in (1, 2) and g.dtype == y.dtype and g.dtype in _KERNEL_DTYPES
    if fused:
        t = np.empty(g.shape, g.dtype)
        K.lp_grad_scale(_flat(g), _flat(y), t.reshape(-1), float(volume), p == 2, nthreads)
    else:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            # S**(1/p - 1) = y**(1 - p) for S > 0; S = 0 (y = 0) has gradient 0; NaN stays NaN
            scale = np.where(y != 0, _power(y, 1.0 - p) if p != 1 else 1.0, 0.0)
            t = (g * scale * volume).astype(g.dtype, copy=False)
    gx = _window.avg_backward(fn, t, a.shape, nsp, kernel_size, stride, 0, ceil_mode, True, None,
                              dilation=1, data_format=data_format, num_threads=num_threads)
    if p == 2 and gx.dtype == a.dtype and gx.dtype in _KERNEL_DTYPES and gx.flags.c_contiguous \
            and a.flags.c_contiguous and gx.strides == a.strides:
        K.mul_inplace(gx.reshape(-1), a.reshape(-1), nthreads)
    elif p != 1:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            gx *= _power(a, p - 1).astype(gx.dtype, copy=False)
    return gx


def _flat(a):
    """A C-contiguous 1-D view (a copy only where ``a`` is not C-contiguous)."""
    return np.ascontiguousarray(a).reshape(-1)


# ------------------------------------------------------------------ global pooling

def _flatten(fn, x, data_format, dtypes=None):
    """(N, C, *sp) -> (N, C, S) (channels-last: (N, S, C)); returns (array, spatial, channels_last)."""
    channels_last = check.data_format(fn, data_format)
    a = check.array(fn, "input", x, dtypes or check.ORDERED_DTYPES)
    check.global_input(fn, "input", a, channels_last)
    spatial = a.shape[1:-1] if channels_last else a.shape[2:]
    check.nonempty_spatial(fn, "input", a.shape, spatial)
    n, size = a.shape[0], math.prod(spatial)
    flat = a.reshape((n, size, a.shape[-1]) if channels_last else (n, a.shape[1], size))
    return flat, spatial, channels_last


def _unflatten(y, spatial, channels_last, keepdims):
    """(N, C, 1) / (N, 1, C) -> (N, C) or, with keepdims, (N, C, 1, ..., 1)."""
    y = y[:, 0, :] if channels_last else y[:, :, 0]
    if keepdims:
        ones = (1,) * len(spatial)
        y = y.reshape((y.shape[0],) + ones + (y.shape[1],) if channels_last else y.shape + ones)
    return y


def global_select(fn, op, x, return_indices, keepdims, *, data_format, num_threads):
    keepdims = check.flag(fn, "keepdims", keepdims)
    return_indices = check.flag(fn, "return_indices", return_indices)
    flat, spatial, cl = _flatten(fn, x, data_format)
    result = _window.adaptive_select_forward(fn, op, flat, 1, 1, return_indices, data_format=data_format,
                                             num_threads=num_threads, out=None, indices_out=None)
    if return_indices:
        return tuple(_unflatten(r, spatial, cl, keepdims) for r in result)
    return _unflatten(result, spatial, cl, keepdims)


def global_avg(fn, x, keepdims, *, dtype, data_format, num_threads):
    keepdims = check.flag(fn, "keepdims", keepdims)
    flat, spatial, cl = _flatten(fn, x, data_format)
    y = _window.adaptive_avg_forward(fn, flat, 1, 1, dtype=dtype, data_format=data_format,
                                     num_threads=num_threads, out=None)
    return _unflatten(y, spatial, cl, keepdims)


def global_lp(fn, x, norm_type, keepdims, *, data_format, num_threads):
    """(sum over each plane of x**p)**(1/p): Lp pooling with one window covering the plane."""
    keepdims = check.flag(fn, "keepdims", keepdims)
    p = check.norm_type(fn, norm_type)
    a = _float_input(fn, x)
    if math.isinf(p):
        return global_select(fn, "max" if p > 0 else "min", np.abs(a), False, keepdims,
                             data_format=data_format, num_threads=num_threads)
    flat, spatial, cl = _flatten(fn, a, data_format)
    y = _window.adaptive_avg_forward(fn, _power(flat, p), 1, 1, dtype=None, data_format=data_format,
                                     num_threads=num_threads, out=None)
    with np.errstate(invalid="ignore", over="ignore"):
        y *= y.dtype.type(math.prod(spatial))
        if p != 1:
            np.power(y, y.dtype.type(1.0 / p), out=y)
    return _unflatten(y, spatial, cl, keepdims)


def _global_backward_setup(fn, grad_output, input_shape, keepdims, data_format):
    """Shapes of a global backward: grad_output (N, C) (or keepdims) -> (N, C, 1) / (N, 1, C)."""
    channels_last = check.data_format(fn, data_format)
    keepdims = check.flag(fn, "keepdims", keepdims)
    shape = check.input_shape_any(fn, input_shape, channels_last)
    spatial = shape[1:-1] if channels_last else shape[2:]
    n, c = shape[0], (shape[-1] if channels_last else shape[1])
    want = ((n,) + (1,) * len(spatial) + (c,) if channels_last else (n, c) + (1,) * len(spatial)) \
        if keepdims else (n, c)
    g = check.array(fn, "grad_output", grad_output, check.FLOAT_DTYPES)
    check.same_shape(fn, "grad_output", g, want, f"input_shape {shape} reduced, keepdims={keepdims}")
    g3 = g.reshape((n, 1, c) if channels_last else (n, c, 1))
    flat_shape = (n, math.prod(spatial), c) if channels_last else (n, c, math.prod(spatial))
    return g3, shape, flat_shape, want


def global_select_backward(fn, grad_output, indices, input_shape, keepdims, *, data_format, num_threads):
    g3, shape, flat_shape, want = _global_backward_setup(fn, grad_output, input_shape, keepdims, data_format)
    idx = check.array(fn, "indices", indices, check.INT_DTYPES)
    check.same_shape(fn, "indices", idx, want, "the shape of grad_output")
    gx = _window.scatter_backward(fn, g3, idx.reshape(g3.shape), flat_shape, 1,
                                  data_format=data_format, num_threads=num_threads)
    return gx.reshape(shape)


def global_avg_backward(fn, grad_output, input_shape, keepdims, *, data_format, num_threads):
    g3, shape, flat_shape, _ = _global_backward_setup(fn, grad_output, input_shape, keepdims, data_format)
    gx = _window.adaptive_avg_backward(fn, g3, flat_shape, 1, data_format=data_format,
                                       num_threads=num_threads)
    return gx.reshape(shape)


def global_lp_backward(fn, grad_output, input, output, norm_type, keepdims, *, data_format, num_threads):
    """dy/dx_i = x_i**(p-1) * y**(1-p) per plane (0 where y = 0); p = inf routes to the max."""
    p = check.norm_type(fn, norm_type)
    a = _float_input(fn, input)
    if math.isinf(p):
        _, idx = global_select(fn, "max" if p > 0 else "min", np.abs(a), True, keepdims,
                               data_format=data_format, num_threads=num_threads)
        gx = global_select_backward(fn, grad_output, idx, a.shape, keepdims,
                                    data_format=data_format, num_threads=num_threads)
        gx *= np.sign(a).astype(gx.dtype, copy=False)
        return gx
    g3, shape, flat_shape, want = _global_backward_setup(fn, grad_output, a.shape, keepdims, data_format)
    y = check.array(fn, "output", output, check.FLOAT_DTYPES)
    check.same_shape(fn, "output", y, want, "the shape of grad_output")
    _threads.resolve(fn, num_threads)
    y3 = y.reshape(g3.shape)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        scale = np.where(y3 != 0, _power(y3, 1.0 - p) if p != 1 else 1.0, 0.0)
        gx = (g3 * scale) * (_power(a.reshape(flat_shape), p - 1) if p != 1 else 1.0)
    return np.ascontiguousarray(np.broadcast_to(gx, flat_shape)).astype(g3.dtype, copy=False).reshape(shape)
