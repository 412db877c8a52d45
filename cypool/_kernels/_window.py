"""The sliding-window kernels, one namespace: ``_window.pyx.tp`` is rendered and
compiled as separate extension modules, the channels-first kernels (``*_cf``)
and the channels-last ones (``*_cl``), so that the build compiles them in
parallel.

The channels-last module has an AVX2 twin (``_window_cl_avx2``, the same
source compiled with ``-mavx2 -mfma -ffp-contract=off``; see setup.py): its
kernels replace the baseline's when the CPU runs AVX2 and FMA, unless the
environment sets ``CYPOOL_ISA=baseline``. Both give the same bits
(tests/test_isa.py). ``ISA`` says which is in use.
"""
import os

from . import _cpu
from ._window_cf import *  # noqa: F401,F403
from ._window_cl import *  # noqa: F401,F403

_CHOICES = ("auto", "baseline")
_wanted = os.environ.get("CYPOOL_ISA", "auto").strip().lower() or "auto"
if _wanted not in _CHOICES:
    raise ValueError(f"CYPOOL_ISA must be one of {', '.join(_CHOICES)} (or unset); got {_wanted!r}")

ISA = "baseline"
if _wanted == "auto" and _cpu.has_avx2_fma():
    try:
        from ._window_cl_avx2 import *  # noqa: F401,F403
    except ImportError:  # built without the twin (CYPOOL_AVX2=0, another compiler or CPU family)
        pass
    else:
        ISA = "avx2"
