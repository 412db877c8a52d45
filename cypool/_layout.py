"""Logical axis order <-> the kernels' memory layouts.

Logical order is ``(N, C, *spatial)`` (channels_first) or ``(N, *spatial, C)``
(channels_last), batched or not. Kernels see flat C-contiguous buffers in one
of two physical layouts, both 3-D spatially (1-D and 2-D gain unit axes):

* ``"cf"``: ``(N, C, D, H, W)``, planes contiguous;
* ``"cl"``: ``(N, D, H, W, C)``, channels contiguous.

The layout follows memory, not ``data_format``: an array whose channel axis
is the contiguous one runs the channels-last kernel without a copy whatever
its logical order, and the result keeps the input's memory format (PyTorch's
channels_last rule). Other strides are copied once, into the layout that
``data_format`` names.
"""
from dataclasses import dataclass

import numpy as np

from . import _memory


@dataclass(frozen=True)
class Frame:
    """How one call's logical arrays map onto kernel buffers."""

    nsp: int  # spatial axes of the op (1, 2, 3)
    batched: bool
    channels_last: bool  # data_format
    layout: str  # "cf" | "cl": the kernels' memory layout for this call

    def to5(self, a):
        """Logical array -> 5-D logical-NCDHW view (no copy)."""
        if not self.batched:
            a = a[np.newaxis]
        if self.channels_last:
            a = np.moveaxis(a, -1, 1)
        for _ in range(3 - self.nsp):
            a = a[:, :, np.newaxis]
        return a

    def from5(self, a5):
        """5-D logical-NCDHW view -> logical array (no copy)."""
        a = a5[(slice(None), slice(None)) + (0,) * (3 - self.nsp)]
        if self.channels_last:
            a = np.moveaxis(a, 1, -1)
        return a if self.batched else a[0]

    def physical(self, a5):
        """5-D logical-NCDHW view -> view in this call's physical layout."""
        return a5 if self.layout == "cf" else np.moveaxis(a5, 1, -1)

    def flat(self, a):
        """Logical array -> flat buffer in the physical layout, or None if that needs a copy."""
        p = self.physical(self.to5(a))
        return p.reshape(-1) if p.flags.c_contiguous else None

    def dims(self, a):
        """(N, C, D, H, W) of a logical array (to5(a).shape, from the shape alone)."""
        s = a.shape if self.batched else (1,) + a.shape
        if self.channels_last:
            s = (s[0], s[-1]) + s[1:-1]
        return s[:2] + (1,) * (3 - self.nsp) + s[2:]

    def shape(self, shape5):
        """The logical shape of a 5-D logical-NCDHW shape (from5's, without an array)."""
        n, c = shape5[:2]
        sp = tuple(shape5[5 - self.nsp:])
        s = (n,) + (sp + (c,) if self.channels_last else (c,) + sp)
        return s if self.batched else s[1:]

    def empty(self, shape5, dtype, zero=False):
        """New array of logical-NCDHW shape ``shape5`` in the physical layout.

        Returns ``(logical array, flat buffer)``. Large ones reuse freed
        results' memory (see _memory).
        """
        n, c, d, h, w = shape5
        if self.layout == "cf":
            p = _memory.empty((n, c, d, h, w), dtype, zero)
            a5 = p
        else:
            p = _memory.empty((n, d, h, w, c), dtype, zero)
            a5 = np.moveaxis(p, -1, 1)
        return self.from5(a5), p.reshape(-1)


def frame_for(a, nsp, batched, channels_last):
    """Choose the kernel layout for logical array ``a``; return ``(frame, flat buffer)``.

    The flat buffer is a view when ``a``'s memory already is one of the two
    layouts (preferring the one ``data_format`` names when both fit, as for
    C == 1), else a single contiguous copy in the preferred layout.
    """
    prefer, other = ("cl", "cf") if channels_last else ("cf", "cl")
    for layout in (prefer, other):
        frame = Frame(nsp, batched, channels_last, layout)
        flat = frame.flat(a)
        if flat is not None:
            return frame, flat
    frame = Frame(nsp, batched, channels_last, prefer)
    return frame, np.ascontiguousarray(frame.physical(frame.to5(a))).reshape(-1)


def flat_in(frame, a):
    """``a`` (logical, same frame) as a flat buffer in ``frame``'s layout, copying if needed."""
    flat = frame.flat(a)
    if flat is None:
        flat = np.ascontiguousarray(frame.physical(frame.to5(a))).reshape(-1)
    return flat
