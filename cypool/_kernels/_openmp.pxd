# The one place that touches OpenMP's runtime API. Without OpenMP (a serial
# build) the same names exist and report one thread, so no other module needs
# an #ifdef.
cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define CYPOOL_OPENMP_VERSION _OPENMP
    #else
    #define CYPOOL_OPENMP_VERSION 0
    static int omp_get_max_threads(void) { return 1; }
    #endif
    """
    int CYPOOL_OPENMP_VERSION
    int omp_get_max_threads() noexcept nogil
