#!/usr/bin/env python3
"""The live preview's latency, as an editor sees it: `.venv/bin/python bench/preview.py [--edits N]`
(`make bench` runs it after bench/run.py).

Starts `build.py preview` on a copy of content/ (outputs in a temporary folder, port chosen by
the system), opens it in Debian's headless Chromium (tools/a11y/preview.js, puppeteer-core),
then edits a recommendation in areas.yaml N times (default 10), each time from an idle
preview, and measures from the file's save to: the report showing the new sentence (reloaded
through the page's event stream), and the slides swapped for the new ones. Prints the median
and the spread of each, against the targets (HTML under 1 s, slides under 3 s). Exit status 0
whatever the figures; 1 if the preview or the browser could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
RECOMMENDATION = "Increase the focus on demand in destination countries"
TARGETS = {"html": 1.0, "slides": 3.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="icat-bench-preview-") as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        preview = subprocess.Popen([PY, str(ROOT / "build.py"), "preview", "--content", str(content),
                                    "--out", str(Path(tmp) / "out"), "--port", "0"],
                                   cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True)
        try:
            match = re.search(r"http://127\.0\.0\.1:[0-9]+/", preview.stdout.readline())
            if not match:
                print("bench/preview.py: the preview did not start", file=sys.stderr)
                return 1
            run = subprocess.run(["node", str(ROOT / "tools" / "a11y" / "preview.js"), match[0],
                                  str(content / "areas.yaml"), RECOMMENDATION, str(args.edits)],
                                 capture_output=True, text=True)
        finally:
            os.killpg(preview.pid, signal.SIGINT)
            preview.wait(timeout=30)
            preview.stdout.close()
    if run.returncode != 0:
        print(f"bench/preview.py: {run.stderr.strip()}", file=sys.stderr)
        return 1
    result = json.loads(run.stdout)
    print(f"{'row':34}  {'edits':>5}  {'median':>8}  {'min-max':>11}  target")
    print(f"{'-' * 34}  {'-' * 5}  {'-' * 8}  {'-' * 11}  ------")
    for key, label in (("html", "preview: save to HTML reloaded"), ("slides", "preview: save to slides reloaded")):
        seconds = [ms / 1000 for ms in result[f"{key}_ms"]]
        median = statistics.median(seconds)
        verdict = "met" if median < TARGETS[key] else "MISSED"
        print(f"{label:34}  {len(seconds):>5}  {median:>6.2f} s  {min(seconds):.2f}-{max(seconds):.2f}  "
              f"< {TARGETS[key]:.0f} s {verdict}")
    if not all(result["seen"]):
        print("the new text was not seen after every edit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
