"""Memory layouts and odd arrays: results never depend on how the input is stored."""
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import cypool
from conftest import INTS, random_data

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

CALLS = {
    "max": lambda x, **kw: cypool.max_pool2d(x, 3, 2, 1, return_indices=True, **kw),
    "min": lambda x, **kw: cypool.min_pool2d(x, (2, 3), (1, 2), (1, 0), dilation=(2, 1), return_indices=True, **kw),
    "avg": lambda x, **kw: (cypool.avg_pool2d(x, 3, 2, 1, ceil_mode=True, **kw),),
}


def views(x):
    """The same logical NCHW array stored in many ways."""
    nhwc = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    yield "c", x
    yield "fortran", np.asfortranarray(x)
    yield "channels_last_memory", np.moveaxis(nhwc, -1, 1)
    yield "negative_strides", np.ascontiguousarray(x[:, :, ::-1, ::-1])[:, :, ::-1, ::-1]
    yield "strided", np.repeat(x, 2, axis=3)[:, :, :, ::2]
    ro = x.copy()
    ro.setflags(write=False)
    yield "read_only", ro


@pytest.mark.parametrize("op", sorted(CALLS))
def test_every_storage_gives_the_same_result(op, rng):
    x = random_data(rng, (2, 5, 9, 8), np.float32)
    want = CALLS[op](x)
    for name, v in views(x):
        got = CALLS[op](v)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w, err_msg=name)


@pytest.mark.parametrize("op", sorted(CALLS))
def test_channels_last_is_channels_first_transposed(op, rng):
    x = random_data(rng, (2, 5, 9, 8), np.float64)
    want = CALLS[op](x)
    got = CALLS[op](np.ascontiguousarray(np.moveaxis(x, 1, -1)), data_format="channels_last")
    for g, w in zip(got, want):
        np.testing.assert_array_equal(np.moveaxis(g, -1, 1), w)


def test_output_keeps_the_input_memory_format(rng):
    x = random_data(rng, (2, 5, 9, 8), np.float32)
    cl_memory = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    y, i = cypool.max_pool2d(cl_memory, 2, return_indices=True)
    assert y.shape == (2, 5, 4, 4)
    assert np.moveaxis(y, 1, -1).flags.c_contiguous and np.moveaxis(i, 1, -1).flags.c_contiguous
    assert cypool.max_pool2d(x, 2).flags.c_contiguous
    nhwc = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    assert cypool.avg_pool2d(nhwc, 2, data_format="channels_last").flags.c_contiguous


@pytest.mark.parametrize("nsp", [1, 2, 3])
def test_lower_dims_equal_3d_with_unit_axes(nsp, rng):
    shape = (2, 3) + (7,) * nsp
    x = random_data(rng, shape, np.float32)
    x3 = x.reshape((2, 3) + (1,) * (3 - nsp) + (7,) * nsp)
    y, i = getattr(cypool, f"max_pool{nsp}d")(x, 3, 2, 1, return_indices=True)
    y3, i3 = cypool.max_pool3d(x3, (1,) * (3 - nsp) + (3,) * nsp, (1,) * (3 - nsp) + (2,) * nsp,
                               (0,) * (3 - nsp) + (1,) * nsp, return_indices=True)
    np.testing.assert_array_equal(y, y3.reshape(y.shape))
    np.testing.assert_array_equal(i, i3.reshape(i.shape))


@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
def test_unbatched_input(data_format, rng):
    x = random_data(rng, (1, 3, 6, 6), np.float32)
    xb = x if data_format == "channels_first" else np.ascontiguousarray(np.moveaxis(x, 1, -1))
    y, i = cypool.max_pool2d(xb[0], 2, return_indices=True, data_format=data_format)
    yb, ib = cypool.max_pool2d(xb, 2, return_indices=True, data_format=data_format)
    np.testing.assert_array_equal(y, yb[0])
    np.testing.assert_array_equal(i, ib[0])
    g = cypool.max_pool2d_backward(np.ones_like(y), i, xb[0].shape, data_format=data_format)
    assert g.shape == xb[0].shape
    ga = cypool.avg_pool2d_backward(np.ones(y.shape), xb[0].shape, 2, data_format=data_format)
    assert ga.shape == xb[0].shape


@pytest.mark.parametrize("shape", [(0, 3, 6, 6), (2, 0, 6, 6)])
@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
def test_zero_size_batch_or_channels(shape, data_format):
    x = np.zeros(shape, np.float32)
    if data_format == "channels_last":
        x = np.moveaxis(x, 1, -1)
    y, i = cypool.max_pool2d(x, 2, return_indices=True, data_format=data_format)
    want = list(x.shape)
    sp = slice(1, 3) if data_format == "channels_last" else slice(2, 4)
    want[sp] = [3, 3]
    assert y.shape == tuple(want) and i.shape == tuple(want)
    assert cypool.avg_pool2d(x, 2, data_format=data_format).shape == tuple(want)
    g = cypool.max_pool2d_backward(y, i, x.shape, data_format=data_format)
    assert g.shape == x.shape
    assert cypool.avg_pool2d_backward(y, x.shape, 2, data_format=data_format).shape == x.shape


