"""Build cypool's Cython extensions.

Metadata lives in pyproject.toml; this file only builds extensions:

1. render every ``cypool/_kernels/*.pyx.tp`` Tempita template to ``.pyx``
   (a template listed in PARTS to one ``.pyx`` per part, separate extension
   modules that build_ext compiles in parallel);
2. probe OpenMP by compiling and linking a tiny OpenMP program with the very
   compiler that builds the extensions; without it, build serially and say so
   loudly (``CYPOOL_OPENMP=required`` turns that into an error,
   ``CYPOOL_OPENMP=disabled`` skips the probe);
3. record the build (compiler, flags, OpenMP) in ``cypool/_build_config.py``
   inside the build, for ``cypool.show_config()``.

Environment variables:
    CYPOOL_OPENMP       "auto" (default) | "required" | "disabled"
    CYPOOL_MARCH_NATIVE "1" adds -march=native: local builds only, never wheels
    CYPOOL_AVX2         "0" skips the AVX2 twin of the channels-last kernels
                        (built by default on x86-64 with GCC or Clang; see TWIN_FLAGS)
"""
import os
import shutil
import sys
import tempfile
import textwrap
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = os.path.join("cypool", "_kernels")

OPENMP_PROBE = textwrap.dedent(
    """
    #include <omp.h>
    #include <stdio.h>
    int main(void) {
        int n = 0;
        #pragma omp parallel reduction(+:n)
        n += 1;
        printf("%d %d\\n", n, omp_get_max_threads());
        return n > 0 ? 0 : 1;
    }
    """
)


# Templates rendered once per part, each its own extension module, so that
# the largest family compiles on two cores: {module suffix: template
# variables}. PART is the layout; SHARE splits the channels-first kernels in
# two modules of similar compile time (the row kernels with indices, 'idx',
# and the rest, 'main'); "cl_avx2" is the channels-last part again, compiled
# as the AVX2 twin (see TWIN_FLAGS).
PARTS = {
    "_window": {
        "cf": {"PART": "cf", "SHARE": "main"},
        "cf_idx": {"PART": "cf", "SHARE": "idx"},
        "cl": {"PART": "cl"},
        "cl_avx2": {"PART": "cl"},
    }
}
# The modules by compile time, longest first (object sizes 3.3, 3.1, 1.9, 1.3
# MB): build_ext hands them to its workers in this order, so that the short
# ones fill in beside the long ones (on two cores, by those sizes, about 30 s
# less than the two channels-first modules first).
BUILD_ORDER = ("_window_cf", "_window_cl", "_window_cf_idx", "_window_cl_avx2")

# The AVX2 twin of the channels-last kernels: the same source compiled for
# AVX2 + FMA, imported instead of the baseline module when the CPU has both
# (cypool/_kernels/_window.py; CYPOOL_ISA=baseline declines it). Channels-last
# loops run over contiguous channels, where 8-lane vectors pay (a C model of
# case b NHWC: 6.6 -> 4.5 ms); the channels-first kernels gain nothing
# (strided loads become gathers: 0.83-0.97x, measured) and are built once.
# -ffp-contract=off: no fused multiply-add, so both twins round alike (the
# tests hold them to the same bits). The twin holds the floating-point
# specialisations only (the template's TWIN): integer pooling keeps the
# baseline's, and the twin compiles in a third of the time.
# CYPOOL_AVX2=0 skips the twin.
TWIN_SUFFIX = "_avx2"
TWIN_FLAGS = ["-mavx2", "-mfma", "-ffp-contract=off"]
TWIN_PROBE = "#include <immintrin.h>\nint f(float* p) { _mm256_storeu_ps(p, _mm256_fmadd_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p), _mm256_loadu_ps(p))); return 0; }\n"


def rendered(tp):
    """{output .pyx path: its template variables} of a .pyx.tp template ({} where not split)."""
    stem = tp[: -len(".pyx.tp")]
    parts = PARTS.get(os.path.basename(stem))
    if not parts:
        return {stem + ".pyx": {}}
    return {f"{stem}_{suffix}.pyx": variables for suffix, variables in parts.items()}


def render_templates():
    """Render each .pyx.tp to .pyx (only when the output is stale)."""
    from Cython import Tempita

    for tp in sorted(glob(os.path.join(HERE, KERNELS, "*.pyx.tp"))):
        whole = tp[: -len(".tp")]
        if whole not in rendered(tp) and os.path.exists(whole):
            os.remove(whole)  # an unsplit rendering left by an older build
        for target, variables in rendered(tp).items():
            _render(tp, target, variables, Tempita)


