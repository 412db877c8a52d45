"""``cypool.show_config()``: what a bug report needs to know about this build."""
import os
import platform
import sys

import numpy as np

from . import _memory
from ._kernels import _openmp, _window
from ._threads import get_num_threads
from ._version import __version__


def _build():
    try:
        from . import _build_config as b
    except ImportError:  # a source tree that was never built by setup.py
        return {}
    return {k: getattr(b, k) for k in dir(b) if not k.startswith("_")}


def _openmp_runtime():
    """Path of the OpenMP library loaded in this process (via threadpoolctl if present)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    for lib in threadpool_info():
        if lib.get("user_api") == "openmp":
            return f"{lib.get('internal_api')} {lib.get('filepath')}"
    return None


def _result_cache():
    info = _memory.cache_info()
    if not info["limit_bytes"]:
        return "off (CYPOOL_CACHE_MB=0)"
    return ("keeps up to {limit_bytes} bytes of freed results of 4 MiB and more "
            "(now {idle_bytes} in {idle_blocks} blocks)".format(**info))


def config():
    """The build and runtime configuration as a dict."""
    build = _build()
    return {
        "cypool": __version__,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "openmp": bool(_openmp.openmp_version()),
        "openmp_version": _openmp.openmp_version(),
        "openmp_runtime": _openmp_runtime(),
        "num_threads": get_num_threads(),
        "kernels": f"channels-last {_window.ISA}" + (
            "" if build.get("avx2_twin", False) else " (no AVX2 twin in this build)")
            + f", channels-first row passes {'avx2' if _window.CF_AVX2 else 'baseline'}"
            + f", uint8 2x2 pass {('avx2' if _window.U8_AVX2 else 'ssse3') if _window.U8_2X2 else 'none'}",
        "result_cache": _result_cache(),
        "compiler": build.get("compiler"),
        "compile_args": build.get("compile_args"),
        "link_args": build.get("link_args"),
        "cython": build.get("cython_version"),
    }


def show_config(file=None):
    """Print the version, OpenMP status and runtime, thread default and compiler flags.

    Examples
    --------
    >>> import cypool
    >>> cypool.show_config()  # doctest: +ELLIPSIS
    cypool ...
    """
    cfg = config()
    out = file or sys.stdout
    print(f"cypool {cfg['cypool']}", file=out)
    for key, value in cfg.items():
        if key != "cypool":
            print(f"  {key:15s} {value}", file=out)
