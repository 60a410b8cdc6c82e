"""WeasyPrint, imported without parsing C or running a compiler: every module takes it from here.

WeasyPrint declares some 450 lines of C to cffi, which parses them with pycparser in every
process that imports it, and parses again each C type it first allocates while printing.
While WeasyPrint loads, its cdef() here loads the declarations compiled once into a Python
module instead (cffi's "out-of-line ABI mode", `FFI.emit_python_code`; no C compiler), kept in
the user's cache folder (~/.cache/icat-reports) and named by a hash of the declarations and of
the cffi version, so that a new WeasyPrint or cffi compiles afresh. Types then resolve in C:
about 0.1 s less in the parent and in each printing worker. The output is the same.

WeasyPrint finds pango, harfbuzz and fontconfig by trying several names for each library. The
compiled module opens them by their file names. If it cannot be written or loaded, cffi parses
the declarations as before, and asks `ctypes.util.find_library` for every name that misses;
on Linux that runs `ldconfig -p`, then gcc, then ld (WeasyPrint issue #1125): some twenty
subprocesses and about 0.25 s. find_library here answers from one reading of `ldconfig -p`,
the only one of the three that finds anything on Debian.

WeasyPrint also imports fontTools' subsetter and variable-font instancer, some 120 modules and
0.07 s, for fonts it does not meet here: it subsets with HarfBuzz, and the theme's fonts are
static. Both are left as stand-ins (`_Deferred`) that import the real module on first use.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import importlib.util
import logging
import os
import re
import struct
import subprocess
import sys
import tempfile
import types
from functools import lru_cache
from pathlib import Path

import cffi

from ..caches import cache_dir

log = logging.getLogger(__name__)

# ctypes' names for this machine's ABI in `ldconfig -p` (see ctypes.util._findSoname_ldconfig).
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


@lru_cache(maxsize=None)
def _ldconfig() -> str | None:
    try:
        return subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, timeout=10,
                              env={"LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def _find_library(name: str) -> str | None:
    listing = _ldconfig()
    if listing is None:
        return _original(name)
    machine = f"{os.uname().machine}-{struct.calcsize('l') * 8}"
    found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({_ABI.get(machine, 'libc6')}", listing)
    return found.group(1) if found else None


def _compiled(source: str):
    """The declarations as a compiled cffi module's ffi object, compiled on first use."""
    key = hashlib.sha256(f"{cffi.__version__}\0{source}".encode()).hexdigest()[:16]
    name = f"_weasyprint_ffi_{key}"
    path = cache_dir() / f"{name}.py"
    if not path.exists():
        builder = _FFI()  # the real one: cffi.FFI is this module's stand-in meanwhile
        builder.cdef(source)
        builder.set_source(name, None)  # None: ABI mode, no C compiler
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".py", dir=path.parent)
        os.close(fd)
        try:
            builder.emit_python_code(tmp)
            os.replace(tmp, path)  # whole or not at all, even with builds running side by side
        finally:
            Path(tmp).unlink(missing_ok=True)
        log.debug("compiled WeasyPrint's C declarations into %s", path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ffi


class _CompiledFFI:
    """Stands in for cffi.FFI() while WeasyPrint imports; cdef() loads the compiled module."""

    def __init__(self):
        self._ffi = None

    def cdef(self, source: str, **options) -> None:
        try:
            self._ffi = None if options else _compiled(source)
        except Exception as error:  # no cache folder, say: cffi parses the source, as always
            log.debug("cannot use compiled C declarations (%s); parsing them", error)
        if self._ffi is None:
            self._ffi = _FFI()
            self._ffi.cdef(source, **options)

    def __getattr__(self, name):
        return getattr(self._ffi, name)


class _Deferred(types.ModuleType):
    """Stands in for a module in sys.modules until one of its attributes is first used."""

    def __init__(self, name: str, functions: tuple[str, ...] = ()):
        super().__init__(name)
        # `from module import function` looks the name up at once: give it a function that
        # imports the module when it is called.
        for function in functions:
            setattr(self, function, lambda *a, _name=function, **k: getattr(self._real(), _name)(*a, **k))

    def _real(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, name: str):
        if name.startswith("__"):  # introspection (pickle, inspect, pytest) must not import it
            raise AttributeError(name)
        return getattr(self._real(), name)


def _defer(name: str, functions: tuple[str, ...] = ()) -> None:
    if name not in sys.modules:
        sys.modules[name] = _Deferred(name, functions)


_original, _FFI = ctypes.util.find_library, cffi.FFI
if "weasyprint" not in sys.modules:
    if sys.platform.startswith("linux"):
        ctypes.util.find_library = _find_library
    cffi.FFI = _CompiledFFI
    _defer("fontTools.subset")  # weasyprint.pdf.fonts: `from fontTools import subset`
    _defer("fontTools.varLib.instancer", ("instantiateVariableFont",))
try:
    from weasyprint import CSS, HTML, URLFetcher, __version__  # noqa: E402
finally:
    ctypes.util.find_library, cffi.FFI = _original, _FFI

from .margins import skip_empty  # noqa: E402
skip_empty()  # pages without margin boxes are given none at once (margins.py)



@lru_cache(maxsize=None)
def font_config():
    """The FontConfiguration every document of this process, and of the processes it forks
    after this first call, prints with.

    By default WeasyPrint makes one per document, which loads fontconfig's configuration and
    font cache again and sorts the installed fonts anew for each font description: 4 % of
    the instructions printing the report and the handout here. The templates use installed
    fonts only (no @font-face, which would add its fonts to the shared configuration), and a
    document prints the same bytes with a shared configuration as with its own.
    """
    from weasyprint.text.fonts import FontConfiguration
    return FontConfiguration()


__all__ = ["CSS", "HTML", "URLFetcher", "__version__", "font_config"]
