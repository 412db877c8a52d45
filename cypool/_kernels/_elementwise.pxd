# Per-element rules shared by every kernel family: dtype sets, identities of
# the order-based reductions and the max/min "take" rule with PyTorch's NaN
# semantics. Templates call these; they never spell the rules out themselves.
from libc.math cimport INFINITY, sqrt, sqrtf
from libc.stdint cimport (
    int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t,
    INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN,
    INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX,
    UINT8_MAX, UINT16_MAX, UINT32_MAX, UINT64_MAX,
)

# Floating types: everything that averages or carries a gradient.
ctypedef fused real_t:
    float
    double

# Every type with a total order (plus NaN for floats): max, min, their indices.
ctypedef fused ordered_t:
    float
    double
    int8_t
    int16_t
    int32_t
    int64_t
    uint8_t
    uint16_t
    uint32_t
    uint64_t


cdef inline ordered_t lowest(ordered_t like) noexcept nogil:
    """Identity of max: -inf for floats, the type's minimum for integers."""
    if ordered_t is float or ordered_t is double:
        return -INFINITY
    elif ordered_t is int8_t:
        return INT8_MIN
    elif ordered_t is int16_t:
        return INT16_MIN
    elif ordered_t is int32_t:
        return INT32_MIN
    elif ordered_t is int64_t:
        return INT64_MIN
    else:
        return 0


cdef inline ordered_t highest(ordered_t like) noexcept nogil:
    """Identity of min: +inf for floats, the type's maximum for integers."""
    if ordered_t is float or ordered_t is double:
        return INFINITY
    elif ordered_t is int8_t:
        return INT8_MAX
    elif ordered_t is int16_t:
        return INT16_MAX
    elif ordered_t is int32_t:
        return INT32_MAX
    elif ordered_t is int64_t:
        return INT64_MAX
    elif ordered_t is uint8_t:
        return UINT8_MAX
    elif ordered_t is uint16_t:
        return UINT16_MAX
    elif ordered_t is uint32_t:
        return UINT32_MAX
    else:
        return UINT64_MAX


# The take rules: strictly better replaces (so ties keep the first in scan
# order) and a NaN always replaces (so a NaN propagates, and the index is the
# last NaN in scan order): PyTorch's CPU rule. Bitwise | keeps them branch-free
# so the callers' selects vectorise; for integers v != v folds away.
cdef inline bint max_takes(ordered_t v, ordered_t m) noexcept nogil:
    return (v > m) | (v != v)


cdef inline bint min_takes(ordered_t v, ordered_t m) noexcept nogil:
    return (v < m) | (v != v)


# The take rules where no NaN can be met (a kernel that notes NaNs apart and
# redoes their windows with the rules above): v if v > m else m is maxss.
cdef inline bint max_beats(ordered_t v, ordered_t m) noexcept nogil:
    return v > m


cdef inline bint min_beats(ordered_t v, ordered_t m) noexcept nogil:
    return v < m


# NaN notes of the fast paths (which select without NaNs, then redo a row that
# met one)
cdef extern from "math.h":
    # C99's type-generic macro: float arguments stay float (one cmpunordps per
    # four pairs when vectorised)
    bint isunordered(double x, double y) nogil


cdef inline bint either_nan(ordered_t a, ordered_t b) noexcept nogil:
    """(a != a) | (b != b) as one unordered compare (integers: never)."""
    if ordered_t is float or ordered_t is double:
        return isunordered(a, b)
    else:
        return 0


cdef inline real_t root2(real_t v) noexcept nogil:
    """Square root in the value's own precision (sqrtf for float)."""
    if real_t is float:
        return sqrtf(v)
    else:
        return sqrt(v)
