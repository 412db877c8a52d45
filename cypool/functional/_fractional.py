"""The data path of fractional max pooling: the windows of both schemes, then the kernels.

check arguments -> windows -> memory layout -> allocate -> kernel -> result.

* ``scheme="torch"`` (PyTorch, §B6): fixed kernel ``k``, pseudorandom window
  starts, one sample ``u`` per (n, c, axis), so every plane has its own
  windows. The starts are computed here for all planes at once, in the input
  dtype exactly as ATen's ``generate_intervals``, and the per-plane kernels
  ``max_fwd[_idx]_planes_{cf,cl}`` of _kernels/_window.pyx.tp reduce them.
* ``scheme="graham"`` (Graham's paper as TensorFlow implements it): one row
  and one column boundary sequence per call, shared by every plane, so the
  windows are ordinary tap tables and the sliding-window kernels
  ``max_fwd[_idx]_{cf,cl}`` run them unchanged.

Backward for both: scatter the gradient to the recorded indices
(functional/_window.scatter_backward). Randomness is drawn here, from a
numpy Generator, never in a kernel: a seed gives the same windows for any
thread count.
"""
import numpy as np

from .. import _threads
from .. import _validation as check
from .._geometry import UNIT_AXIS, tap_table
from .._kernels import _window as K
from .._layout import frame_for
from ._window import _CACHE_LINE, _I64, _kernel_dtype, _output, _run, _spatial, _thread_rows

_HALF = np.dtype(np.float16)


# ---------------------------------------------------------------- PyTorch's scheme

def sample_dtype(dtype):
    """The dtype of the samples and of the start arithmetic: the input's for floats
    (PyTorch computes in the input type), float64 for integer inputs."""
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def draw_samples(rng, shape, dtype):
    """Uniform [0, 1) samples of ``dtype`` (float16 on the exact grid k / 2048)."""
    if dtype == _HALF:
        return (rng.integers(0, 2048, shape) * 2.0**-11).astype(_HALF)
    return rng.random(shape, dtype=np.float32 if dtype == np.float32 else np.float64)


def torch_starts(u, n, k, m):
    """ATen's ``generate_intervals`` for every plane at once: int64 ``(len(u), m)``.

    ``alpha = (n - k) / (m - 1)``; ``start_i = trunc((i + u) * alpha) - trunc(u * alpha)``
    for ``i < m - 1`` and ``start_{m-1} = n - k``, every operation rounded to
    ``u.dtype`` as PyTorch's scalar_t arithmetic is (NumPy's float16 rounds
    each operation like c10::Half). The starts are nondecreasing and lie in
    ``[0, n - k]``, which the kernels rely on. float32 and float64 go through the
    compiled ``_window.torch_starts`` (NumPy's temporaries page-faulted: a third of a
    small call), float16 through torch_starts_numpy.
    """
    starts = np.empty((u.shape[0], m), np.int64)
    if u.dtype in (np.float32, np.float64):
        K.torch_starts(np.ascontiguousarray(u), starts, n, k)  # the same in one compiled pass
        return starts
    return torch_starts_numpy(u, n, k, m, starts)


