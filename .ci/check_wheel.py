"""Check a built cypool wheel (and its sdist): what a released package must and must not hold.

Usage: python .ci/check_wheel.py REPAIRED_WHEEL [SDIST]

Asserts: a manylinux platform tag; the OpenMP runtime carried inside the wheel
(auditwheel's hash-renamed libgomp in cypool.libs/) unless the build was
explicitly serial (CYPOOL_OPENMP=disabled); compiled kernels present; no C
sources, .pyx/.pyx.tp templates or tests in the wheel; no generated C in the
sdist. Prints the wheel's name, size and `auditwheel show`.
"""
import os
import re
import subprocess
import sys
import tarfile
import zipfile


def fail(msg):
    sys.exit(f"check_wheel: {msg}")


def check_wheel(path):
    name = os.path.basename(path)
    files = zipfile.ZipFile(path).namelist()
    tag = name[:-4].split("-")[-1]
    if sys.platform.startswith("linux") and not re.search(r"manylinux", tag):
        fail(f"{name}: platform tag {tag!r} is not a manylinux tag")
    for part in ("_window_cf", "_window_cf_idx", "_window_cl", "_unpool", "_openmp"):
        if not any(re.match(rf"cypool/_kernels/{part}\..*\.(so|pyd)$", f) for f in files):
            fail(f"{name}: no compiled kernels cypool/_kernels/{part}.*.so")
    serial = os.environ.get("CYPOOL_OPENMP", "auto").lower() == "disabled"
    gomp = [f for f in files if re.match(r"cypool\.libs/lib(g?omp).*\.so", f)]
    if sys.platform.startswith("linux") and not serial and not gomp:
        fail(f"{name}: no OpenMP runtime in cypool.libs/ (auditwheel repair did not vendor libgomp)")
    bad = [f for f in files if f.endswith((".c", ".pyx", ".pyx.tp")) or f.startswith("tests/")
           or "/tests/" in f]
    if bad:
        fail(f"{name}: holds files a wheel must not ship: {bad[:5]}")
    print(f"wheel: {name}")
    print(f"size:  {os.path.getsize(path) / 1024:.0f} KiB")
    print(f"openmp runtime: {gomp or 'none (serial build)'}")


def check_sdist(path):
    with tarfile.open(path) as tar:
        names = tar.getnames()
    # the .pyx that setup.py renders from _window.pyx.tp (whole, or per layout)
    generated = [n for n in names if n.endswith(".c") or re.search(r"_kernels/_window(_c[fl])?\.pyx$", n)]
    if generated:
        fail(f"{os.path.basename(path)}: ships generated sources {generated[:5]}")
    if not any(n.endswith("_window.pyx.tp") for n in names):
        fail(f"{os.path.basename(path)}: lacks the kernel templates")
    print(f"sdist: {os.path.basename(path)} ({len(names)} entries, no generated C)")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    check_wheel(sys.argv[1])
    if len(sys.argv) == 3:
        check_sdist(sys.argv[2])
    if sys.platform.startswith("linux"):
        subprocess.run([sys.executable, "-m", "auditwheel", "show", sys.argv[1]], check=True)
