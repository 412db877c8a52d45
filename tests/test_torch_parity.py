"""Property-based parity with torch.nn.functional (PyTorch's CPU results are the spec, SPEC.md).

Hypothesis draws the dimensionality, batch/channels (or an unbatched input),
spatial sizes, kernel, stride (below, at and above the kernel), dilation
(max/min), padding within PyTorch's limit (pad <= kernel_size // 2), ceil_mode,
float32/float64, the data format, and data with ties, signed zeros, NaN and
+-inf. Max/min values and indices must be bitwise PyTorch's; averages agree to
rounding; gradients are compared with torch.autograd in float64.

Geometry PyTorch accepts but SPEC.md refuses (a window with no real input
cell: PyTorch returns -inf there) is checked to be refused by cypool instead.

Runs are derandomized (the same examples every time) so CI is reproducible.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import cypool  # noqa: E402

SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SPECIAL = np.array([-np.inf, -2.0, -1.0, -0.0, 0.0, 1.0, 2.0, np.inf, np.nan])


# ---------------------------------------------------------------- strategies


@st.composite
def cases(draw, op):
    """One call: geometry (PyTorch-valid), shape, dtype, layout and a data recipe."""
    nsp = draw(st.sampled_from([1, 2, 3]))
    kmax = 4 if nsp < 3 else 3
    kernel, stride, dilation, padding, spatial = [], [], [], [], []
    for _ in range(nsp):
        k = draw(st.integers(1, kmax))
        s = draw(st.integers(1, k + 1))  # stride < kernel (overlap), == and > kernel (gaps)
        d = draw(st.integers(1, 3)) if op != "avg" else 1
        p = draw(st.integers(0, k // 2))  # PyTorch: pad <= kernel_size // 2
        extent = d * (k - 1) + 1
        # output length >= 1; PyTorch's avg_pool3d also wants the unpadded input >= the kernel
        least = max(1, extent - 2 * p, k if (op, nsp) == ("avg", 3) else 1)
        n = draw(st.integers(least, least + {1: 24, 2: 10, 3: 4}[nsp]))  # long rows reach the vector loops
        kernel.append(k), stride.append(s), dilation.append(d), padding.append(p), spatial.append(n)
    case = dict(
        nsp=nsp,
        kernel=tuple(kernel),
        stride=tuple(stride) if draw(st.booleans()) else None,  # None: defaults to the kernel
        dilation=tuple(dilation),
        padding=tuple(padding),
        ceil_mode=draw(st.booleans()),
        batched=draw(st.integers(0, 4)) > 0,  # unbatched one time in five
        N=draw(st.integers(1, 2)),
        # <= 4, > 4 and pixels of >= 512 bytes (CL_TAP_BYTES): three channels-last paths
        C=draw(st.sampled_from([1, 2, 3, 5, 8, 130])),
        spatial=tuple(spatial),
        dtype=draw(st.sampled_from([np.float32, np.float64])),
        channels_last=draw(st.booleans()),
        data=draw(st.sampled_from(["normal", "ties", "special"])),
        seed=draw(st.integers(0, 2**32 - 1)),
    )
    if op == "avg":
        case["count_include_pad"] = draw(st.booleans())
        # torch.nn.functional.avg_pool1d has no divisor_override
        case["divisor_override"] = draw(st.none() | st.integers(-5, 5).filter(bool)) if nsp > 1 else None
    return case


# ---------------------------------------------------------------- helpers


def make_input(case, dtype=None):
    """The logical channels-first input, (N, C, *spatial) or unbatched (C, *spatial)."""
    rng = np.random.default_rng(case["seed"])
    shape = ((case["N"],) if case["batched"] else ()) + (case["C"],) + case["spatial"]
    kind = case["data"]
    if kind == "normal":
        x = rng.standard_normal(shape)
    elif kind == "ties":
        x = rng.integers(-2, 3, shape).astype(np.float64)
    else:  # mostly ordinary values, a sprinkling of +-0, +-inf and NaN
        x = np.where(rng.random(shape) < 0.3, rng.choice(SPECIAL, shape), rng.integers(-2, 3, shape))
    return x.astype(dtype or case["dtype"])


def channel_axis(case):
    return 1 if case["batched"] else 0


def to_cypool(case, a):
    """Logical channels-first array -> what cypool is given for the drawn data_format."""
    if case["channels_last"]:
        return np.ascontiguousarray(np.moveaxis(a, channel_axis(case), -1))
    return a


def from_cypool(case, a):
    return np.moveaxis(a, -1, channel_axis(case)) if case["channels_last"] else a


def data_format(case):
    return "channels_last" if case["channels_last"] else "channels_first"


def has_empty_window(case):
    """True if some window of the plan has no real input cell (written from the definition)."""
    stride = case["stride"] or case["kernel"]
    for n, k, s, d, p in zip(case["spatial"], case["kernel"], stride, case["dilation"], case["padding"]):
        extent = d * (k - 1) + 1
        if case["ceil_mode"]:
            m = -(-(n + 2 * p - extent) // s) + 1
            if (m - 1) * s >= n + p:
                m -= 1
        else:
            m = (n + 2 * p - extent) // s + 1
        for o in range(m):
            if not any(0 <= o * s - p + j * d < n for j in range(k)):
                return True
    return False


def assert_same_bits(got, want):
    """Equal shape, dtype and bit patterns (so -0.0 != 0.0, NaN == NaN of the same payload)."""
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype, want.shape, want.dtype)
    uint = {4: np.uint32, 8: np.uint64}[got.dtype.itemsize]
    np.testing.assert_array_equal(got.view(uint), want.view(uint))


def torch_select(case, x, op, return_indices):
    """PyTorch's max pool, or min pool as -max_pool(-x) (ties and NaN rules mirror exactly)."""
    fn = getattr(F, f"max_pool{case['nsp']}d")
    t = x if isinstance(x, torch.Tensor) else torch.from_numpy(x)
    args = (case["kernel"], case["stride"] or case["kernel"], case["padding"], case["dilation"], case["ceil_mode"])
    res = fn(-t if op == "min" else t, *args, return_indices=return_indices)
    y, idx = res if return_indices else (res, None)
    if op == "min":
        y = -y
    return y, idx


