"""Proves the README's five-minute example runs as written, from the repository root, against
the demo ledger (deploy/demo/load.sh through the bzl CLI, when one is built) and against a
fresh bzld, twice (a second run finds everything registered and replays), printing what the
README says it prints; and that the package imports from where it was built."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from typing import Any, Optional

import pytest

from conftest import PACKAGE_DIR, PACKAGE_SOURCE, SOURCE_DIR


def _example() -> str:
    text = open(os.path.join(PACKAGE_SOURCE, "README.md")).read()
    section = text.split("## Five minutes", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def _cli() -> Optional[str]:
    env = os.environ.get("BZL_CLI")
    if env:
        return env
    found = [
        p for p in glob.glob(os.path.join(SOURCE_DIR, "build*", "bzl")) if os.access(p, os.X_OK)
    ]
    return max(found, key=os.path.getmtime) if found else None


def _run_example(socket: str, tmp_path: Any) -> str:
    script = tmp_path / "example.py"
    script.write_text(_example())
    env = dict(os.environ, BZL_SOCKET=socket, PYTHONPATH=PACKAGE_DIR)
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=SOURCE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _check(out: str, replayed: bool) -> None:
    assert "refused: item 2 has 11500 available" in out
    for line in ("material 1 35000.5 35000.5", "material 2 11500 11500", "product 1 0 0"):
        assert line in out.splitlines(), out
    assert out.count("replayed") == (4 if replayed else 0), out


def test_the_example_runs_against_the_demo(start_daemon: Any, tmp_path: Any) -> None:
    cli = _cli()
    if cli is None:
        pytest.skip("no bzl CLI built to load the demo with")
    d = start_daemon()
    load = subprocess.run(
        [os.path.join(SOURCE_DIR, "deploy", "demo", "load.sh"), cli],
        env=dict(os.environ, BZL_SOCKET=d.socket),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert load.returncode == 0, load.stderr
    _check(_run_example(d.socket, tmp_path), replayed=True)


def test_the_example_runs_on_a_fresh_daemon_and_again(start_daemon: Any, tmp_path: Any) -> None:
    d = start_daemon()
    _check(_run_example(d.socket, tmp_path), replayed=False)
    _check(_run_example(d.socket, tmp_path), replayed=True)


def test_import_bzl_from_the_build() -> None:
    env = dict(os.environ, PYTHONPATH=PACKAGE_DIR)
    run = subprocess.run(
        [sys.executable, "-c", "import bzl; print(bzl.__file__)"],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().startswith(PACKAGE_DIR)
