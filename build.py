#!/usr/bin/env python3
"""Entry point the Makefile calls: python build.py [pdf|docx|html|handout|all|check ...]."""

import sys

from icat_reports.cli import main

if __name__ == "__main__":
    sys.exit(main())
