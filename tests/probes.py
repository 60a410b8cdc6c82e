"""A Python snippet run in a fresh interpreter, as a build starts, its last line read as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_probe(script: str, *args: str, cache: Path | None = None) -> dict:
    """What the script printed last, from the repository root; cache: its XDG_CACHE_HOME."""
    env = {**os.environ, **({"XDG_CACHE_HOME": str(cache)} if cache is not None else {})}
    run = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])
