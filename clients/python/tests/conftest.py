"""Fixtures of the Python client's suite: the bzl package under test and real bzld processes.

The package under test: under ctest, the build tree's copy ($BZL_PYTHON_PATH, with the
bzl_pb2.py CMake generated); run alone (`python3 -m pytest clients/python -q`), a copy of the
source package in a temporary directory with bzl_pb2.py generated there by protoc from this
tree's proto/bzl.proto. Either way the generated module is fresh and never in the source tree.

bzld: $BZLD (ctest sets it), else the most recently built SOURCE/build*/bzld. Each daemon runs
in the foreground on its own temporary directory, as tests/daemon/e2e/*.sh start theirs, and is
ready once a Stats request is answered. At the end it gets SIGTERM and must exit 0.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Dict, Iterator, List, Optional

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_SOURCE = os.path.dirname(HERE)  # clients/python
SOURCE_DIR = os.path.normpath(os.path.join(PACKAGE_SOURCE, "..", ".."))
PROTO = os.path.join(SOURCE_DIR, "proto", "bzl.proto")


def protoc() -> str:
    path = os.environ.get("BZL_PROTOC") or shutil.which("protoc")
    if not path:
        raise RuntimeError("protoc not found: apt-get install protobuf-compiler")
    return path


def _package_dir() -> str:
    built = os.environ.get("BZL_PYTHON_PATH")
    if built:
        return built
    tmp = tempfile.mkdtemp(prefix="bzl-py-pkg-")
    atexit.register(shutil.rmtree, tmp, True)
    shutil.copytree(
        os.path.join(PACKAGE_SOURCE, "bzl"),
        os.path.join(tmp, "bzl"),
        ignore=shutil.ignore_patterns("__pycache__", "bzl_pb2.py"),
    )
    subprocess.run(
        [protoc(), "-I", os.path.dirname(PROTO), f"--python_out={tmp}/bzl/_proto", "bzl.proto"],
        check=True,
    )
    return tmp


PACKAGE_DIR = _package_dir()
sys.path.insert(0, PACKAGE_DIR)

import bzl  # noqa: E402  (after the path is set)

assert os.path.realpath(bzl.__file__).startswith(os.path.realpath(PACKAGE_DIR)), bzl.__file__


def bzld_path() -> str:
    env = os.environ.get("BZLD")
    if env:
        return env
    found = [
        p for p in glob.glob(os.path.join(SOURCE_DIR, "build*", "bzld")) if os.access(p, os.X_OK)
    ]
    if not found:
        raise RuntimeError(
            "no bzld: build it (cmake -S . -B build && cmake --build build) or set $BZLD"
        )
    return max(found, key=os.path.getmtime)


class Daemon:
    """A bzld process on a temporary directory."""

    def __init__(self, root: str, config: Optional[str] = None) -> None:
        self.root = root
        self.data = os.path.join(root, "data")
        self.socket = os.path.join(root, "bzld.sock")
        self.log_path = os.path.join(root, "bzld.log")
        args = [bzld_path(), "--foreground", "--data", self.data, "--socket", self.socket]
        if config is not None:
            cfg = os.path.join(root, "bzld.conf")
            with open(cfg, "w") as f:
                f.write(config)
            args += ["--config", cfg]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def log(self) -> str:
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def _wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bzld exited {self.proc.returncode}:\n{self.log()}")
            try:
                with bzl.Client(self.socket, timeout=10) as c:
                    c.stats()
                return
            except bzl.Error:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def client(self, **kw: object) -> bzl.Client:
        return bzl.Client(self.socket, **kw)  # type: ignore[arg-type]

    def stop(self) -> int:
        """SIGTERM (after SIGCONT, in case a test stopped it); the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


@pytest.fixture(scope="session")
def start_daemon() -> Iterator:
    """start_daemon(config=None) → a running Daemon, stopped (and checked) at the end."""
    daemons: List[Daemon] = []
    roots: List[str] = []

    def start(config: Optional[str] = None) -> Daemon:
        root = tempfile.mkdtemp(prefix="bzl-py-")
        roots.append(root)
        d = Daemon(root, config)
        daemons.append(d)
        return d

    yield start
    bad: Dict[str, str] = {}
    for d in daemons:
        rc = d.stop()
        if rc != 0:
            bad[d.root] = f"exit {rc}\n{d.log()[-4000:]}"
    for r in roots:
        shutil.rmtree(r, ignore_errors=True)
    assert not bad, f"bzld did not stop cleanly: {bad}"


@pytest.fixture(scope="session")
def daemon(start_daemon) -> Daemon:  # type: ignore[no-untyped-def]
    """One daemon for the suite, holding the ledger of `ledger`."""
    return start_daemon()


@pytest.fixture(scope="session")
def ledger(daemon: Daemon) -> Iterator[object]:
    """The scenario of scenario.py built on `daemon`: every request kind once."""
    import scenario

    scratch = tempfile.mkdtemp(prefix="bzl-py-ledger-")
    with daemon.client(timeout=60) as c:
        led = scenario.build(c, scratch)
    yield led
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def client(daemon: Daemon) -> Iterator[bzl.Client]:
    with daemon.client(timeout=60) as c:
        yield c
