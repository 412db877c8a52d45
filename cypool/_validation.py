"""Argument checking: every user-facing error of cypool is raised here.

Each check takes ``fn``, the public function's name, so that a message reads
``"max_pool2d: kernel_size must be a positive int or a tuple of 2 positive
ints; got (3, 0)"``: function, argument, what it accepts, what it got.
TypeError for types and dtypes, ValueError for values and shapes.
"""
import numbers
import operator

import numpy as np

from ._geometry import AxisPlan, WindowPlan, output_length, same_padding, tap_table

FLOAT_DTYPES = tuple(np.dtype(t) for t in ("float16", "float32", "float64"))
INT_DTYPES = tuple(
    np.dtype(t)
    for t in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
)
ORDERED_DTYPES = FLOAT_DTYPES + INT_DTYPES
DATA_FORMATS = ("channels_first", "channels_last")
AXIS_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _names(dtypes):
    return ", ".join(d.name for d in dtypes)


def array(fn, name, value, dtypes):
    """``np.asarray(value)`` with a dtype among ``dtypes``; TypeError otherwise."""
    try:
        a = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{fn}: {name} must be an array-like of numbers; got {type(value).__name__} ({exc})") from None
    if a.dtype not in dtypes and a.dtype.newbyteorder("=") in dtypes:
        a = a.astype(a.dtype.newbyteorder("="))  # big-endian data: same values, native order
    if a.dtype not in dtypes:
        what = "bool" if a.dtype == np.bool_ else a.dtype.name
        raise TypeError(f"{fn}: {name} has dtype {what}, which is not supported; supported dtypes: {_names(dtypes)}")
    return a


def data_format(fn, value):
    """True for channels-last, False for channels-first."""
    if not isinstance(value, str) or value not in DATA_FORMATS:
        raise ValueError(f"{fn}: data_format must be 'channels_first' or 'channels_last'; got {value!r}")
    return value == "channels_last"


def pooling_input(fn, name, a, nsp, channels_last):
    """Check ``a.ndim`` for an op with ``nsp`` spatial axes; return whether it is batched."""
    axes = AXIS_NAMES[nsp]
    inner = (", ".join(axes) + ", C") if channels_last else ("C, " + ", ".join(axes))
    if a.ndim not in (nsp + 1, nsp + 2):
        raise ValueError(
            f"{fn}: {name} must be {nsp + 1}-D ({inner}) or {nsp + 2}-D (N, {inner}); "
            f"got {a.ndim}-D with shape {a.shape}"
        )
    return a.ndim == nsp + 2


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def int_tuple(fn, name, value, nsp, minimum=1):
    """An int or ``nsp`` ints, each >= minimum, as a tuple of ``nsp`` ints."""
    kind = "positive" if minimum == 1 else f">= {minimum}"
    if _is_int(value) and value >= minimum:
        return (int(value),) * nsp
    if isinstance(value, (tuple, list)) and len(value) == nsp and all(_is_int(v) and v >= minimum for v in value):
        return tuple(int(v) for v in value)
    ints = _is_int(value) or (isinstance(value, (tuple, list)) and all(_is_int(v) for v in value))
    raise (ValueError if ints else TypeError)(
        f"{fn}: {name} must be a {kind} int or a tuple of {nsp} {kind} ints; got {value!r}"
    )


