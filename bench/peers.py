"""One function per library: ``prepare(case, layout, mode, nthreads) -> call``.

``call()`` runs the case once and returns when the result is complete. Set-up
(conversion to the library's tensors, compilation, preallocation for
``cypool_out``) happens in ``prepare``, outside the timing. A ``train`` call
computes the forward's result and the gradient of the input (both, in
every library: see jax_prepare). A library that
lacks the op, or refuses the case, raises :class:`Unsupported` with the reason.

Every peer is written as its users would write it: the library's own pooling
op where it has one, in the layout asked for. TensorFlow computes in its
native channels-last layout for every row (it refuses channels-first pooling
on the CPU); NumPy and scikit-image are single-threaded.
"""
import inspect

import numpy as np

from .cases import to_layout


class Unsupported(Exception):
    """The library lacks the op or refuses the case; the message says which."""


def unpool_inputs(case, layout, seed=0):
    """A pooled map of ``case.shape`` and its max indices into planes ``k`` times larger."""
    rng = np.random.default_rng(seed)
    n, c, h, w = case.shape
    k = case.kwargs["kernel_size"]
    x = rng.standard_normal(case.shape, dtype=np.float64).astype(case.dtype)
    dh, dw = rng.integers(0, k, case.shape), rng.integers(0, k, case.shape)
    rows = np.arange(h)[:, None] * k + dh
    cols = np.arange(w)[None, :] * k + dw
    idx = (rows * (w * k) + cols).astype(np.int64)
    return to_layout(x, layout), to_layout(idx, layout)


def fractional_samples(case, seed=0):
    """PyTorch's ``_random_samples`` for a fractional case: one per (n, c, axis), fixed, so that
    cypool and PyTorch pool the same windows (same work, comparable results)."""
    n, c = case.shape[:2]
    return np.random.default_rng(seed).random((n, c, case.nsp)).astype(case.dtype)


def _pads(case):
    p = case.kwargs.get("padding", 0)
    return [(p, p)] * case.nsp


def _spatial_axes(case, layout):
    first = 2 if layout == "cf" else 1
    return tuple(range(first, first + case.nsp))


# --------------------------------------------------------------------- cypool
def cypool_prepare(case, layout, mode, nthreads, prealloc=False):
    import cypool

    from .cases import make_input

    df = "channels_last" if layout == "cl" else "channels_first"
    opts = dict(data_format=df, num_threads=nthreads)
    kw = dict(case.kwargs)
    op = case.op
    if op in ("max_u8", "mean_u8"):
        x = make_input(case, layout)
        fn = cypool.max_pool2d if op == "max_u8" else cypool.avg_pool2d
        extra = {} if op == "max_u8" else {"dtype": np.float32}
        if prealloc:
            out = fn(x, 2, **extra, **opts)
            return lambda: fn(x, 2, **extra, **opts, out=out)
        return lambda: fn(x, 2, **extra, **opts)
    if op == "fractional_max":
        kw["_random_samples"] = fractional_samples(case)
    names = {"max": "max_pool", "avg": "avg_pool", "adaptive_avg": "adaptive_avg_pool",
             "adaptive_max": "adaptive_max_pool", "fractional_max": "fractional_max_pool",
             "lp": "lp_pool", "unpool": "max_unpool"}
    name = f"{names[op]}{case.nsp}d"
    fn = getattr(cypool, name, None)
    if fn is None:
        raise Unsupported(f"cypool {cypool.__version__} has no {name} yet")
    back = getattr(cypool, f"{name}_backward", None)
    if op == "unpool":
        x, idx = unpool_inputs(case, layout)
        if mode == "fwd":
            return lambda: fn(x, idx, **kw, **opts)
        if back is None:
            raise Unsupported(f"cypool has no {name}_backward yet")
        g = make_like(fn(x, idx, **kw, **opts))

        def train_unpool():
            fn(x, idx, **kw, **opts)
            return back(g, idx, x.shape, **opts)
        return train_unpool
    x = make_input(case, layout)
    indexed = case.has_indices
    if prealloc and "out" not in inspect.signature(fn).parameters:
        raise Unsupported(f"{name} takes no out=")
    if mode == "fwd":
        if prealloc:
            out = fn(x, **kw, **opts)
            if isinstance(out, tuple):
                y, i = out
                return lambda: fn(x, **kw, **opts, out=y, indices_out=i)
            return lambda: fn(x, **kw, **opts, out=out)
        return lambda: fn(x, **kw, **opts)
    if mode == "idx":
        if prealloc:
            y, i = fn(x, **kw, return_indices=True, **opts)
            return lambda: fn(x, **kw, return_indices=True, **opts, out=y, indices_out=i)
        return lambda: fn(x, **kw, return_indices=True, **opts)
    if prealloc:
        raise Unsupported("out= covers forwards only")
    if indexed:
        y, i = fn(x, **kw, return_indices=True, **opts)
        g = make_like(y)

        def train():
            _, i = fn(x, **kw, return_indices=True, **opts)
            return back(g, i, x.shape, **opts)
        return train
    g = make_like(fn(x, **kw, **opts))
    if op == "lp":
        def train():
            y = fn(x, **kw, **opts)
            return back(g, x, y, **kw, **opts)
    elif op == "adaptive_avg":
        def train():
            fn(x, **kw, **opts)
            return back(g, x.shape, **opts)
    else:
        def train():
            fn(x, **kw, **opts)
            return back(g, x.shape, **kw, **opts)
    return train


