"""The sliding-window kernels, one namespace: ``_window.pyx.tp`` is rendered and
compiled as separate extension modules, the channels-first kernels (``*_cf``)
and the channels-last ones (``*_cl``), so that the build compiles them in
parallel.

The channels-last module has an AVX2 twin (``_window_cl_avx2``: the same
source compiled with ``-mavx2 -mfma -ffp-contract=off``, floating-point
specialisations only; see setup.py). Its kernels take over when the CPU runs
AVX2 and FMA, unless the environment sets ``CYPOOL_ISA=baseline``; both give
the same bits (tests/test_isa.py). ``ISA`` says which is in use. The
channels-first module holds a few row passes built both ways (``CF_AVX2``:
whether the AVX2 build is in use, by the same rule, twin or none). Kernels that
also take integers are looked up with ``pick(name, dtype)``: the twin's for
float32/float64 data, the baseline's otherwise.
"""
import os
import types

import numpy as np

from . import _cpu
from . import _window_cf, _window_cf_idx, _window_cl

_CHOICES = ("auto", "baseline")
_TWIN_DTYPES = frozenset([np.dtype(np.float32), np.dtype(np.float64)])


def _twin_module():
    """The AVX2 twin if this build has it and this CPU runs it, else None."""
    if not _cpu.has_avx2_fma():
        return None
    try:
        from . import _window_cl_avx2
    except ImportError:  # built without the twin (CYPOOL_AVX2=0, another compiler or CPU family)
        return None
    return _window_cl_avx2


def kernels(isa):
    """{name: kernel} of the family for ``isa`` ("baseline" or "avx2"), with ``pick``.

    ``isa="avx2"`` needs the twin (ValueError where this build or CPU has none).
    """
    table = {}
    for mod in (_window_cf, _window_cf_idx, _window_cl):
        table.update({k: getattr(mod, k) for k in dir(mod) if not k.startswith("_")})
    partial = {}
    if isa == "avx2":
        twin = _twin_module()
        if twin is None:
            raise ValueError("kernels: isa='avx2' needs the AVX2 twin, which this build or CPU lacks")
        for name in (k for k in dir(twin) if not k.startswith("_")):
            fn, base = getattr(twin, name), table.get(name)
            if len(getattr(fn, "__signatures__", None) or ()) < len(getattr(base, "__signatures__", None) or ()):
                partial[name] = fn  # floating types only: other dtypes keep the baseline's
            else:
                table[name] = fn
    elif isa != "baseline":
        raise ValueError(f"kernels: isa must be 'baseline' or 'avx2'; got {isa!r}")

    def pick(name, dtype):
        """Kernel ``name`` for data of ``dtype``."""
        fn = partial.get(name)
        return fn if fn is not None and dtype in _TWIN_DTYPES else table[name]

    table["pick"] = pick
    return table


_wanted = os.environ.get("CYPOOL_ISA", "auto").strip().lower() or "auto"
if _wanted not in _CHOICES:
    raise ValueError(f"CYPOOL_ISA must be one of {', '.join(_CHOICES)} (or unset); got {_wanted!r}")
ISA = "avx2" if _wanted == "auto" and _twin_module() is not None else "baseline"
globals().update(kernels(ISA))
# The channels-first row passes written in C (_window.pyx.tp: CYPOOL_CF_TWICE) are
# built both ways inside _window_cf and _window_cf_idx, each with its own flag; the
# same rule picks theirs.
CF_AVX2 = _wanted == "auto" and _cpu.has_avx2_fma()
_window_cf._use_avx2(CF_AVX2)
_window_cf_idx._use_avx2(CF_AVX2)
# The channels-last uint8 2x2 pass (SSSE3, part of the x86-64-v2 floor) runs where the CPU has it,
# in its AVX2 form by the same rule as the channels-first passes.
U8_2X2 = _window_cl._u8_pass()
_window_cl._u8_use_avx2(CF_AVX2)
U8_AVX2 = _window_cl._u8_avx2()


def stream_min_bytes(n=None):
    """The result size in bytes from which kernels that can write with streaming
    (non-temporal) stores do so (8 MiB); ``n`` sets it in every kernel module, for
    tests. Returns the previous value."""
    mods = [_window_cf, _window_cf_idx, _window_cl] + [m for m in [_twin_module()] if m is not None]
    was = [m._stream_min_bytes(-1 if n is None else int(n)) for m in mods]
    return was[0]


def namespace(isa):
    """The kernels of ``isa`` as an object shaped like this module (for tests and A/B timing)."""
    return types.SimpleNamespace(ISA=isa, **kernels(isa))