def flag(fn, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{fn}: {name} must be True or False; got {value!r}")
    return bool(value)


def _padding_pairs(fn, padding, nsp):
    """int | nsp ints | nsp (lo, hi) pairs -> nsp (lo, hi) pairs (strings handled by the caller)."""
    msg = (
        f"{fn}: padding must be a non-negative int, a tuple of {nsp} non-negative ints or "
        f"(lo, hi) pairs, 'valid', 'same' or 'same_lower'; got {padding!r}"
    )
    if _is_int(padding):
        if padding < 0:
            raise ValueError(msg)
        return ((int(padding), int(padding)),) * nsp
    if not isinstance(padding, (tuple, list)):
        raise TypeError(msg)
    if len(padding) != nsp:
        raise ValueError(msg)
    pairs = []
    for p in padding:
        if _is_int(p):
            p = (p, p)
        if not (isinstance(p, (tuple, list)) and all(_is_int(v) for v in p)):
            raise TypeError(msg)
        if not (len(p) == 2 and all(v >= 0 for v in p)):
            raise ValueError(msg)
        pairs.append((int(p[0]), int(p[1])))
    return tuple(pairs)


def _key(args):
    """A cache key for window_plan's arguments, or None (then no caching).

    Only plain Python values are keyed: ints, bools, strings and None, and tuples or
    lists of ints or of int pairs, each with its exact type, so that values that compare
    equal across types (True and 1, (3,) and [3]) never share a plan: a call that must
    raise never meets the plan of one that passed. Anything else (NumPy integers, ...)
    takes the uncached path.
    """
    out = []
    for v in args:
        t = type(v)
        if t is int or t is bool or t is str or v is None:
            out.append((t, v))
        elif t is tuple or t is list:
            inner = []
            for w in v:
                tw = type(w)
                if tw is int:
                    inner.append(w)
                elif (tw is tuple or tw is list) and all(type(z) is int for z in w):
                    inner.append((tw, tuple(w)))
                else:
                    return None
            out.append((t, tuple(inner)))
        else:
            return None
    return tuple(out)


def window_plan(fn, spatial, kernel_size, stride, padding, dilation, ceil_mode):
    """Build the WindowPlan of a sliding-window op; every geometry error is raised here.

    Plans are cached by their arguments' values and types (a few microseconds a call
    instead of tens): only arguments that passed are cached, so errors are raised as
    before, and ``fn`` (which only names the caller in messages) is not part of the key.
    """
    key = _key((tuple(spatial), kernel_size, stride, padding, dilation, ceil_mode))
    if key is None:
        return _window_plan(fn, spatial, kernel_size, stride, padding, dilation, ceil_mode)
    return _cached_plan(key, fn, spatial, kernel_size, stride, padding, dilation, ceil_mode)


_PLAN_CACHE = {}
_PLAN_CACHE_SIZE = 256


def _cached_plan(key, fn, *args):
    """The plan of ``key``; on a miss built from the caller's own arguments (so messages
    show them as given). Each dict step is atomic under the GIL and a full cache is
    cleared whole, so threads calling at once never race on an eviction."""
    plan = _PLAN_CACHE.get(key)
    if plan is None:
        plan = _window_plan(fn, *args)  # raises for bad arguments: nothing cached
        if len(_PLAN_CACHE) >= _PLAN_CACHE_SIZE:
            _PLAN_CACHE.clear()
        _PLAN_CACHE[key] = plan
    return plan


def _window_plan(fn, spatial, kernel_size, stride, padding, dilation, ceil_mode):
    nsp = len(spatial)
    kernel = int_tuple(fn, "kernel_size", kernel_size, nsp)
    strides = kernel if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else int_tuple(fn, "stride", stride, nsp)
    dil = int_tuple(fn, "dilation", dilation, nsp)
    ceil_mode = flag(fn, "ceil_mode", ceil_mode)
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            pads = ((0, 0),) * nsp
        elif mode in ("same", "same_lower"):
            pads = tuple(
                same_padding(n, k, s, d, mode == "same_lower")
                for n, k, s, d in zip(spatial, kernel, strides, dil)
            )
        else:
            raise ValueError(f"{fn}: padding string must be 'valid', 'same' or 'same_lower'; got {padding!r}")
    else:
        pads = _padding_pairs(fn, padding, nsp)
    axes = []
    names = AXIS_NAMES[nsp]
    for i, (n, k, s, d, (lo, hi)) in enumerate(zip(spatial, kernel, strides, dil, pads)):
        m = output_length(n, k, s, d, lo, hi, ceil_mode)
        if m < 1:
            raise ValueError(
                f"{fn}: the window (kernel_size={k}, dilation={d}, extent {d * (k - 1) + 1}) does not fit "
                f"the padded input along axis {names[i]} (size {n}, padding ({lo}, {hi})); "
                f"output size would be {m}"
            )
        axis = AxisPlan(size=n, kernel=k, stride=s, dilation=d, pad_lo=lo, pad_hi=hi, out=m)
        empty = np.flatnonzero(tap_table(axis)[1] == 0)
        if empty.size:
            raise ValueError(
                f"{fn}: padding ({lo}, {hi}) along axis {names[i]} leaves window {int(empty[0])} "
                f"with no input cell (size {n}, kernel_size={k}, stride={s}, dilation={d}); "
                "each window must cover at least one input cell"
            )
        axes.append(axis)
    return WindowPlan(tuple(axes))


def norm_type(fn, value):
    """Lp pooling's p: a non-zero real number, or +-inf (max / min of |x|), as PyTorch."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fn}: norm_type must be a non-zero number or +-inf; got {value!r}")
    if value == 0 or value != value:
        raise ValueError(f"{fn}: norm_type must be a non-zero number or +-inf; got {value!r}")
    return float(value)


def global_input(fn, name, a, channels_last):
    """Global pooling: batched (N, C, *spatial) / (N, *spatial, C) with >= 1 spatial axis."""
    if a.ndim < 3:
        inner = "(N, *spatial, C)" if channels_last else "(N, C, *spatial)"
        raise ValueError(f"{fn}: {name} must be {inner} with at least one spatial axis (>= 3-D); "
                         f"got {a.ndim}-D shape {a.shape}")


def adaptive_output_size(fn, value, spatial):
    """An int or one entry per spatial axis, each a positive int or None (keep that axis)."""
    nsp = len(spatial)
    msg = (f"{fn}: output_size must be a positive int or a tuple of {nsp} positive ints or None; "
           f"got {value!r}")
    if _is_int(value):
        if value < 1:
            raise ValueError(msg)
        return (int(value),) * nsp
    if not isinstance(value, (tuple, list)):
        raise TypeError(msg)
    if len(value) != nsp:
        raise ValueError(msg)
    if not all(v is None or _is_int(v) for v in value):
        raise TypeError(msg)
    if any(v is not None and v < 1 for v in value):
        raise ValueError(msg)
    return tuple(n if v is None else int(v) for v, n in zip(value, spatial))


MAX_THREADS = 2**31 - 1  # OpenMP takes a C int


def num_threads(fn, value):
    """None (the package default) or a positive int."""
    if value is None:
        return None
    if not _is_int(value) or value < 1 or value > MAX_THREADS:
        raise (ValueError if _is_int(value) else TypeError)(
            f"{fn}: num_threads must be None or a positive int (at most {MAX_THREADS}); got {value!r}"
        )
    return int(value)


def divisor_override(fn, value):
    """None or a non-zero int, as PyTorch (negative divides by a negative); 0 stands for None."""
    if value is None:
        return 0
    if not _is_int(value) or value == 0 or abs(value) > 2**53:
        raise (ValueError if _is_int(value) else TypeError)(
            f"{fn}: divisor_override must be None or a non-zero int (|d| <= 2**53); got {value!r}")
    return int(value)


def float_dtype(fn, name, value):
    """None or a float dtype for results of averages."""
    if value is None:
        return None
    try:
        dt = np.dtype(value)
    except (TypeError, ValueError):
        dt = None
    # not `dt not in FLOAT_DTYPES` alone: numpy compares None equal to float64
    if dt is None or dt not in FLOAT_DTYPES:
        raise TypeError(f"{fn}: {name} must be None or one of {_names(FLOAT_DTYPES)}; got {value!r}")
    return dt


def output_array(fn, name, out, shape, dtype):
    """A preallocated output: right shape and dtype (its layout is checked by _layout)."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{fn}: {name} must be a numpy.ndarray; got {type(out).__name__}")
    if out.shape != tuple(shape) or out.dtype != dtype:
        raise ValueError(
            f"{fn}: {name} must have shape {tuple(shape)} and dtype {np.dtype(dtype).name}; "
            f"got shape {out.shape} and dtype {out.dtype.name}"
        )
    if not out.flags.writeable:
        raise ValueError(f"{fn}: {name} must be writeable; got a read-only array")