def cypool_out_prepare(case, layout, mode, nthreads):
    return cypool_prepare(case, layout, mode, nthreads, prealloc=True)


def make_like(y):
    return np.random.default_rng(1).standard_normal(y.shape).astype(y.dtype)


# ---------------------------------------------------------------------- torch
def torch_prepare(case, layout, mode, nthreads):
    import torch
    import torch.nn.functional as F

    from .cases import make_input

    torch.set_num_threads(nthreads)

    def tensor(a):
        t = torch.from_numpy(a)
        if layout == "cl" and a.ndim >= 3 and not case.op.endswith("_u8"):
            t = t.permute(0, a.ndim - 1, *range(1, a.ndim - 1))   # NHWC memory, NCHW view
        return t

    op, kw, nsp = case.op, dict(case.kwargs), case.nsp
    if op == "fractional_max":
        # a tuple: torch 2.13 refuses a plain float output_ratio (len() of a float)
        kw["output_ratio"] = (kw["output_ratio"],) * nsp
        kw["_random_samples"] = torch.from_numpy(fractional_samples(case))
    if op in ("max_u8", "mean_u8"):
        t = torch.from_numpy(make_input(case, layout)).permute(2, 0, 1)[None]
        if op == "mean_u8":
            try:
                F.avg_pool2d(t[..., :4, :4], 2)
            except RuntimeError as e:
                raise Unsupported(f"torch refuses: {str(e).splitlines()[0][:80]}")
            return lambda: F.avg_pool2d(t, 2)
        return lambda: F.max_pool2d(t, 2)
    if op == "unpool":
        x, idx = unpool_inputs(case, layout)
        t, ti = tensor(x), tensor(idx)
        f = lambda t: F.max_unpool2d(t, ti, **kw)  # noqa: E731
    else:
        t = tensor(make_input(case, layout))
        fns = {
            "max": lambda t, ri=False: getattr(F, f"max_pool{nsp}d")(t, **kw, return_indices=ri),
            "avg": lambda t, ri=False: getattr(F, f"avg_pool{nsp}d")(t, **kw),
            "adaptive_avg": lambda t, ri=False: getattr(F, f"adaptive_avg_pool{nsp}d")(t, **kw),
            "adaptive_max": lambda t, ri=False: getattr(F, f"adaptive_max_pool{nsp}d")(
                t, **kw, return_indices=ri),
            "fractional_max": lambda t, ri=False: getattr(F, f"fractional_max_pool{nsp}d")(
                t, **kw, return_indices=ri),
            "lp": lambda t, ri=False: getattr(F, f"lp_pool{nsp}d")(t, **kw),
        }
        f = fns[op]
    if mode == "fwd":
        return lambda: f(t)
    if mode == "idx":
        return lambda: f(t, True)
    t = t.detach().requires_grad_(True)
    y = f(t)
    g = torch.from_numpy(make_like(y.detach().numpy()))

    def train():
        return torch.autograd.grad(f(t), t, g)
    return train


