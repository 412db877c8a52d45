"""The sliding-window kernels, one namespace: ``_window.pyx.tp`` is rendered and
compiled as two extension modules, the channels-first kernels (``*_cf``) and
the channels-last ones (``*_cl``), so that the build compiles them in parallel.
"""
from ._window_cf import *  # noqa: F401,F403
from ._window_cl import *  # noqa: F401,F403