def cypool_select(case, x, op, **kw):
    fn = getattr(cypool, f"{op}_pool{case['nsp']}d")
    return fn(to_cypool(case, x), case["kernel"], case["stride"], case["padding"], case["dilation"],
              case["ceil_mode"], data_format=data_format(case), **kw)


def avg_args(case):
    args = [case["kernel"], case["stride"] or case["kernel"], case["padding"], case["ceil_mode"],
            case["count_include_pad"]]
    if case["nsp"] > 1:
        args.append(case["divisor_override"])
    return args


def cypool_avg_args(case):
    """The same call for cypool (stride=None passed through: it must default to the kernel)."""
    return [case["kernel"], case["stride"], case["padding"], case["ceil_mode"], case["count_include_pad"],
            case["divisor_override"]]


def torch_avg(case, t):
    return getattr(F, f"avg_pool{case['nsp']}d")(t, *avg_args(case))


# ---------------------------------------------------------------- max / min forward


@pytest.mark.parametrize("op", ["max", "min"])
@settings(max_examples=250, **SETTINGS)
@given(data=st.data())
def test_select_forward_is_bitwise_torch(op, data):
    case = data.draw(cases(op))
    x = make_input(case)
    if has_empty_window(case):
        # PyTorch returns -inf there with an index past the plane; SPEC.md refuses the call
        with pytest.raises(ValueError, match=rf"{op}_pool{case['nsp']}d: .*no input cell"):
            cypool_select(case, x, op)
        return
    want, want_idx = torch_select(case, x, op, return_indices=True)
    got, idx = cypool_select(case, x, op, return_indices=True)
    assert idx.dtype == np.int64
    assert_same_bits(from_cypool(case, got), want.numpy())
    np.testing.assert_array_equal(from_cypool(case, idx), want_idx.numpy())
    # the index-free kernels, against PyTorch's index-free path (a separate kernel for 1-D)
    plain, _ = torch_select(case, x, op, return_indices=False)
    assert_same_bits(from_cypool(case, cypool_select(case, x, op)), plain.numpy())


# ---------------------------------------------------------------- avg forward


