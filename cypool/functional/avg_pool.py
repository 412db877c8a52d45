"""avg_pool1d/2d/3d and their backward functions.

Wrappers of functional/_window.py; kernels in _kernels/_window.pyx.tp
(``avg_fwd*``, ``avg_bwd*``); tests in tests/test_avg_pool.py.
"""
from . import _window

from ._public import OUT as _OUT
from ._public import SHAPES as _SHAPES
from ._public import public

_GEOMETRY_DOC = """kernel_size : int or tuple of {nsp} ints
stride : int or tuple of {nsp} ints, optional
    Defaults to ``kernel_size``.
padding : int, tuple of {nsp} ints or (lo, hi) pairs, 'valid', 'same' or 'same_lower'
    Zero padding. Any padding that leaves every window a real input cell is
    accepted (PyTorch itself stops at kernel_size // 2).
ceil_mode : bool
    Ceil output length, never starting a window in the right padding.
count_include_pad : bool
    Count explicit padding in the divisor (ceil overhang never counts).
divisor_override : int, optional
    A fixed non-zero divisor for every window (``1`` gives window sums), as PyTorch.
dilation : int or tuple of {nsp} ints, keyword-only
    cypool's extension; PyTorch's avg_pool has no dilation."""

_FORWARD_DOC = """Average pooling over {nsp} spatial axis(es), ``torch.nn.functional.avg_pool{nsp}d``'s contract.

Parameters
----------
input : array_like, shape (N, C, {shape}) or (C, {shape})
    Channels-last ``(N, {shape}, C)`` / ``({shape}, C)`` with ``data_format="channels_last"``.
    float16/32/64; integers average to float64 (NumPy's ``mean``) unless ``dtype=``.
{geometry}
dtype : float dtype, optional, keyword-only
    The result's dtype (and the arithmetic's; float16 is computed in float32).
data_format : {{'channels_first', 'channels_last'}}, keyword-only
num_threads : int, optional, keyword-only
    Defaults to ``cypool.get_num_threads()``.
out : ndarray, optional, keyword-only
    A preallocated result of the right shape, dtype and memory layout.

Returns
-------
out : ndarray, shape (N, C, {outshape}), in the input's memory layout

Raises
------
TypeError
    Unsupported dtype.
ValueError
    Wrong dimensions or geometry, a window with no input cell, a wrong ``out``.

Notes
-----
Each window's divisor is PyTorch's (SPEC.md, reference §B3): the kernel
volume clipped to the padded input, or the real cells only with
``count_include_pad=False``, or ``divisor_override``. float32 sums in float32
in scan order, as PyTorch does; a window over a whole plane sums in eight
lanes (see ``global_avg_pool``). Results are bitwise identical for any number
of threads.

Examples
--------
{example}
"""

_BACKWARD_DOC = """Gradient of ``avg_pool{nsp}d`` with respect to its input.

Parameters
----------
grad_output : array_like, shape of the forward output
    float16, float32 or float64.
input_shape : tuple of ints
    The forward input's shape: (N, C, {shape}) or (C, {shape}) (channels-last likewise).
{geometry}
data_format, num_threads : keyword-only, as for the forward.

Returns
-------
grad_input : ndarray, shape ``input_shape``, grad_output's dtype
    Each real cell of a window receives that window's gradient / divisor.

Raises
------
TypeError, ValueError
    Wrong dtypes, arguments, or a grad_output whose shape the arguments do not give.

Examples
--------
{example}
"""

_FORWARD_EXAMPLES = {
    1: """>>> import numpy as np, cypool
>>> cypool.avg_pool1d(np.array([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2, ceil_mode=True)
array([[[1.5, 3.5, 5. ]]])
>>> cypool.avg_pool1d(np.array([[[1, 2, 3, 4]]], dtype=np.uint8), 2)  # integers -> float64
array([[[1.5, 3.5]]])""",
    2: """>>> import numpy as np, cypool
>>> x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
>>> cypool.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
array([[[[ 3.5,  5. ,  6. ],
         [ 9.5, 11. , 12. ],
         [13.5, 15. , 16. ]]]], dtype=float32)""",
    3: """>>> import numpy as np, cypool
>>> x = np.arange(8, dtype=np.float64).reshape(1, 1, 2, 2, 2)
>>> cypool.avg_pool3d(x, 2)
array([[[[[3.5]]]]])
>>> cypool.avg_pool3d(x, 2, divisor_override=1)  # window sums
array([[[[[28.]]]]])""",
}

_BACKWARD_EXAMPLES = {
    1: """>>> import numpy as np, cypool
>>> cypool.avg_pool1d_backward(np.ones((1, 1, 4)), (1, 1, 5), 2, stride=1)
array([[[0.5, 1. , 1. , 1. , 0.5]]])""",
    2: """>>> import numpy as np, cypool
>>> cypool.avg_pool2d_backward(np.ones((1, 1, 1, 1)), (1, 1, 2, 2), 2)
array([[[[0.25, 0.25],
         [0.25, 0.25]]]])""",
    3: """>>> import numpy as np, cypool
>>> g = cypool.avg_pool3d_backward(np.ones((1, 1, 1, 1, 1)), (1, 1, 2, 2, 2), 2)
>>> g.ravel()
array([0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125])""",
}


def _make_forward(nsp):
    name = f"avg_pool{nsp}d"

    def pool(input, kernel_size, stride=None, padding=0, ceil_mode=False,
             count_include_pad=True, divisor_override=None, *, dilation=1, dtype=None,
             data_format="channels_first", num_threads=None, out=None):
        return _window.avg_forward(
            name, input, nsp, kernel_size, stride, padding, ceil_mode, count_include_pad,
            divisor_override, dilation=dilation, dtype=dtype, data_format=data_format,
            num_threads=num_threads, out=out,
        )

    return public(pool, name, _FORWARD_DOC.format(
        nsp=nsp, shape=_SHAPES[nsp], outshape=_OUT[nsp],
        geometry=_GEOMETRY_DOC.format(nsp=nsp), example=_FORWARD_EXAMPLES[nsp],
    ))


def _make_backward(nsp):
    name = f"avg_pool{nsp}d_backward"

    def backward(grad_output, input_shape, kernel_size, stride=None, padding=0,
                 ceil_mode=False, count_include_pad=True, divisor_override=None, *,
                 dilation=1, data_format="channels_first", num_threads=None):
        return _window.avg_backward(
            name, grad_output, input_shape, nsp, kernel_size, stride, padding, ceil_mode,
            count_include_pad, divisor_override, dilation=dilation,
            data_format=data_format, num_threads=num_threads,
        )

    return public(backward, name, _BACKWARD_DOC.format(
        nsp=nsp, shape=_SHAPES[nsp], geometry=_GEOMETRY_DOC.format(nsp=nsp),
        example=_BACKWARD_EXAMPLES[nsp],
    ))


avg_pool1d = _make_forward(1)
avg_pool2d = _make_forward(2)
avg_pool3d = _make_forward(3)
avg_pool1d_backward = _make_backward(1)
avg_pool2d_backward = _make_backward(2)
avg_pool3d_backward = _make_backward(3)

__all__ = [
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "avg_pool1d_backward", "avg_pool2d_backward", "avg_pool3d_backward",
]