def _render(tp, target, variables, Tempita):
    """Render one part of a template to target (written only when it changed)."""
    variables = {"PART": None, "SHARE": None, **variables, "TWIN": target.endswith(TWIN_SUFFIX + ".pyx")}
    with open(tp, encoding="utf-8") as f:
        body = Tempita.sub(f.read(), **variables)
    text = f"# Generated from {os.path.basename(tp)} by setup.py: edit the template, not this file.\n" + body
    old = None
    if os.path.exists(target):
        with open(target, encoding="utf-8") as f:
            old = f.read()
    if old != text:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)


def openmp_flags(compiler_type):
    """Candidate (compile, link) flags for OpenMP with this compiler family."""
    if compiler_type == "msvc":
        return [("/openmp", [])]
    if sys.platform == "darwin":
        # Apple clang needs libomp (Homebrew or a prefix given by the builder).
        prefix = os.environ.get("OpenMP_ROOT") or os.environ.get("LIBOMP_PREFIX", "")
        inc = [f"-I{prefix}/include"] if prefix else []
        lib = [f"-L{prefix}/lib"] if prefix else []
        return [(["-Xpreprocessor", "-fopenmp", *inc], ["-lomp", *lib]), (["-fopenmp"], ["-fopenmp"])]
    return [(["-fopenmp"], ["-fopenmp"])]


def first_that_builds(compiler, source, candidates, link):
    """The first (cflags, ldflags) of ``candidates`` with which this compiler compiles the C
    ``source`` (and, with ``link``, links it into a program), or None."""
    tmp = tempfile.mkdtemp(prefix="cypool-probe-")
    old = os.getcwd()
    try:
        os.chdir(tmp)
        with open("probe.c", "w") as f:
            f.write(source)
        for cflags, ldflags in candidates:
            cflags = [cflags] if isinstance(cflags, str) else list(cflags)
            try:
                objs = compiler.compile(["probe.c"], extra_postargs=cflags)
                if link:
                    compiler.link_executable(objs, "probe", extra_postargs=list(ldflags))
            except Exception:  # any compile or link failure means "not with these flags"
                continue
            return cflags, list(ldflags)
        return None
    finally:
        os.chdir(old)
        shutil.rmtree(tmp, ignore_errors=True)


def probe_openmp(compiler):
    """Compile and link a tiny OpenMP program; return the (cflags, ldflags) that did, or None."""
    return first_that_builds(compiler, OPENMP_PROBE, openmp_flags(compiler.compiler_type), link=True)


def twin_supported(compiler):
    """Whether this compiler, on this machine's architecture, builds the AVX2 twin."""
    import platform

    if os.environ.get("CYPOOL_AVX2", "1") == "0" or compiler.compiler_type == "msvc":
        return False
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    return first_that_builds(compiler, TWIN_PROBE, [(TWIN_FLAGS, [])], link=False) is not None