@settings(max_examples=250, **SETTINGS)
@given(data=st.data())
def test_avg_forward_matches_torch(data):
    case = data.draw(cases("avg"))
    x = make_input(case)
    want = torch_avg(case, torch.from_numpy(x)).numpy()
    got = getattr(cypool, f"avg_pool{case['nsp']}d")(
        to_cypool(case, x), *cypool_avg_args(case), data_format=data_format(case),
    )
    got = from_cypool(case, got)
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = 1e-6 if case["dtype"] == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("op", ["max", "min"])
@settings(max_examples=120, **SETTINGS)
@given(data=st.data())
def test_select_backward_matches_autograd(op, data):
    case = data.draw(cases(op))
    if has_empty_window(case):
        return  # refused by the forward (test above)
    x = make_input(case, np.float64)
    t = torch.from_numpy(x).requires_grad_(True)
    y, _ = torch_select(case, t, op, return_indices=False)
    g = np.random.default_rng(case["seed"] + 1).standard_normal(tuple(y.shape))
    y.backward(torch.from_numpy(g))
    want = t.grad.numpy()

    _, idx = cypool_select(case, x, op, return_indices=True)
    backward = getattr(cypool, f"{op}_pool{case['nsp']}d_backward")
    got = backward(to_cypool(case, g), idx, to_cypool(case, x).shape, data_format=data_format(case))
    got = from_cypool(case, got)
    assert got.dtype == np.float64 and got.shape == x.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@settings(max_examples=120, **SETTINGS)
@given(data=st.data())
def test_avg_backward_matches_autograd(data):
    case = data.draw(cases("avg"))
    x = make_input(case, np.float64)
    t = torch.from_numpy(x).requires_grad_(True)
    y = torch_avg(case, t)
    g = np.random.default_rng(case["seed"] + 1).standard_normal(tuple(y.shape))
    y.backward(torch.from_numpy(g))
    want = t.grad.numpy()

    backward = getattr(cypool, f"avg_pool{case['nsp']}d_backward")
    got = backward(to_cypool(case, g), to_cypool(case, x).shape, *cypool_avg_args(case),
                   data_format=data_format(case))
    got = from_cypool(case, got)
    assert got.dtype == np.float64 and got.shape == x.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- unbatched, explicitly


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("nsp", [1, 2, 3])
def test_unbatched_matches_torch(nsp, channels_last):
    """(C, *spatial) in, (C, *spatial_out) out, forward and backward, for every family."""
    case = dict(nsp=nsp, kernel=(3,) * nsp, stride=(2,) * nsp, dilation=(1,) * nsp, padding=(1,) * nsp,
                ceil_mode=True, batched=False, N=1, C=3, spatial=(5,) * nsp, dtype=np.float64,
                channels_last=channels_last, data="special", seed=nsp, count_include_pad=False,
                divisor_override=None)
    x = make_input(case)
    assert x.shape == (3,) + (5,) * nsp
    for op in ("max", "min"):
        want, want_idx = torch_select(case, x, op, return_indices=True)
        got, idx = cypool_select(case, x, op, return_indices=True)
        assert got.ndim == nsp + 1
        assert_same_bits(from_cypool(case, got), want.numpy())
        np.testing.assert_array_equal(from_cypool(case, idx), want_idx.numpy())
        g = np.arange(1.0, got.size + 1).reshape(got.shape)
        gx = getattr(cypool, f"{op}_pool{nsp}d_backward")(g, idx, to_cypool(case, x).shape,
                                                          data_format=data_format(case))
        t = torch.from_numpy(x).requires_grad_(True)
        y, _ = torch_select(case, t, op, return_indices=False)
        y.backward(torch.from_numpy(np.ascontiguousarray(from_cypool(case, g))))
        np.testing.assert_allclose(from_cypool(case, gx), t.grad.numpy(), rtol=1e-12, atol=0)
    want = getattr(F, f"avg_pool{nsp}d")(torch.from_numpy(x), 3, 2, 1, True, False).numpy()
    got = getattr(cypool, f"avg_pool{nsp}d")(to_cypool(case, x), 3, 2, 1, True, False,
                                             data_format=data_format(case))
    np.testing.assert_allclose(from_cypool(case, got), want, rtol=1e-12, atol=1e-12)
