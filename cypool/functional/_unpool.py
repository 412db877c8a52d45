"""The data path of max unpooling (forward: scatter by index; backward: gather by index).

check arguments -> output size -> memory layout -> allocate -> kernel -> result.
The public functions in unpool.py are thin wrappers of these; the kernels are
cypool/_kernels/_unpool.pyx.tp.
"""
import math

import numpy as np

from .. import _threads
from .. import _validation as check
from .._kernels import _unpool as K
from .._layout import flat_in, frame_for
from ._window import _backward_setup, _output, _spatial

_I64 = np.dtype(np.int64)
_HALF = np.dtype(np.float16)
_LINE = 64  # bytes: channel blocks of the channels-last scatter start on cache lines


def _bits(flat):
    """The kernels only copy values, so float16 runs bitwise as uint16 (no float32 round trip)."""
    return flat.view(np.uint16) if flat.dtype == _HALF else flat


def _indices(frame, idx):
    """Indices as a flat int64 buffer in the frame's layout (uint64 beyond int64 wraps negative: refused)."""
    iflat = flat_in(frame, idx)
    return iflat if iflat.dtype == _I64 else iflat.astype(_I64)


def _channel_block(n, c, nthreads, itemsize):
    """Channels per parallel item of the channels-last scatter.

    Whole images while there are at least as many images as threads; else
    split each image's channels (whole cache lines) so that one image still
    uses every thread. The result does not depend on the block.
    """
    if nthreads <= 1 or n >= nthreads or c <= 1:
        return max(c, 1)
    per_image = -(-nthreads // max(n, 1))  # ceil divisions
    block = -(-c // per_image)
    line = max(1, _LINE // itemsize)
    block = -(-block // line) * line
    return min(c, block)


def unpool_forward(fn, x, indices, nsp, kernel_size, stride, padding, output_size, *,
                   data_format, num_threads, out):
    """max_unpool forward: zero output, then ``out[plane][indices] = input`` (later duplicates win)."""
    channels_last = check.data_format(fn, data_format)
    a = check.array(fn, "input", x, check.ORDERED_DTYPES)
    batched = check.pooling_input(fn, "input", a, nsp, channels_last)
    idx = check.array(fn, "indices", indices, check.INT_DTYPES)
    check.same_shape(fn, "indices", idx, a.shape, "the shape of input")
    spatial_out = check.unpool_output_size(
        fn, _spatial(a.shape, nsp, channels_last), kernel_size, stride, padding, output_size, channels_last
    )
    nthreads = _threads.resolve(fn, num_threads)
    frame, flat = frame_for(a, nsp, batched, channels_last)
    shape_in5 = frame.dims(a)
    shape_out5 = shape_in5[:2] + (1,) * (3 - nsp) + spatial_out
    y, yflat = _output(fn, "out", frame, out, shape_out5, a.dtype, (a, idx))
    n, c = shape_in5[:2]
    plane_in = int(math.prod(shape_in5[2:]))
    plane_out = int(math.prod(spatial_out))
    if flat.size and not yflat.size:  # no plane to scatter into: every index is out of range
        nbad = flat.size
    elif yflat.size:
        src, dst = _bits(flat), _bits(yflat)
        if frame.layout == "cf":
            nbad = K.unpool_fwd_cf(src, _indices(frame, idx), dst, n * c, plane_in, plane_out, nthreads)
        else:
            block = _channel_block(n, c, nthreads, a.dtype.itemsize)
            nbad = K.unpool_fwd_cl(src, _indices(frame, idx), dst, n, c, plane_in, plane_out, block,
                                   nthreads)
    else:
        nbad = 0
    hint = ("; the default size is (input - 1) * stride + kernel_size - 2 * padding per axis, "
            "pass output_size for another") if output_size is None else ""
    check.unpool_indices_in_range(fn, nbad, spatial_out, "output", hint)
    return y


def unpool_backward(fn, grad_output, indices, input_shape, nsp, *, data_format, num_threads):
    """max_unpool backward: ``grad_input[plane][j] = grad_output[plane][indices[plane][j]]``."""
    g, frame, gflat, shape, shape_in5 = _backward_setup(fn, grad_output, input_shape, nsp, data_format)
    gx, gxflat = frame.empty(shape_in5, g.dtype, zero=True)
    idx = check.array(fn, "indices", indices, check.INT_DTYPES)
    check.same_shape(fn, "indices", idx, shape, "input_shape, the forward input's shape")
    nthreads = _threads.resolve(fn, num_threads)
    shape_out5 = frame.dims(g)
    n, c = shape_in5[:2]
    plane_in = int(math.prod(shape_in5[2:]))
    plane_out = int(math.prod(shape_out5[2:]))
    if gxflat.size and not gflat.size:  # nothing to gather from: every index is out of range
        nbad = gxflat.size
    elif gxflat.size:
        src, dst = _bits(gflat), _bits(gxflat)
        if frame.layout == "cf":
            nbad = K.unpool_bwd_cf(src, _indices(frame, idx), dst, n * c, plane_in, plane_out, nthreads)
        else:
            nbad = K.unpool_bwd_cl(src, _indices(frame, idx), dst, n, c, plane_in, plane_out, nthreads)
    else:
        nbad = 0
    check.unpool_indices_in_range(fn, nbad, shape_out5[5 - nsp:], "grad_output")
    return gx
