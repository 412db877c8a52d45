"""global_max_pool, global_min_pool, global_avg_pool, global_lp_pool and their backward functions.

One window per (n, c) plane, over any number of spatial axes. Driver in
functional/_lp.py (flattens the spatial axes, then the 1-D adaptive path);
tests in tests/test_global_pool.py.
"""
from . import _lp
from ._public import public

_INPUT = """input : array_like, shape (N, C, *spatial)
    Channels-last ``(N, *spatial, C)`` with ``data_format="channels_last"``; at least one
    spatial axis, none of them empty; the batch axis is required."""

_OUT = """out : ndarray, shape (N, C), or (N, C, 1, ..., 1) with ``keepdims=True``
    (channels-last: (N, C) or (N, 1, ..., 1, C))"""

_SELECT_DOC = """Global {op} pooling: the {op} of each (n, c) plane.

Parameters
----------
{input}
return_indices : bool
    Also return the int64 flat index of the {op} within its plane (row-major over
    the spatial axes).
keepdims : bool, keyword-only
data_format : {{'channels_first', 'channels_last'}}, keyword-only
num_threads : int, optional, keyword-only

Returns
-------
{out}
indices : ndarray of int64, same shape (with ``return_indices=True``)

Examples
--------
>>> import numpy as np, cypool
>>> x = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
>>> cypool.global_{op}_pool(x, return_indices=True)
{example}
>>> cypool.global_{op}_pool(x, keepdims=True).shape
(1, 2, 1, 1)
"""

_SELECT_BWD_DOC = """Gradient of ``global_{op}_pool``: each plane's gradient goes to its recorded index.

Parameters
----------
grad_output : array_like, shape (N, C) (or the keepdims shape)
indices : array_like of ints, the forward's indices
input_shape : tuple of ints, the forward input's shape
keepdims : bool, keyword-only, as given to the forward
data_format, num_threads : keyword-only

Returns
-------
grad_input : ndarray, shape ``input_shape``

Examples
--------
>>> import numpy as np, cypool
>>> x = np.array([[[1.0, 3.0, 2.0]]])
>>> y, idx = cypool.global_{op}_pool(x, return_indices=True)
>>> cypool.global_{op}_pool_backward(np.ones_like(y), idx, x.shape)
{grad}
"""

_EXAMPLES = {
    "max": "(array([[11., 23.]], dtype=float32), array([[11, 11]]))",
    "min": "(array([[ 0., 12.]], dtype=float32), array([[0, 0]]))",
}
_GRADS = {"max": "array([[[0., 1., 0.]]])", "min": "array([[[1., 0., 0.]]])"}


def _make_select(op):
    name = f"global_{op}_pool"

    def pool(input, return_indices=False, *, keepdims=False, data_format="channels_first",
             num_threads=None):
        return _lp.global_select(name, op, input, return_indices, keepdims,
                                 data_format=data_format, num_threads=num_threads)

    return public(pool, name, _SELECT_DOC.format(op=op, input=_INPUT, out=_OUT, example=_EXAMPLES[op]))


def _make_select_backward(op):
    name = f"global_{op}_pool_backward"

    def backward(grad_output, indices, input_shape, *, keepdims=False, data_format="channels_first",
                 num_threads=None):
        return _lp.global_select_backward(name, grad_output, indices, input_shape, keepdims,
                                          data_format=data_format, num_threads=num_threads)

    return public(backward, name, _SELECT_BWD_DOC.format(op=op, grad=_GRADS[op]))


global_max_pool = _make_select("max")
global_min_pool = _make_select("min")
global_max_pool_backward = _make_select_backward("max")
global_min_pool_backward = _make_select_backward("min")


def global_avg_pool(input, *, keepdims=False, dtype=None, data_format="channels_first", num_threads=None):
    return _lp.global_avg("global_avg_pool", input, keepdims, dtype=dtype, data_format=data_format,
                          num_threads=num_threads)