def output_layout(fn, name, out, ok, layout):
    if not ok:
        kind = "channels-last" if layout == "cl" else "channels-first"
        raise ValueError(
            f"{fn}: {name} must be contiguous in the {kind} memory layout the input runs in "
            "(allocate it like the result, e.g. with numpy.empty_like of a previous result); "
            f"got strides {out.strides}"
        )


def no_overlap(fn, name, out, *inputs):
    for a in inputs:
        if np.may_share_memory(out, a):
            raise ValueError(f"{fn}: {name} must not overlap the input arrays")


def input_shape(fn, value, nsp, channels_last):
    """The forward input's shape given to a backward function."""
    try:
        shape = tuple(operator.index(v) for v in value)
    except TypeError:
        raise TypeError(f"{fn}: input_shape must be a tuple of ints; got {value!r}") from None
    axes = AXIS_NAMES[nsp]
    inner = (", ".join(axes) + ", C") if channels_last else ("C, " + ", ".join(axes))
    if len(shape) not in (nsp + 1, nsp + 2) or any(v < 0 for v in shape):
        raise ValueError(
            f"{fn}: input_shape must have {nsp + 1} ({inner}) or {nsp + 2} (N, {inner}) "
            f"non-negative entries; got {value!r}"
        )
    return shape


def nonempty_spatial(fn, name, shape, spatial):
    """Adaptive and global pooling need at least one cell per plane."""
    if min(spatial, default=1) < 1:
        raise ValueError(f"{fn}: {name} must have a non-zero size along every spatial axis; "
                         f"got shape {tuple(shape)}")