def test_out_arguments_are_written_and_returned(rng):
    x = random_data(rng, (2, 3, 8, 8), np.float32)
    out = np.empty((2, 3, 4, 4), np.float32)
    idx = np.empty((2, 3, 4, 4), np.int64)
    y, i = cypool.max_pool2d(x, 2, return_indices=True, out=out, indices_out=idx)
    assert y is out and i is idx
    want, want_i = cypool.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(idx, want_i)
    a = np.empty((2, 3, 4, 4), np.float32)
    assert cypool.avg_pool2d(x, 2, out=a) is a
    np.testing.assert_array_equal(a, cypool.avg_pool2d(x, 2))
    h = np.empty((2, 3, 4, 4), np.float16)
    cypool.max_pool2d(x.astype(np.float16), 2, out=h)
    np.testing.assert_array_equal(h, want.astype(np.float16))


def test_list_input():
    np.testing.assert_array_equal(cypool.max_pool1d([[[1, 5, 2, 4]]], 2), [[[5, 4]]])


@st.composite
def small_image_case(draw):
    """An integer image of 1-5 channels and a pooling geometry (any dims, padding, dilation, ceil)."""
    nsp = draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nsp))
    return dict(
        nsp=nsp, channels=draw(st.integers(1, 5)), dtype=draw(st.sampled_from(INTS)),
        size=tuple(draw(st.integers(3, 11)) for _ in range(nsp)), kernel_size=k,
        stride=tuple(draw(st.integers(1, 3)) for _ in range(nsp)),
        padding=tuple(draw(st.integers(0, kk // 2)) for kk in k),
        dilation=tuple(draw(st.integers(1, 2)) for _ in range(nsp)), ceil_mode=draw(st.booleans()),
        seed=draw(st.integers(0, 2**16)))


# windows clipped by padding whose first taps step back (start 1, then 0): no interior run
@example(dict(nsp=2, channels=3, dtype=np.uint8, size=(11, 4), kernel_size=(1, 3), stride=(1, 1),
              padding=(0, 1), dilation=(2, 2), ceil_mode=False, seed=0))
@given(small_image_case())
@settings(**SETTINGS, max_examples=300)
def test_integer_images_with_few_channels(case):
    # channels-last 8- and 16-bit images of <= 4 channels pool their window rows into a row first, then
    # the columns (kernels' order differs from channels-first; integer results cannot): the same
    # results as channels-first, max and min, and uint8 averages bit for bit (exact sums)
    case = dict(case)
    nsp, seed, dtype = case.pop("nsp"), case.pop("seed"), case.pop("dtype")
    x = random_data(np.random.default_rng(seed), (2, case.pop("channels")) + case.pop("size"), dtype, ties=False)
    xl = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    try:
        getattr(cypool, f"max_pool{nsp}d")(x, **case)
    except ValueError:  # a window that does not fit: refused (test_errors), not pooled
        assume(False)
    for op in ("max", "min"):
        fn = getattr(cypool, f"{op}_pool{nsp}d")
        want = fn(x, **case)
        for threads in (1, 2):
            got = fn(xl, **case, data_format="channels_last", num_threads=threads)
            np.testing.assert_array_equal(np.moveaxis(got, -1, 1), want)
    if dtype == np.uint8:
        case.pop("dilation")
        fn = getattr(cypool, f"avg_pool{nsp}d")
        for kw in (dict(count_include_pad=False), dict(dtype=np.float32, divisor_override=3)):
            want = fn(x, **case, **kw)
            got = fn(xl, **case, **kw, data_format="channels_last", num_threads=2)
            assert np.ascontiguousarray(np.moveaxis(got, -1, 1)).tobytes() == want.tobytes()


@pytest.mark.parametrize("nsp", [1, 2, 3])
@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("channels_last", [False, True])
def test_frame_shapes_match_its_views(nsp, batched, channels_last):
    # Frame.dims and Frame.shape work from shapes alone: the same as the views they stand for
    from cypool._layout import Frame
    shape = (2, 3, 4, 5, 6)[:nsp + 1 + batched]
    a = np.empty(shape, np.float32)
    for layout in ("cf", "cl"):
        frame = Frame(nsp, batched, channels_last, layout)
        assert frame.dims(a) == frame.to5(a).shape
        s5 = frame.dims(a)
        assert frame.shape(s5) == frame.from5(np.empty(s5, np.uint8)).shape == a.shape
