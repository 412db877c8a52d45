"""OpenMP facts for the Python layer (see _openmp.pxd for the shim)."""


def openmp_version():
    """The _OPENMP date macro this module was compiled with (e.g. 201511), or 0 if serial."""
    return CYPOOL_OPENMP_VERSION


def max_threads():
    """omp_get_max_threads(): OpenMP's current default team size (1 when serial).

    Read at call time, so OMP_NUM_THREADS and threadpoolctl limits are honoured.
    """
    return omp_get_max_threads()