def input_shape_any(fn, value, channels_last):
    """A global op's input shape: >= 3 non-negative ints, batched, any number of spatial axes."""
    try:
        shape = tuple(operator.index(v) for v in value)
    except TypeError:
        raise TypeError(f"{fn}: input_shape must be a tuple of ints; got {value!r}") from None
    if len(shape) < 3 or min(shape) < 0:
        inner = "(N, *spatial, C)" if channels_last else "(N, C, *spatial)"
        raise ValueError(f"{fn}: input_shape must be {inner} with at least one spatial axis; got {shape}")
    return shape


def grad_output_rank(fn, g, shape):
    """A backward's grad_output has the forward input's number of dimensions."""
    if g.ndim != len(shape):
        raise ValueError(
            f"{fn}: grad_output must have {len(shape)} dimensions like input_shape {shape}; "
            f"got shape {g.shape}"
        )


def grad_output_planes(fn, g, g_planes, shape, in_planes):
    """A backward's grad_output has the forward input's batch and channel sizes."""
    if g_planes != in_planes:
        raise ValueError(
            f"{fn}: grad_output's batch and channel sizes must match input_shape {shape}; "
            f"got grad_output shape {g.shape}"
        )


def grad_output_nonempty(fn, g, out_size):
    """An adaptive backward reads output_size from grad_output: it must be positive."""
    if min(out_size, default=1) < 1:
        raise ValueError(f"{fn}: grad_output must have a positive spatial size; got shape {g.shape}")


def indices_out_unused(fn, indices_out, return_indices):
    if indices_out is not None and not return_indices:
        raise ValueError(f"{fn}: indices_out is given but return_indices is False")


def same_shape(fn, name, a, shape, what):
    if a.shape != tuple(shape):
        raise ValueError(f"{fn}: {name} must have shape {tuple(shape)} ({what}); got {a.shape}")


def indices_in_range(fn, nbad, plane):
    if nbad:
        raise ValueError(
            f"{fn}: indices must lie in [0, {plane}), the flat positions in one input plane; "
            f"got {nbad} out of range"
        )


# ---------------------------------------------------------------- max unpooling (§B12)


def _unpool_output_size(fn, value, nsp, channels_last):
    """``output_size`` as given: nsp spatial sizes, or nsp + 2 (a full batched shape, as PyTorch)."""
    msg = (
        f"{fn}: output_size must be None or a sequence of {nsp} (spatial) or {nsp + 2} "
        f"(full batched shape) non-negative ints; got {value!r}"
    )
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or getattr(value, "ndim", 1) != 1:
        raise TypeError(msg)
    items = list(value)
    if not all(_is_int(v) for v in items):
        raise TypeError(msg)
    if len(items) not in (nsp, nsp + 2) or any(v < 0 for v in items):
        raise ValueError(msg)
    if len(items) == nsp + 2:  # PyTorch ignores the batch and channel entries; so does cypool
        items = items[1:-1] if channels_last else items[2:]
    return tuple(int(v) for v in items)