global_avg_pool.__doc__ = f"""Global average pooling: the mean of each (n, c) plane.

Parameters
----------
{_INPUT}
keepdims : bool, keyword-only
dtype : float dtype, optional, keyword-only
    The result's dtype; integers average to float64 by default.
data_format : {{'channels_first', 'channels_last'}}, keyword-only
num_threads : int, optional, keyword-only

Returns
-------
{_OUT}

Notes
-----
Each plane is summed (float32 for float16 and float32 input, else float64,
or the ``dtype`` asked for) in eight lanes: lane ``l``
adds the cells ``l, l + 8, l + 16, ...`` in order, and the lanes meet as
``((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))`` (eight cells are one
vector add). Both layouts sum in this order, so ``channels_first`` and
``channels_last`` give the same bits, on any number of threads; against a
sum in scan order (PyTorch's) the results differ by float rounding only.
``adaptive_avg_pool{{1,2,3}}d`` to one cell and an ``avg_pool`` window over
the whole plane take this path too.

Examples
--------
>>> import numpy as np, cypool
>>> x = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
>>> cypool.global_avg_pool(x)
array([[ 5.5, 17.5]], dtype=float32)
>>> cypool.global_avg_pool(np.ones((2, 5, 5, 3), np.uint8), data_format="channels_last").dtype
dtype('float64')
"""


def global_avg_pool_backward(grad_output, input_shape, *, keepdims=False, data_format="channels_first",
                             num_threads=None):
    """Gradient of ``global_avg_pool``: each plane's gradient over its size, spread evenly.

    Parameters
    ----------
    grad_output : array_like, shape (N, C) (or the keepdims shape)
    input_shape : tuple of ints, the forward input's shape
    keepdims, data_format, num_threads : keyword-only, as given to the forward

    Returns
    -------
    grad_input : ndarray, shape ``input_shape``

    Examples
    --------
    >>> import numpy as np, cypool
    >>> cypool.global_avg_pool_backward(np.ones((1, 1)), (1, 1, 2, 2))
    array([[[[0.25, 0.25],
             [0.25, 0.25]]]])
    """
    return _lp.global_avg_backward("global_avg_pool_backward", grad_output, input_shape, keepdims,
                                   data_format=data_format, num_threads=num_threads)


def global_lp_pool(input, norm_type, *, keepdims=False, data_format="channels_first", num_threads=None):
    """Global Lp pooling: ``(sum x**p)**(1/p)`` over each (n, c) plane (``p = +-inf``: max / min of |x|).

    Parameters
    ----------
    input : array_like, shape (N, C, *spatial)
        Channels-last ``(N, *spatial, C)`` with ``data_format="channels_last"``; floats
        (integers are computed in float64).
    norm_type : non-zero float, or +-inf
    keepdims, data_format, num_threads : keyword-only

    Returns
    -------
    out : ndarray, shape (N, C), or (N, C, 1, ..., 1) with ``keepdims=True``

    Examples
    --------
    >>> import numpy as np, cypool
    >>> cypool.global_lp_pool(np.array([[[3.0, 4.0]], [[6.0, 8.0]]]), 2)
    array([[ 5.],
           [10.]])
    """
    return _lp.global_lp("global_lp_pool", input, norm_type, keepdims, data_format=data_format,
                         num_threads=num_threads)


def global_lp_pool_backward(grad_output, input, output, norm_type, *, keepdims=False,
                            data_format="channels_first", num_threads=None):
    """Gradient of ``global_lp_pool``: ``x_i**(p-1) * y**(1-p)`` per plane, 0 where ``y = 0``.

    Parameters
    ----------
    grad_output : array_like, shape (N, C) (or the keepdims shape)
    input, output : array_like, the forward's input and output
    norm_type : the forward's ``p``
    keepdims, data_format, num_threads : keyword-only, as given to the forward

    Returns
    -------
    grad_input : ndarray, shape of ``input``

    Examples
    --------
    >>> import numpy as np, cypool
    >>> x = np.array([[[3.0, 4.0]]])
    >>> y = cypool.global_lp_pool(x, 2)
    >>> cypool.global_lp_pool_backward(np.ones_like(y), x, y, 2)
    array([[[0.6, 0.8]]])
    """
    return _lp.global_lp_backward("global_lp_pool_backward", grad_output, input, output, norm_type,
                                  keepdims, data_format=data_format, num_threads=num_threads)


__all__ = ["global_max_pool", "global_min_pool", "global_avg_pool", "global_lp_pool",
           "global_max_pool_backward", "global_min_pool_backward", "global_avg_pool_backward",
           "global_lp_pool_backward"]
