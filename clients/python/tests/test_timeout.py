"""Proves a daemon that stops answering (SIGSTOP) makes a call raise bzl.Timeout after the
client's timeout rather than hang, closes that connection (a late reply would answer the wrong
request), and that the daemon serves new connections again once continued."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

import bzl


def test_a_stopped_daemon_times_out(start_daemon: Any) -> None:
    d = start_daemon()
    c = d.client(timeout=0.5)
    assert c.stats().requests >= 0
    d.proc.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(bzl.Timeout, match="moved no byte in 0.5 s"):
            c.stats()
        waited = time.monotonic() - started
        assert 0.4 <= waited < 5, waited
        with pytest.raises(bzl.TransportError, match="closed"):
            c.stats()  # that connection is gone for good
        # A new connection is taken by the kernel's backlog, and its request times out too.
        with d.client(timeout=0.3) as late:
            with pytest.raises(TimeoutError):
                late.get_enterprise("6201230001")
    finally:
        d.proc.send_signal(signal.SIGCONT)
        c.close()
    with d.client(timeout=30) as again:
        assert again.stats().requests > 0