def unpool_output_size(fn, spatial, kernel_size, stride, padding, output_size, channels_last):
    """The spatial output size of max_unpool (PyTorch's rule, §B12); every geometry error is raised here.

    Default per axis ``(m - 1) * stride + kernel_size - 2 * padding``; an explicit
    ``output_size`` must lie strictly between ``default - stride`` and ``default + stride``.
    """
    nsp = len(spatial)
    kernel = int_tuple(fn, "kernel_size", kernel_size, nsp)
    empty = isinstance(stride, (tuple, list)) and len(stride) == 0
    strides = kernel if stride is None or empty else int_tuple(fn, "stride", stride, nsp)
    pads = int_tuple(fn, "padding", padding, nsp, minimum=0)
    default = tuple((m - 1) * s + k - 2 * p for m, k, s, p in zip(spatial, kernel, strides, pads))
    names = AXIS_NAMES[nsp]
    if output_size is None:
        for i, d in enumerate(default):
            if d < 0:
                raise ValueError(
                    f"{fn}: kernel_size={kernel[i]}, stride={strides[i]} and padding={pads[i]} give a "
                    f"negative output size {d} along axis {names[i]} (input size {spatial[i]}); "
                    "pass a smaller padding or an explicit output_size"
                )
        return default
    sizes = _unpool_output_size(fn, output_size, nsp, channels_last)
    for i, (v, d, s) in enumerate(zip(sizes, default, strides)):
        if not d - s < v < d + s:
            raise ValueError(
                f"{fn}: output_size {tuple(output_size)} is out of range along axis {names[i]}: "
                f"it must lie strictly between {d - s} and {d + s} (the default {d} minus or plus "
                f"stride {s}); got {v}"
            )
    return sizes


def unpool_indices_in_range(fn, nbad, spatial, what, hint=""):
    """The kernels' count of indices outside the ``what`` plane of shape ``spatial``."""
    if nbad:
        plane = int(np.prod(spatial, dtype=np.int64))
        raise ValueError(
            f"{fn}: indices must lie in [0, {plane}), the flat positions in one {what} plane of "
            f"shape {tuple(spatial)}; got {nbad} out of range{hint}"
        )


# ---------------------------------------------------------------- fractional pooling

FRACTIONAL_SCHEMES = ("torch", "graham")


def fractional_scheme(fn, value, nsp):
    """'torch' or 'graham' (2-D only: TensorFlow, its reference, has no 3-D op)."""
    if not isinstance(value, str) or value not in FRACTIONAL_SCHEMES:
        raise ValueError(f"{fn}: scheme must be 'torch' or 'graham'; got {value!r}")
    if value == "graham" and nsp != 2:
        raise ValueError(
            f"{fn}: scheme='graham' (TensorFlow's boundary sequences) is implemented for 2-D only; "
            f"got scheme={value!r}; use scheme='torch'"
        )
    return value


def unused_options(fn, scheme, **options):
    """Refuse the options of the other scheme: each must be None or False."""
    for name, value in options.items():
        if value is None or (isinstance(value, (bool, np.bool_)) and not value):
            continue
        raise ValueError(f"{fn}: {name} is not used by scheme={scheme!r}; got {name}={value!r}")


def _ratio_tuple(fn, value, nsp):
    msg = f"{fn}: output_ratio must be a number in (0, 1) or a tuple of {nsp} such numbers; got {value!r}"
    vals = tuple(value) if isinstance(value, (tuple, list)) else (value,) * nsp
    if not all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in vals):
        raise TypeError(msg)
    if len(vals) != nsp or not all(0 < v < 1 for v in vals):
        raise ValueError(msg)
    return tuple(float(v) for v in vals)


def fractional_output_size(fn, spatial, output_size, output_ratio, required=True):
    """Output length per axis from exactly one of output_size / output_ratio (m = int(n * ratio)).

    Returns None when neither is given and ``required`` is False.
    """
    nsp = len(spatial)
    if output_size is not None and output_ratio is not None:
        raise ValueError(
            f"{fn}: give output_size or output_ratio, not both; "
            f"got output_size={output_size!r} and output_ratio={output_ratio!r}"
        )
    if output_size is None and output_ratio is None:
        if not required:
            return None
        raise ValueError(f"{fn}: one of output_size or output_ratio is required; got neither")
    if output_size is not None:
        return int_tuple(fn, "output_size", output_size, nsp)
    ratios = _ratio_tuple(fn, output_ratio, nsp)
    sizes = tuple(int(n * r) for n, r in zip(spatial, ratios))
    for name, n, r, m in zip(AXIS_NAMES[nsp], spatial, ratios, sizes):
        if m < 1:
            raise ValueError(
                f"{fn}: output_ratio {r} leaves no output along axis {name} (int({n} * {r}) = 0); "
                "give a larger ratio or output_size"
            )
    return sizes