class BuildExt(build_ext):
    """build_ext that adds optimisation and OpenMP flags found by probing."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:  # compile the extension modules side by side
            self.parallel = os.cpu_count() or 1

    def build_extensions(self):
        ctype = self.compiler.compiler_type
        mode = os.environ.get("CYPOOL_OPENMP", "auto").lower()
        if mode not in ("auto", "required", "disabled"):
            raise SystemExit(f"CYPOOL_OPENMP must be auto, required or disabled; got {mode!r}")
        omp = None if mode == "disabled" else probe_openmp(self.compiler)
        if omp is None and mode == "required":
            raise SystemExit("cypool: CYPOOL_OPENMP=required but the compiler cannot build OpenMP code")
        if omp is None and mode == "auto":
            bar = "!" * 78
            print(
                f"\n{bar}\ncypool: OpenMP NOT FOUND for compiler {ctype!r}.\n"
                "Building a SERIAL cypool: num_threads will have no effect.\n"
                "Install an OpenMP runtime (libgomp / libomp) and rebuild for parallel kernels.\n"
                f"{bar}\n",
                file=sys.stderr,
            )
        if ctype == "msvc":
            cflags = ["/O2"]
        else:
            # -g0: no debug sections (Python's own CFLAGS carry -g); CYPOOL_DEBUG=1 keeps them
            cflags = ["-O3", "-fno-math-errno", "-Wno-unreachable-code", "-Wno-tautological-compare"]
            if os.environ.get("CYPOOL_DEBUG") != "1":
                cflags.append("-g0")
            cflags += ["-march=native"] if os.environ.get("CYPOOL_MARCH_NATIVE") == "1" else []  # local builds only
        ldflags = []
        if omp is not None:
            cflags += omp[0]
            ldflags += omp[1]
        twin = twin_supported(self.compiler)
        if not twin:
            self.extensions = [e for e in self.extensions if not e.name.endswith(TWIN_SUFFIX)]
        rank = {name: i for i, name in enumerate(BUILD_ORDER)}
        self.extensions.sort(key=lambda e: rank.get(e.name.rsplit(".", 1)[-1], len(rank)))
        for ext in self.extensions:
            extra = TWIN_FLAGS if ext.name.endswith(TWIN_SUFFIX) else []
            ext.extra_compile_args = list(ext.extra_compile_args or []) + cflags + extra
            ext.extra_link_args = list(ext.extra_link_args or []) + ldflags
        super().build_extensions()
        self.write_build_config(ctype, cflags, ldflags, omp is not None, mode, twin)

    def write_build_config(self, ctype, cflags, ldflags, openmp, mode, twin):
        import Cython

        cc = getattr(self.compiler, "compiler_so", None) or [ctype]
        text = (
            "# Written by setup.py at build time: how this copy of cypool was compiled.\n"
            f"compiler = {' '.join(cc[:1])!r}\n"
            f"compiler_type = {ctype!r}\n"
            f"compile_args = {cflags!r}\n"
            f"link_args = {ldflags!r}\n"
            f"openmp = {openmp!r}\n"
            f"openmp_mode = {mode!r}\n"
            f"avx2_twin = {twin!r}\n"
            f"avx2_twin_flags = {TWIN_FLAGS if twin else []!r}\n"
            f"cython_version = {Cython.__version__!r}\n"
            f"python = {sys.version.split()[0]!r}\n"
        )
        self._config_text = text
        self._write_config(self.build_lib)

    def _write_config(self, root):
        target = os.path.join(root, "cypool", "_build_config.py")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(self._config_text)

    def run(self):
        super().run()
        # setuptools builds in build_lib and copies to the source tree afterwards
        if self.inplace and getattr(self, "_config_text", None):
            self._write_config(HERE)


def extensions():
    from Cython.Build import cythonize

    render_templates()
    names = sorted(
        os.path.splitext(os.path.basename(p))[0] for p in glob(os.path.join(HERE, KERNELS, "*.pyx"))
    )
    exts = [
        Extension(f"cypool._kernels.{name}", [os.path.join(KERNELS, f"{name}.pyx")])
        for name in names
    ]
    return cythonize(
        exts,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "initializedcheck": False,
            "cdivision": True,
            "embedsignature": True,
        },
        nthreads=os.cpu_count() or 1,
    )


class Sdist(sdist):
    """The sdist: sources, templates, tests and bench; never generated code.

    Takes the place of a MANIFEST.in (the repository's top level stays fixed).
    Cython's .c output, the .pyx rendered from a .pyx.tp, and _build_config.py
    are produced at build time and left out.
    """

    INCLUDE = ["README.md", "LICENSE", "pyproject.toml", "setup.py",
               "cypool/**/*.py", "cypool/**/*.pxd", "cypool/**/*.pyx", "cypool/**/*.pyx.tp",
               "tests/*.py", "bench/*.py", "bench/results/*.json", "bench/results/*.png",
               "bench/results/*.md"]

    def make_distribution(self):
        files = set(self.filelist.files)
        for pattern in self.INCLUDE:
            files.update(glob(pattern, recursive=True))
        generated = {out for p in files if p.endswith(".pyx.tp") for out in rendered(p)} | {
            os.path.join("cypool", "_build_config.py")}
        self.filelist.files = sorted(
            p for p in files
            if p not in generated and not p.endswith((".c", ".so", ".pyd", ".o", ".pyc"))
        )
        super().make_distribution()


# An sdist ships the templates and .pyx sources (Sdist above), never Cython's
# output: cythonize would put the generated .c files in the sources list.
BUILDING_SDIST = "sdist" in sys.argv[1:] or "egg_info" in sys.argv[1:]

setup(
    ext_modules=[] if BUILDING_SDIST else extensions(),
    cmdclass={"build_ext": BuildExt, "sdist": Sdist},
    packages=["cypool", "cypool.functional", "cypool._kernels", "cypool.bench"],
    package_dir={"cypool.bench": "bench"},
    package_data={"cypool._kernels": ["*.pxd"]},
    exclude_package_data={"cypool._kernels": ["*.pyx", "*.pyx.tp", "*.c"]},
)