# ----------------------------------------------------------------- tensorflow
def tensorflow_prepare(case, layout, mode, nthreads):
    import tensorflow as tf

    from .cases import make_input

    try:
        tf.config.threading.set_intra_op_parallelism_threads(nthreads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass
    op, kw, nsp = case.op, case.kwargs, case.nsp
    if op in ("max_u8", "mean_u8"):
        x = tf.constant(make_input(case, layout)[None])
        if op == "max_u8":
            return lambda: tf.nn.max_pool2d(x, 2, 2, "VALID").numpy()
        return lambda: tf.nn.avg_pool2d(tf.cast(x, tf.float32), 2, 2, "VALID").numpy()
    if op in ("adaptive_max", "unpool"):
        raise Unsupported(f"tensorflow has no {op.replace('_', ' ')} op")
    if mode == "idx" and op != "max":
        raise Unsupported(f"tensorflow's {op.replace('_', ' ')} returns no plane indices")
    if mode == "idx" and nsp != 2:
        raise Unsupported("tensorflow's argmax pooling is 2-D only")
    x = tf.constant(make_input(case, "cl"))          # its native layout, see the module doc
    k, s = kw.get("kernel_size"), kw.get("stride") or kw.get("kernel_size")
    pad = "SAME" if kw.get("padding") else "VALID"  # same output size and work as PyTorch's p
    if op == "max":
        f = lambda x: tf.nn.max_pool(x, k, s, pad)  # noqa: E731
    elif op == "avg":
        if kw.get("padding") and kw.get("count_include_pad", True):
            raise Unsupported("tensorflow's SAME average excludes the padding")
        f = lambda x: tf.nn.avg_pool(x, k, s, pad)  # noqa: E731
    elif op == "adaptive_avg":
        f = lambda x: tf.reduce_mean(x, axis=list(range(1, 1 + nsp)), keepdims=True)  # noqa: E731
    elif op == "lp":
        f = lambda x: tf.sqrt(tf.nn.avg_pool(x * x, k, s, "VALID") * float(k ** nsp))  # noqa: E731
    elif op == "fractional_max":
        ratio = [1.0, 1 / kw["output_ratio"], 1 / kw["output_ratio"], 1.0]
        f = lambda x: tf.nn.fractional_max_pool(x, ratio, pseudo_random=True, overlapping=True)[0]  # noqa: E731
    if mode == "fwd":
        return lambda: f(x).numpy()
    if mode == "idx":
        return lambda: [a.numpy() for a in tf.nn.max_pool_with_argmax(x, k, s, pad)]
    x = tf.Variable(x)
    g = tf.constant(make_like(f(x).numpy()))

    def train():
        with tf.GradientTape() as tape:
            y = f(x)
        return tape.gradient(y, x, output_gradients=g).numpy()
    return train


# ------------------------------------------------------------------------ jax
def jax_prepare(case, layout, mode, nthreads):
    import jax

    if case.dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax

    from .cases import make_input

    op, kw, nsp = case.op, case.kwargs, case.nsp
    if op in ("adaptive_max", "fractional_max", "unpool"):
        raise Unsupported(f"jax has no {op.replace('_', ' ')} op")
    if mode == "idx":
        raise Unsupported("jax's pooling returns no indices")
    if op in ("max_u8", "mean_u8"):
        x = jnp.asarray(make_input(case, layout))
        if op == "max_u8":
            f = jax.jit(lambda x: lax.reduce_window(x, np.uint8(0), lax.max, (2, 2, 1), (2, 2, 1), "VALID"))
        else:
            f = jax.jit(lambda x: lax.reduce_window(x.astype(jnp.float32), 0.0, lax.add,
                                                    (2, 2, 1), (2, 2, 1), "VALID") * 0.25)
        return lambda: f(x).block_until_ready()
    x = jnp.asarray(make_input(case, layout))
    axes = _spatial_axes(case, layout)
    ndim = x.ndim
    k, s = kw.get("kernel_size"), kw.get("stride") or kw.get("kernel_size")
    window = tuple(k if a in axes else 1 for a in range(ndim)) if k else None
    strides = tuple(s if a in axes else 1 for a in range(ndim)) if k else None
    p = kw.get("padding", 0)
    pads = tuple((p, p) if a in axes else (0, 0) for a in range(ndim))
    if op == "max":
        def f(x):
            return lax.reduce_window(x, -jnp.inf, lax.max, window, strides, pads)
    elif op == "avg":
        def f(x):
            total = lax.reduce_window(x, 0.0, lax.add, window, strides, pads)
            if kw.get("count_include_pad", True) or not p:
                return total / (k ** nsp)
            ones = jnp.ones(x.shape, x.dtype)
            return total / lax.reduce_window(ones, 0.0, lax.add, window, strides, pads)
    elif op == "adaptive_avg":
        def f(x):
            return jnp.mean(x, axis=axes, keepdims=True)
    elif op == "lp":
        def f(x):
            return jnp.sqrt(lax.reduce_window(x * x, 0.0, lax.add, window, strides, pads))
    if mode == "fwd":
        jf = jax.jit(f)
        return lambda: jf(x).block_until_ready()
    g = jnp.asarray(make_like(np.asarray(jax.jit(f)(x))))

    def step(x, g):
        # the forward's result is returned too, as a training step feeds it on: a compiled
        # function that returned the gradient alone would never compute the forward of a
        # linear op (its gradient does not need it), unlike every other row's "train"
        y, back = jax.vjp(f, x)
        return y, back(g)[0]
    jt = jax.jit(step)
    return lambda: jax.block_until_ready(jt(x, g))


# ---------------------------------------------------------------------- numpy
def _offsets(k, nsp):
    return np.ndindex(*(k,) * nsp)


def _window_view(xp, axes, offset, s, out_len):
    index = [slice(None)] * xp.ndim
    for a, o, n in zip(axes, offset, out_len):
        index[a] = slice(o, o + s * (n - 1) + 1, s)
    return xp[tuple(index)]


def numpy_prepare(case, layout, mode, nthreads):
    from .cases import make_input

    if mode != "fwd":
        raise Unsupported("numpy has no indices or autograd")
    op, kw, nsp = case.op, case.kwargs, case.nsp
    if op == "fractional_max":
        raise Unsupported("no NumPy formulation")
    if op in ("max_u8", "mean_u8"):
        x = make_input(case, layout)
        parts = [x[i::2, j::2] for i in range(2) for j in range(2)]
        if op == "max_u8":
            return lambda: np.maximum(np.maximum(parts[0], parts[1]), np.maximum(parts[2], parts[3]))
        return lambda: ((parts[0].astype(np.float32) + parts[1]) + (parts[2] + parts[3].astype(np.float32))) * 0.25
    axes = _spatial_axes(case, layout)
    if op == "unpool":
        x, idx = unpool_inputs(case, layout)
        k = kw["kernel_size"]
        n, c, *sp = case.shape

        def unpool():
            out_shape = (n, c, *(d * k for d in sp)) if layout == "cf" else (n, *(d * k for d in sp), c)
            out = np.zeros(out_shape, x.dtype)
            if layout == "cf":
                np.put_along_axis(out.reshape(n * c, -1), idx.reshape(n * c, -1), x.reshape(n * c, -1), 1)
            else:
                np.put_along_axis(out.reshape(n, -1, c), idx.reshape(n, -1, c), x.reshape(n, -1, c), 1)
            return out
        return unpool
    x = make_input(case, layout)
    if op == "adaptive_avg":
        return lambda: x.mean(axis=axes, keepdims=True)
    if op == "adaptive_max":
        out_size = kw["output_size"]
        sp = [x.shape[a] for a in axes]

        def adaptive_max():
            out = np.empty(_out_shape(x.shape, axes, out_size), x.dtype)
            for cell in np.ndindex(*out_size):
                src = [slice(None)] * x.ndim
                dst = [slice(None)] * x.ndim
                for a, i, n_in, n_out in zip(axes, cell, sp, out_size):
                    src[a] = slice(i * n_in // n_out, -(-(i + 1) * n_in // n_out))
                    dst[a] = i
                out[tuple(dst)] = x[tuple(src)].max(axis=axes)
            return out
        return adaptive_max
    k, s, p = kw["kernel_size"], kw.get("stride") or kw["kernel_size"], kw.get("padding", 0)
    out_len = [(x.shape[a] + 2 * p - k) // s + 1 for a in axes]
    width = [(0, 0)] * x.ndim
    for a in axes:
        width[a] = (p, p)

    if op == "max":
        def pool():
            xp = np.pad(x, width, constant_values=-np.inf) if p else x
            out = _window_view(xp, axes, next(_offsets(k, nsp)), s, out_len).copy()
            for off in _offsets(k, nsp):
                np.maximum(out, _window_view(xp, axes, off, s, out_len), out=out)
            return out
        return pool

    def window_sum(a):
        ap = np.pad(a, width) if p else a
        out = np.zeros(_out_shape(a.shape, axes, out_len), a.dtype)
        for off in _offsets(k, nsp):
            out += _window_view(ap, axes, off, s, out_len)
        return out

    if op == "avg":
        if p and not kw.get("count_include_pad", True):
            def avg():
                ones = np.ones([x.shape[a] if a in axes else 1 for a in range(x.ndim)], x.dtype)
                return window_sum(x) / window_sum(ones)
            return avg
        return lambda: window_sum(x) / np.asarray(k ** nsp, x.dtype)
    if op == "lp":
        return lambda: np.sqrt(window_sum(x * x))
    raise Unsupported(op)


def _out_shape(shape, axes, out_len):
    shape = list(shape)
    for a, n in zip(axes, out_len):
        shape[a] = n
    return tuple(shape)


# -------------------------------------------------------------------- skimage
def skimage_prepare(case, layout, mode, nthreads):
    from skimage.measure import block_reduce

    from .cases import make_input

    if mode != "fwd":
        raise Unsupported("scikit-image has no indices or gradients")
    op, kw = case.op, case.kwargs
    if op in ("max_u8", "mean_u8"):
        x = make_input(case, layout)
        return lambda: block_reduce(x, (2, 2, 1), np.max if op == "max_u8" else np.mean)
    k, s = kw.get("kernel_size"), kw.get("stride") or kw.get("kernel_size")
    if op not in ("max", "avg") or s != k or kw.get("padding"):
        raise Unsupported("block_reduce pools disjoint, unpadded blocks only")
    x = make_input(case, layout)
    axes = _spatial_axes(case, layout)
    block = tuple(k if a in axes else 1 for a in range(x.ndim))
    func = np.max if op == "max" else np.mean
    return lambda: block_reduce(x, block, func)


PEERS = {
    "cypool": cypool_prepare,
    "cypool_out": cypool_out_prepare,
    "torch": torch_prepare,
    "tensorflow": tensorflow_prepare,
    "jax": jax_prepare,
    "numpy": numpy_prepare,
    "skimage": skimage_prepare,
}

MODULES = {"cypool": "cypool", "cypool_out": "cypool", "torch": "torch", "tensorflow": "tensorflow",
           "jax": "jax", "numpy": "numpy", "skimage": "skimage"}
