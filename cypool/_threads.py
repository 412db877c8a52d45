"""Thread count: the package default, its setters and the per-call resolution.

The default follows OpenMP (``omp_get_max_threads()`` read at call time), so
``OMP_NUM_THREADS`` and ``threadpoolctl.threadpool_limits`` apply, until
``set_num_threads(n)`` (or ``with threads(n):``) pins it; ``set_num_threads(None)``
returns to following OpenMP. A call's ``num_threads=`` overrides both.
"""
import contextlib
import threading

from . import _validation as check
from ._kernels import _openmp

_lock = threading.Lock()
_pinned = None


def get_num_threads():
    """The number of threads a call with ``num_threads=None`` uses.

    Examples
    --------
    >>> import cypool
    >>> cypool.get_num_threads() >= 1
    True
    """
    pinned = _pinned
    return pinned if pinned is not None else max(1, _openmp.max_threads())


def set_num_threads(n):
    """Set the package default thread count; ``None`` follows OpenMP again.

    Examples
    --------
    >>> import cypool
    >>> cypool.set_num_threads(1)
    >>> cypool.get_num_threads()
    1
    >>> cypool.set_num_threads(None)
    """
    global _pinned
    with _lock:
        _pinned = check.num_threads("set_num_threads", n)


@contextlib.contextmanager
def threads(n):
    """Context manager: ``with cypool.threads(2): ...`` runs its body with ``n`` threads.

    Examples
    --------
    >>> import cypool
    >>> with cypool.threads(1):
    ...     cypool.get_num_threads()
    1
    """
    global _pinned
    value = check.num_threads("threads", n)
    with _lock:
        old, _pinned = _pinned, value
    try:
        yield
    finally:
        with _lock:
            _pinned = old


def resolve(fn, num_threads):
    """The thread count for one call of public function ``fn``."""
    n = check.num_threads(fn, num_threads)
    return get_num_threads() if n is None else n
