"""CPU facts for choosing between kernel builds (see _kernels/_window.py).

Compiled for the baseline instruction set, like every module but the AVX2
twin: the check must run on any x86-64 CPU.
"""

cdef extern from *:
    """
    static int cypool_has_avx2_fma(void) {
    #if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
        /* libgcc / compiler-rt: set only when the OS saves the YMM state too */
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    #else
        return 0;
    #endif
    }
    """
    int cypool_has_avx2_fma() nogil


def has_avx2_fma():
    """True when this CPU (and its OS) runs AVX2 and FMA code: the twin's requirement."""
    return bool(cypool_has_avx2_fma())
