"""WeasyPrint, imported without running a compiler: every module takes WeasyPrint from here.

WeasyPrint finds pango, harfbuzz and fontconfig by trying several names for each library. For
every name that misses, cffi asks `ctypes.util.find_library`, which on Linux runs `ldconfig -p`,
then gcc, then ld (WeasyPrint issue #1125): some twenty subprocesses and about 0.25 s for each
process that prints a PDF. While WeasyPrint loads, find_library here answers from one reading
of `ldconfig -p`, which is the only one of the three that finds anything on Debian; the next
name WeasyPrint tries (the library's file name) is then loaded directly.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import struct
import subprocess
import sys
from functools import lru_cache

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


_original = ctypes.util.find_library
if sys.platform.startswith("linux") and "weasyprint" not in sys.modules:
    ctypes.util.find_library = _find_library
try:
    from weasyprint import CSS, HTML, URLFetcher, __version__  # noqa: E402
finally:
    ctypes.util.find_library = _original

__all__ = ["CSS", "HTML", "URLFetcher", "__version__"]
