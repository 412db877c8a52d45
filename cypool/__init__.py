"""cypool: fast pooling on the CPU, with torch.nn.functional's names on NumPy arrays.

Examples
--------
>>> import numpy as np, cypool
>>> x = np.random.default_rng(0).random((2, 3, 8, 8), dtype=np.float32)
>>> cypool.max_pool2d(x, 2).shape
(2, 3, 4, 4)
"""
from ._config import show_config
from ._memory import empty_cache
from ._threads import get_num_threads, set_num_threads, threads
from ._version import __version__
from .functional import *  # noqa: F401,F403
from .functional import __all__ as _functional

__all__ = ["__version__", "show_config", "empty_cache", "get_num_threads", "set_num_threads", "threads",
           *_functional]