def torch_starts_numpy(u, n, k, m, starts=None):
    """torch_starts in NumPy (float16 takes it; the tests hold the compiled one to it)."""
    t = u.dtype.type
    starts = np.empty((u.shape[0], m), np.int64) if starts is None else starts
    if m > 1:
        alpha = t(n - k) / t(m - 1)
        i = np.arange(m - 1).astype(u.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            starts[:, :-1] = ((i + u[:, None]) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)[:, None]
    starts[:, -1] = n - k
    # A no-op wherever the arithmetic is finite (always, but for float16 past
    # 65504): the kernels' memory safety must not rest on rounding arguments.
    np.clip(starts, 0, n - k, out=starts)
    return np.maximum.accumulate(starts, axis=1)


def _code_dtype(kdtype, plane):
    """Offsets inside a window: int32 beside 4-byte values (one SIMD lane width)."""
    return np.dtype(np.int32) if kdtype.itemsize <= 4 and plane < 2**31 else _I64


_SLAB_BYTES = 4 << 20  # channels-last: at most this much of one image is copied out at a time


def _run_planes(a, frame, flat, shape_in5, outs, return_indices, nthreads, starts, counts, widths):
    """max_fwd[_idx]_planes_{cf,cl} over windows given per axis as tables.

    ``starts``: (D, H, W) int64 start tables ``(P or 1, O)``; ``counts``: the D and H
    window sizes, same shapes; ``widths``: the W window sizes ``(1, OW)`` or an int.
    """
    kdtype = _kernel_dtype(a.dtype)
    N, C, D, H, W = shape_in5
    OD, OH, OW = (t.shape[1] for t in starts)
    code = _code_dtype(kdtype, D * H * W)
    if isinstance(widths, int):
        kwmin = kwmax = widths
        ww = np.zeros((1, 1), code)  # read only where the widths differ
    else:
        kwmin, kwmax = int(widths.min()), int(widths.max())
        ww = np.zeros((1, W), code)
        ww[0, starts[2][0]] = widths[0]
    args = (starts[0], counts[0], starts[1], counts[1], starts[2], ww, kwmin, kwmax)
    if frame.layout == "cf":
        items = N * C * OD * OH
    else:
        # channels-last: images are reduced by blocks of channels copied out channels-first
        volume = D * H * W + OD * OH * OW  # one channel's input and output planes
        block = max(1, min(C, _CACHE_LINE // kdtype.itemsize, _SLAB_BYTES // (volume * kdtype.itemsize)))
        items = N * -(-C // block)
    T = max(1, min(nthreads, items))
    # one scratch row per thread
    scratch = [_thread_rows(T, W, kdtype)]
    if return_indices:
        scratch.append(_thread_rows(T, W, code))
    if frame.layout == "cl":
        slabs = [_thread_rows(T, block * volume, kdtype)]
        if return_indices:
            slabs.append(_thread_rows(T, block * (volume - D * H * W), _I64))
        scratch = [block] + slabs + scratch
    kernel = f"max_fwd{'_idx' if return_indices else ''}_planes_{frame.layout}"
    _run(kernel, frame, shape_in5, flat, outs, a.dtype, *args, *scratch, nthreads)


def _torch_forward(a, nsp, frame, flat, shape_in5, spatial, sizes, kernel, samples, rng,
                   return_indices, nthreads, outs):
    planes = shape_in5[0] * shape_in5[1]
    if samples is None:
        gen = rng if rng is not None else np.random.default_rng()
        samples = draw_samples(gen, (shape_in5[0], shape_in5[1], nsp), sample_dtype(a.dtype))
    u = samples.reshape(planes, nsp)
    # sample order (§B6): 2-D [0] -> W, [1] -> H; 3-D [0] -> D, [1] -> H, [2] -> W
    axis_sample = (1, 0) if nsp == 2 else (0, 1, 2)
    starts = [torch_starts(np.ascontiguousarray(u[:, j]), n, k, m)
              for j, n, k, m in zip(axis_sample, spatial, kernel, sizes)]
    if nsp == 2:
        starts.insert(0, np.zeros((1, 1), np.int64))
        kernel = (1,) + tuple(kernel)
    if outs[0].size:
        counts = [np.full((1, t.shape[1]), k, np.int64) for t, k in zip(starts[:2], kernel[:2])]
        _run_planes(a, frame, flat, shape_in5, outs, return_indices, nthreads, starts, counts, kernel[2])


# ---------------------------------------------------------------- Graham's scheme (TensorFlow)

def graham_sequence(n, m, pseudo_random, rng):
    """TensorFlow's GeneratePoolingSequence: boundaries ``0 = c_0 < ... < c_m = n``, int64.

    Random: ``n % m`` steps of ``n // m + 1`` and the rest ``n // m``,
    shuffled. Pseudorandom: ``alpha = n / m``, ``u = U[0, 1) * min((k + 2) / alpha - 1,
    (n + 1 - k) / alpha - (m - 1))`` with ``k = n // m``, boundaries
    ``ceil(alpha * (i + u))`` (one-based, then re-accumulated from 0).
    """
    k = n // m
    if pseudo_random:
        alpha = n / m
        u = rng.random() * min((k + 2) / alpha - 1, (n + 1 - k) / alpha - (m - 1))
        cum = np.empty(m + 1, np.int64)
        cum[0], cum[m] = 1, n + 1
        cum[1:m] = np.ceil(alpha * (np.arange(1, m) + u)).astype(np.int64)
        diff = np.diff(cum)
    else:
        diff = np.full(m, k, np.int64)
        diff[: n % m] += 1
        diff = rng.permutation(diff)
    return np.concatenate([[0], np.cumsum(diff)]).astype(np.int64)


def sequence_table(seq, n, overlapping):
    """Boundaries -> the window kernels' tap table ``(3, m)``.

    Window ``i`` is ``[c_i, c_{i+1} - 1]``, or ``[c_i, c_{i+1}]`` clipped to
    ``n - 1`` when overlapping (TensorFlow's rule).
    """
    start = seq[:-1]
    end = np.minimum(seq[1:] if overlapping else seq[1:] - 1, n - 1)
    count = end - start + 1
    return np.ascontiguousarray(np.stack([start, count, count]).astype(np.int64))


def _graham_forward(fn, a, frame, flat, shape_in5, spatial, sizes, row_seq, col_seq, rng,
                    pseudo_random, overlapping, return_indices, nthreads, outs):
    if row_seq is None:
        gen = rng if rng is not None else np.random.default_rng()
        row_seq = graham_sequence(spatial[0], sizes[0], pseudo_random, gen)
        col_seq = graham_sequence(spatial[1], sizes[1], pseudo_random, gen)
    if not outs[0].size:
        return row_seq, col_seq
    rows, cols = sequence_table(row_seq, spatial[0], overlapping), sequence_table(col_seq, spatial[1], overlapping)
    if frame.layout == "cl":
        # shared windows: the sliding-window kernel, vectorised over the channels
        name = f"max_fwd{'_idx' if return_indices else ''}_cl"
        _run(name, frame, shape_in5, flat, outs, a.dtype, tap_table(UNIT_AXIS), rows, cols,
             1, 1, 1, nthreads)
    else:
        # windows of two or three widths at irregular starts: the per-plane kernel's
        # contiguous running rows beat the sliding-window kernel's per-window loops
        zero, one = np.zeros((1, 1), np.int64), np.ones((1, 1), np.int64)
        _run_planes(a, frame, flat, shape_in5, outs, return_indices, nthreads,
                    (zero, rows[:1], cols[:1]), (one, rows[1:2]), cols[1:2])
    return row_seq, col_seq


# ---------------------------------------------------------------- the public entry

def fractional_forward(fn, nsp, x, kernel_size, output_size, output_ratio, return_indices,
                       random_samples, *, scheme, rng, pseudo_random, overlapping,
                       row_pooling_sequence, col_pooling_sequence, data_format, num_threads,
                       out, indices_out):
    """fractional_max_pool2d/3d: see fractional_pool.py for the contract."""
    scheme = check.fractional_scheme(fn, scheme, nsp)
    return_indices = check.flag(fn, "return_indices", return_indices)
    channels_last = check.data_format(fn, data_format)
    a = check.array(fn, "input", x, check.ORDERED_DTYPES)
    batched = check.pooling_input(fn, "input", a, nsp, channels_last)
    spatial = _spatial(a.shape, nsp, channels_last)
    if scheme == "torch":
        check.unused_options(fn, scheme, pseudo_random=pseudo_random, overlapping=overlapping,
                             row_pooling_sequence=row_pooling_sequence,
                             col_pooling_sequence=col_pooling_sequence)
        sizes = check.fractional_output_size(fn, spatial, output_size, output_ratio)
        kernel = check.fractional_kernel(fn, kernel_size, spatial, sizes)
        check.samples_or_rng(fn, random_samples, rng)
        if random_samples is not None:
            n = a.shape[0] if batched else 1
            c = a.shape[-1] if channels_last else a.shape[-nsp - 1]
            random_samples = check.random_samples(fn, random_samples, (n, c, nsp), sample_dtype(a.dtype))
    else:
        check.unused_options(fn, scheme, kernel_size=kernel_size, _random_samples=random_samples)
        pseudo_random = check.flag(fn, "pseudo_random", pseudo_random)
        overlapping = check.flag(fn, "overlapping", overlapping)
        check.sequences_together(fn, row_pooling_sequence, col_pooling_sequence)
        given = row_pooling_sequence is not None
        sizes = check.fractional_output_size(fn, spatial, output_size, output_ratio, required=not given)
        if given:
            seqs = (check.pooling_sequence(fn, "row_pooling_sequence", row_pooling_sequence, spatial[0]),
                    check.pooling_sequence(fn, "col_pooling_sequence", col_pooling_sequence, spatial[1]))
            sizes = check.sequence_sizes(fn, sizes, seqs)
        else:
            check.graham_output_size(fn, spatial, sizes)
            seqs = (None, None)
    # the Generator of the draws; None draws fresh entropy, only if a draw is needed
    rng = None if rng is None else check.generator(fn, rng)
    nthreads = _threads.resolve(fn, num_threads)
    frame, flat = frame_for(a, nsp, batched, channels_last)
    shape_in5 = frame.dims(a)
    shape_out5 = shape_in5[:2] + (1,) * (3 - nsp) + tuple(sizes)
    y, yflat = _output(fn, "out", frame, out, shape_out5, a.dtype, (a,))
    outs = [yflat]
    if return_indices:
        yi, iflat = _output(fn, "indices_out", frame, indices_out, shape_out5, _I64, (a, y))
        outs.append(iflat)
    else:
        check.indices_out_unused(fn, indices_out, False)
    result = (y, yi) if return_indices else (y,)
    if scheme == "torch":
        _torch_forward(a, nsp, frame, flat, shape_in5, spatial, sizes, kernel, random_samples, rng,
                       return_indices, nthreads, outs)
        return result if return_indices else y
    row_seq, col_seq = _graham_forward(fn, a, frame, flat, shape_in5, spatial, sizes, *seqs, rng,
                                       pseudo_random, overlapping, return_indices, nthreads, outs)
    return result + (row_seq, col_seq)
