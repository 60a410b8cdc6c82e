#!/usr/bin/env python3
"""Entry point the Makefile calls: python build.py [pdf|docx|html|handout|all|check ...]."""

import gc
import logging
import os
import sys

# A build is a short-lived process that allocates millions of small objects and frees nearly
# all of them by reference counting. At Python's default thresholds the cycle collector ran
# about 300 times in each rendering process and took a tenth of the build's CPU time (7 of
# 40 s for a 500-page report); collecting less often cuts that by 60 to 80 % and leaves peak
# memory as it was (bench/README.md).
gc.set_threshold(20_000, 50, 50)

# The package's own bytecode is kept (icat_reports/__pycache__, ignored by git) even where
# PYTHONDONTWRITEBYTECODE is set, as it is on these machines: compiling the package anew in
# every build, and in every rendering process, cost 0.04 s of each one's start.
sys.dont_write_bytecode = False
# pydantic looks for plugins through importlib.metadata (0.01 s) when it builds the schema's
# validators; the project uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

if __name__ == "__main__":
    try:
        from icat_reports.cli import main  # after the thresholds: imports allocate too
    except KeyboardInterrupt:  # Ctrl-C before the build could even start: no traceback
        sys.stderr.write("interrupted\n")
        os._exit(130)
    status = main()
    # Every output is written and closed by now. Tearing the interpreter down, which frees
    # the objects of WeasyPrint, the fonts and the content one by one, took 0.15 s, a tenth of
    # a whole build: flush what is buffered and leave at once.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