def fractional_kernel(fn, kernel_size, spatial, out_sizes):
    """PyTorch scheme: a positive kernel per axis with m + k - 1 <= n."""
    nsp = len(spatial)
    if kernel_size is None:
        raise TypeError(f"{fn}: kernel_size is required by scheme='torch'; got None")
    kernel = int_tuple(fn, "kernel_size", kernel_size, nsp)
    for name, n, k, m in zip(AXIS_NAMES[nsp], spatial, kernel, out_sizes):
        if m + k - 1 > n:
            raise ValueError(
                f"{fn}: output size {m} with kernel_size {k} needs output_size + kernel_size - 1 <= input size "
                f"along axis {name}; got {m} + {k} - 1 > {n}"
            )
    return kernel


def random_samples(fn, value, shape, dtype):
    """PyTorch's ``_random_samples``: ``shape`` (N, C, nsp) of ``dtype``, values in [0, 1)."""
    a = array(fn, "_random_samples", value, (dtype,))
    nsp = shape[-1]
    unbatched_ok = len(shape) == 3 and shape[0] == 1 and a.shape == shape[1:]
    if a.shape != tuple(shape) and not unbatched_ok:
        raise ValueError(
            f"{fn}: _random_samples must have shape {tuple(shape)} (N, C, {nsp}: one sample per image, "
            f"channel and spatial axis); got shape {a.shape}"
        )
    bad = ~((a >= 0) & (a < 1))
    if bad.any():
        raise ValueError(
            f"{fn}: _random_samples must lie in [0, 1); got {int(np.count_nonzero(bad))} outside, "
            f"e.g. {a[bad].flat[0]!r}"
        )
    return a.reshape(shape)


def generator(fn, value):
    """``rng``: None (fresh OS entropy), an int seed or a numpy.random.Generator."""
    if value is None or isinstance(value, np.random.Generator):
        return np.random.default_rng(value)  # a Generator comes back as itself
    if _is_int(value):
        if value < 0:
            raise ValueError(f"{fn}: rng seed must be a non-negative int; got {value!r}")
        return np.random.default_rng(int(value))
    raise TypeError(f"{fn}: rng must be None, an int seed or a numpy.random.Generator; got {type(value).__name__}")


def pooling_sequence(fn, name, value, n):
    """A boundary sequence ``0 = c_0 < c_1 < ... < c_m = n`` (TensorFlow's row/col_pooling_sequence)."""
    try:
        a = np.asarray(value)
    except Exception:  # ragged lists and the like
        a = np.asarray(None)
    if a.dtype.kind not in "iu" or a.ndim != 1:
        raise TypeError(f"{fn}: {name} must be a 1-D sequence of ints; got {value!r}")
    a = a.astype(np.int64)
    if a.size < 2 or a[0] != 0 or a[-1] != n or np.any(np.diff(a) < 1):
        raise ValueError(
            f"{fn}: {name} must increase strictly from 0 to the input size {n} (at least 2 entries); "
            f"got {value!r}"
        )
    return a


def sequence_sizes(fn, sizes, seqs):
    """The output sizes implied by given boundary sequences agree with output_size/output_ratio."""
    got = tuple(len(s) - 1 for s in seqs)
    if sizes is not None and got != tuple(sizes):
        raise ValueError(
            f"{fn}: row_pooling_sequence and col_pooling_sequence give output size {got}, "
            f"but output_size/output_ratio ask for {tuple(sizes)}"
        )
    return got


def sequences_together(fn, row, col):
    if (row is None) != (col is None):
        raise ValueError(
            f"{fn}: give both row_pooling_sequence and col_pooling_sequence, or neither; "
            f"got only {'row' if col is None else 'col'}_pooling_sequence"
        )


def graham_output_size(fn, spatial, sizes):
    """TensorFlow's ratio >= 1: between 1 and n outputs per axis."""
    for name, n, m in zip(AXIS_NAMES[len(spatial)], spatial, sizes):
        if m > n:
            raise ValueError(
                f"{fn}: scheme='graham' needs output_size <= input size along axis {name}; got {m} > {n}"
            )


def samples_or_rng(fn, samples, rng):
    if samples is not None and rng is not None:
        raise ValueError(f"{fn}: give _random_samples or rng, not both; got rng={rng!r} as well")


