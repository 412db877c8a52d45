"""The data path of one sliding-window call (max, min, avg; forward and backward).

check arguments -> window plan -> memory layout -> allocate -> kernel -> result.
The public functions in max_pool.py and avg_pool.py are thin wrappers of these;
the kernels are cypool/_kernels/_window.pyx.tp.
"""
import math
from functools import lru_cache

import numpy as np

from .. import _threads
from .. import _validation as check
from .._geometry import UNIT_AXIS, adaptive_tables, tap_table
from .._kernels import _window as K
from .._layout import Frame, flat_in, frame_for

_HALF = np.dtype(np.float16)
_F32 = np.dtype(np.float32)
_I64 = np.dtype(np.int64)
_U8 = np.dtype(np.uint8)
_CACHE_LINE = 64  # bytes: a cache line
_PAGE = 4096


def _thread_rows(nthreads, n, dtype):
    """Per-thread scratch rows of at least ``n`` items, shape ``(nthreads, stride)``: whole
    4 KB pages with a page between two threads' rows, the rule of ``thread_stride`` in
    _window.pyx.tp (rows a cache line apart still had the hardware prefetchers take one
    thread's lines from the other: case b NHWC with indices 1.23-1.35x at two threads)."""
    dtype = np.dtype(dtype)
    stride = (-(-n * dtype.itemsize // _PAGE) + 1) * _PAGE // dtype.itemsize
    return np.empty((nthreads, stride), dtype)


@lru_cache(maxsize=256)
def _geometry_args(plan, count_include_pad=True):
    """Kernel arguments of a plan: (gd, gh, gw, dd, dh, dw), unit axes in front (cached:
    the tables are read-only)."""
    axes = (UNIT_AXIS,) * (3 - len(plan.axes)) + plan.axes
    return tuple(tap_table(a, count_include_pad) for a in axes) + tuple(a.dilation for a in axes)


def _dims_args(frame, shape5):
    """(D, H, W) for channels-first kernels, (C, D, H, W) for channels-last ones."""
    return tuple(shape5[2:]) if frame.layout == "cf" else (shape5[1],) + tuple(shape5[2:])


def _spatial(shape, nsp, channels_last):
    return tuple(shape[-nsp - 1:-1]) if channels_last else tuple(shape[-nsp:])


def _kernel_dtype(dtype):
    """float16 is computed in float32 and rounded back."""
    return _F32 if dtype == _HALF else dtype


def _output(fn, name, frame, out, shape5, dtype, inputs):
    """(logical result, flat buffer the kernel writes) honouring a user's ``out=``."""
    if out is None:
        return frame.empty(shape5, dtype)
    check.output_array(fn, name, out, frame.shape(shape5), dtype)
    check.no_overlap(fn, name, out, *inputs)
    flat = frame.flat(out)
    check.output_layout(fn, name, out, flat is not None, frame.layout)
    return out, flat


def _run(kernel, frame, shape_in5, flat_in_, outs, result_dtype, *rest, reads=()):
    """Call ``kernel`` (a kernel's name) on kernel-dtype buffers; outs[0] is converted back if needed.

    The input is converted to the kernel dtype unless its dtype is in ``reads``
    (types the kernel reads as they are: the averages read uint8). The kernel is
    picked for the dtype it reads (the AVX2 twin holds floating types only).
    """
    kdtype = _kernel_dtype(result_dtype)
    src = flat_in_ if flat_in_.dtype == kdtype or flat_in_.dtype in reads else flat_in_.astype(kdtype)
    kernel = K.pick(kernel, src.dtype)
    first = outs[0] if outs[0].dtype == kdtype else np.empty(outs[0].size, kdtype)
    kernel(src, first, *outs[1:], *_dims_args(frame, shape_in5), *rest)
    if first is not outs[0]:
        outs[0][...] = first


def _forward_setup(fn, x, nsp, data_format, kernel_size, stride, padding, dilation, ceil_mode):
    channels_last = check.data_format(fn, data_format)
    a = check.array(fn, "input", x, check.ORDERED_DTYPES)
    batched = check.pooling_input(fn, "input", a, nsp, channels_last)
    plan = check.window_plan(
        fn, _spatial(a.shape, nsp, channels_last), kernel_size, stride, padding, dilation, ceil_mode
    )
    frame, flat = frame_for(a, nsp, batched, channels_last)
    shape_in5 = frame.dims(a)
    shape_out5 = shape_in5[:2] + (1,) * (3 - nsp) + plan.out_shape
    return a, frame, flat, plan, shape_in5, shape_out5


def _adaptive_setup(fn, x, nsp, data_format, output_size, dtypes=None):
    """Check an adaptive call; its tap tables come from the input and output sizes (§B5)."""
    channels_last = check.data_format(fn, data_format)
    a = check.array(fn, "input", x, dtypes or check.ORDERED_DTYPES)
    batched = check.pooling_input(fn, "input", a, nsp, channels_last)
    spatial = _spatial(a.shape, nsp, channels_last)
    out_size = check.adaptive_output_size(fn, output_size, spatial)
    check.nonempty_spatial(fn, "input", a.shape, spatial)
    frame, flat = frame_for(a, nsp, batched, channels_last)
    shape_in5 = frame.dims(a)
    shape_out5 = shape_in5[:2] + (1,) * (3 - nsp) + out_size
    return a, frame, flat, adaptive_tables(spatial, out_size), shape_in5, shape_out5


def adaptive_select_forward(fn, op, x, nsp, output_size, return_indices, *, data_format,
                            num_threads, out, indices_out):
    """Adaptive max / min: windows [floor(o*n/m), ceil((o+1)*n/m)) per axis."""
    return_indices = check.flag(fn, "return_indices", return_indices)
    a, frame, flat, tables, shape_in5, shape_out5 = _adaptive_setup(fn, x, nsp, data_format, output_size)
    nthreads = _threads.resolve(fn, num_threads)
    return select_tables(fn, op, a, frame, flat, tables, shape_in5, shape_out5, return_indices,
                         out, indices_out, nthreads)


def adaptive_avg_forward(fn, x, nsp, output_size, *, dtype, data_format, num_threads, out):
    """Adaptive average: each window's mean (divisor = the window's size)."""
    want = check.float_dtype(fn, "dtype", dtype)
    a, frame, flat, tables, shape_in5, shape_out5 = _adaptive_setup(fn, x, nsp, data_format, output_size)
    nthreads = _threads.resolve(fn, num_threads)
    return avg_tables(fn, a, frame, flat, tables, shape_in5, shape_out5, 0, want, out, nthreads)


def adaptive_avg_backward(fn, grad_output, input_shape, nsp, *, data_format, num_threads):
    """Adaptive average backward: the output size is grad_output's."""
    g, frame, gflat, shape, shape_in5 = _backward_setup(fn, grad_output, input_shape, nsp, data_format)
    spatial = shape_in5[5 - nsp:]
    out_size = _spatial(g.shape, nsp, frame.channels_last)
    check.nonempty_spatial(fn, "input_shape", shape, spatial)
    check.grad_output_nonempty(fn, g, out_size)
    nthreads = _threads.resolve(fn, num_threads)
    tables = adaptive_tables(spatial, out_size)
    return avg_backward_tables(frame, g.dtype, gflat, shape_in5, tables, 0, nthreads)


def select_forward(fn, op, x, nsp, kernel_size, stride, padding, dilation, ceil_mode,
                   return_indices, *, data_format, num_threads, out, indices_out):
    """max / min forward: each window's extreme value (and its plane-flat index)."""
    return_indices = check.flag(fn, "return_indices", return_indices)
    a, frame, flat, plan, shape_in5, shape_out5 = _forward_setup(
        fn, x, nsp, data_format, kernel_size, stride, padding, dilation, ceil_mode
    )
    nthreads = _threads.resolve(fn, num_threads)
    return select_tables(fn, op, a, frame, flat, _geometry_args(plan), shape_in5, shape_out5,
                         return_indices, out, indices_out, nthreads)


def select_tables(fn, op, a, frame, flat, tables, shape_in5, shape_out5, return_indices,
                  out, indices_out, nthreads):
    """max / min over windows given as tap tables (gd, gh, gw, dd, dh, dw): the shared core of
    plain, adaptive, global and fractional pooling."""
    check.indices_out_unused(fn, indices_out, return_indices)
    y, yflat = _output(fn, "out", frame, out, shape_out5, a.dtype, (a,))
    outs = [yflat]
    if return_indices:
        yi, iflat = _output(fn, "indices_out", frame, indices_out, shape_out5, _I64, (a, y))
        outs.append(iflat)
    if yflat.size:
        sfx = "_idx" if return_indices else ""
        if _covers_plane(tables, shape_in5):
            _run_global(f"{op}_global{sfx}", frame, shape_in5, flat, outs, a.dtype, nthreads)
        else:
            kernel = f"{op}_fwd{sfx}_{frame.layout}"
            _run(kernel, frame, shape_in5, flat, outs, a.dtype, *tables, nthreads)
    return (y, yi) if return_indices else y


def _covers_plane(tables, shape_in5):
    """One window per plane covering all of it, every cell once, counted once
    (global pooling, adaptive pooling to one cell, a kernel the size of the plane)."""
    for t, d, n in zip(tables[:3], tables[3:], shape_in5[2:]):
        if t.shape[1] != 1 or t[0, 0] != 0 or t[1, 0] != n or t[2, 0] != n or (n > 1 and d != 1):
            return False
    return True


def _global_dims(frame, shape_in5):
    """The whole-plane kernels' sizes: (S,) channels-first, (S, C) channels-last."""
    size = int(math.prod(shape_in5[2:]))
    return (size,) if frame.layout == "cf" else (size, shape_in5[1])


def _run_global(name, frame, shape_in5, flat_in_, outs, result_dtype, *rest):
    """The whole-plane kernels {name}_cf / {name}_cl take (x, y, [yi], *dims, [divisor], nthreads)."""
    kdtype = _kernel_dtype(result_dtype)
    src = flat_in_ if flat_in_.dtype == kdtype else flat_in_.astype(kdtype)
    kernel = K.pick(f"{name}_{frame.layout}", src.dtype)
    first = outs[0] if outs[0].dtype == kdtype else np.empty(outs[0].size, kdtype)
    kernel(src, first, *outs[1:], *_global_dims(frame, shape_in5), *rest)
    if first is not outs[0]:
        outs[0][...] = first


def avg_forward(fn, x, nsp, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, *, dilation, dtype, data_format, num_threads, out):
    """Average forward: window sums over the divisor rule of SPEC.md (§B3)."""
    count_include_pad = check.flag(fn, "count_include_pad", count_include_pad)
    divisor = check.divisor_override(fn, divisor_override)
    want = check.float_dtype(fn, "dtype", dtype)
    a, frame, flat, plan, shape_in5, shape_out5 = _forward_setup(
        fn, x, nsp, data_format, kernel_size, stride, padding, dilation, ceil_mode
    )
    nthreads = _threads.resolve(fn, num_threads)
    return avg_tables(fn, a, frame, flat, _geometry_args(plan, count_include_pad), shape_in5,
                      shape_out5, divisor, want, out, nthreads)


def avg_result_dtype(a, want):
    """Integers average to float64 (NumPy's mean), unless dtype= names a float type."""
    return want or (a.dtype if a.dtype in check.FLOAT_DTYPES else np.dtype(np.float64))


def avg_tables(fn, a, frame, flat, tables, shape_in5, shape_out5, divisor, want, out, nthreads):
    """Window averages over tap tables: the shared core of plain, adaptive and global averages."""
    result_dtype = avg_result_dtype(a, want)
    y, yflat = _output(fn, "out", frame, out, shape_out5, result_dtype, (a,))
    if yflat.size:
        if _covers_plane(tables, shape_in5):
            _run_global("avg_global", frame, shape_in5, flat, [yflat], result_dtype, float(divisor), nthreads)
        else:
            kernel = f"avg_fwd_{frame.layout}"
            _run(kernel, frame, shape_in5, flat, [yflat], result_dtype, *tables, float(divisor), nthreads,
                 reads=(_U8,))
    return y


def lp2_forward(fn, a, nsp, kernel_size, stride, ceil_mode, volume, *, data_format, num_threads):
    """Lp pooling with p = 2 in one pass over the input: sqrt(volume * avg_pool(x*x)).

    The lp2 kernels square, sum, divide by the window's count and take the
    root, so no x**2 temporary is made (PyTorch's formula; functional/_lp.py).
    """
    a, frame, flat, plan, shape_in5, shape_out5 = _forward_setup(
        fn, a, nsp, data_format, kernel_size, stride, 0, 1, ceil_mode
    )
    nthreads = _threads.resolve(fn, num_threads)
    y, yflat = _output(fn, "out", frame, None, shape_out5, a.dtype, (a,))
    if yflat.size:
        kernel = f"lp2_fwd_{frame.layout}"
        _run(kernel, frame, shape_in5, flat, [yflat], a.dtype, *_geometry_args(plan), 0.0,
             float(volume), nthreads)
    return y


def _backward_setup(fn, grad_output, input_shape, nsp, data_format):
    """Check grad_output and input_shape; frame grad_output (the caller allocates grad_input)."""
    channels_last = check.data_format(fn, data_format)
    shape = check.input_shape(fn, input_shape, nsp, channels_last)
    g = check.array(fn, "grad_output", grad_output, check.FLOAT_DTYPES)
    batched = len(shape) == nsp + 2
    check.grad_output_rank(fn, g, shape)
    frame, gflat = frame_for(g, nsp, batched, channels_last)
    shape_in5 = Frame(nsp, batched, channels_last, "cf").to5(np.empty(shape, np.uint8)).shape
    check.grad_output_planes(fn, g, frame.dims(g)[:2], shape, shape_in5[:2])
    return g, frame, gflat, shape, shape_in5


def scatter_backward(fn, grad_output, indices, input_shape, nsp, *, data_format, num_threads):
    """max / min backward: route each output's gradient to its recorded index."""
    g, frame, gflat, shape, shape_in5 = _backward_setup(fn, grad_output, input_shape, nsp, data_format)
    gx, gxflat = frame.empty(shape_in5, g.dtype, zero=not gflat.size)  # the kernels zero their planes
    idx = check.array(fn, "indices", indices, check.INT_DTYPES)
    check.same_shape(fn, "indices", idx, g.shape, "the shape of grad_output")
    nthreads = _threads.resolve(fn, num_threads)
    if gflat.size and gxflat.size:
        iflat = flat_in(frame, idx)
        if iflat.dtype != _I64:
            iflat = iflat.astype(_I64)
        kdtype = _kernel_dtype(g.dtype)
        src = gflat.astype(kdtype) if gflat.dtype != kdtype else gflat
        dst = gxflat if gxflat.dtype == kdtype else np.empty(gxflat.size, kdtype)
        plane = int(math.prod(shape_in5[2:]))
        if frame.layout == "cf":
            nbad = K.scatter_bwd_cf(src, iflat, dst, plane, nthreads)
        else:
            nbad = K.scatter_bwd_cl(src, iflat, dst, shape_in5[1], plane, nthreads)
        check.indices_in_range(fn, nbad, plane)
        if dst is not gxflat:
            gxflat[...] = dst
    elif gflat.size:  # a non-empty grad_output cannot come from an empty input
        check.indices_in_range(fn, int(idx.size), 0)
    return gx


def avg_backward(fn, grad_output, input_shape, nsp, kernel_size, stride, padding, ceil_mode,
                 count_include_pad, divisor_override, *, dilation, data_format, num_threads):
    """Average backward: each real tap of a window receives grad / divisor."""
    count_include_pad = check.flag(fn, "count_include_pad", count_include_pad)
    divisor = check.divisor_override(fn, divisor_override)
    g, frame, gflat, shape_in5, plan = _window_backward_setup(
        fn, grad_output, input_shape, nsp, kernel_size, stride, padding, dilation, ceil_mode, data_format)
    nthreads = _threads.resolve(fn, num_threads)
    return avg_backward_tables(frame, g.dtype, gflat, shape_in5, _geometry_args(plan, count_include_pad),
                               divisor, nthreads)


def _window_backward_setup(fn, grad_output, input_shape, nsp, kernel_size, stride, padding, dilation,
                           ceil_mode, data_format):
    """_backward_setup, and the window plan, grad_output checked against its output shape."""
    g, frame, gflat, shape, shape_in5 = _backward_setup(fn, grad_output, input_shape, nsp, data_format)
    plan = check.window_plan(
        fn, shape_in5[5 - nsp:], kernel_size, stride, padding, dilation, ceil_mode
    )
    expected = frame.shape(shape_in5[:2] + (1,) * (3 - nsp) + plan.out_shape)
    check.same_shape(fn, "grad_output", g, expected, "the forward output's shape for these arguments")
    return g, frame, gflat, shape_in5, plan


def lp2_backward(fn, grad_output, output, a, nsp, kernel_size, stride, ceil_mode, volume, *,
                 data_format, nthreads):
    """Lp backward for p = 2 in one pass (the lp2_bwd_cf kernel), or None where it does not apply.

    The caller (functional/_lp.lp_backward) passes grad_output, output and input
    of one kernel dtype; the pass applies to channels-first memory and disjoint
    windows (stride >= kernel_size). Elsewhere lp_backward composes its three
    passes, which give the same bits.
    """
    g, frame, gflat, shape_in5, plan = _window_backward_setup(
        fn, grad_output, a.shape, nsp, kernel_size, stride, 0, 1, ceil_mode, data_format)
    tables = _geometry_args(plan)
    if frame.layout != "cf" or not gflat.size or not K.disjoint_plan(*tables):
        return None
    gx, gxflat = frame.empty(shape_in5, g.dtype)
    scratch = _thread_rows(nthreads, tables[2].shape[1], g.dtype)
    K.lp2_bwd_cf(gflat, flat_in(frame, output), flat_in(frame, a), gxflat, scratch,
                 *_dims_args(frame, shape_in5), *tables, 0.0, float(volume), nthreads)
    return gx


def avg_backward_tables(frame, dtype, gflat, shape_in5, tables, divisor, nthreads):
    """Spread each output's gradient over its window's real taps (the avg_bwd kernels).

    Returns the new grad_input, not zeroed here: the kernels zero each plane
    (image, channels-last) just before they add into it, or write every cell
    once (avg_global_bwd, a window covering the whole plane).
    """
    whole = _covers_plane(tables, shape_in5)
    gx, gxflat = frame.empty(shape_in5, dtype, zero=not gflat.size)
    if gflat.size and gxflat.size:
        kdtype = _kernel_dtype(gflat.dtype)
        src = gflat.astype(kdtype) if gflat.dtype != kdtype else gflat
        dst = gxflat if gxflat.dtype == kdtype else np.empty(gxflat.size, kdtype)
        if whole:
            kernel = getattr(K, f"avg_global_bwd_{frame.layout}")
            kernel(src, dst, *_global_dims(frame, shape_in5), float(divisor), nthreads)
        else:
            kernel = getattr(K, f"avg_bwd_{frame.layout}")
            scratch = ()
            if frame.layout == "cf":  # a row of quotients per thread
                scratch = (_thread_rows(nthreads, tables[2].shape[1], kdtype),)
            kernel(src, dst, *scratch, *_dims_args(frame, shape_in5), *tables, float(divisor), nthreads)
        if dst is not gxflat:
            gxflat[...] = dst
    return gx
