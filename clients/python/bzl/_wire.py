"""The connection: framing (4-byte big-endian length, then the body) over a Unix socket.

Frame layout, both directions (lib/include/core/bzl/frame.h):

    offset  bytes  field
    0       4      body length N, unsigned big-endian, 1 <= N <= the cap
    4       N      a protobuf Request (client → daemon) or Response (daemon → client)

The socket is non-blocking and every wait goes through poll, so that sending a long pipeline
never deadlocks against a daemon that is itself waiting for us to read its replies: whenever the
socket will not take more bytes, the replies that have arrived are read. A reply frame whose
header announces more than the cap is refused from the header alone, before its body is read.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import struct
import time
from collections import deque
from typing import Deque, Optional

from .errors import Error, FrameEmpty, FrameTooLarge, Timeout, TransportError

#: The daemon's embedded default socket, relative to the working directory (as the CLI's).
SOCKET_DEFAULT = "./bzl-data/bzld.sock"
#: The frame cap a client starts with: BZL_FRAME_BYTES_DEFAULT in lib/include/core/bzl/limits.h.
FRAME_BYTES_DEFAULT = 1 << 20
#: The largest cap a daemon may be configured with: BZL_FRAME_BYTES_CEILING.
FRAME_BYTES_CEILING = 64 << 20
#: The length prefix (BZL_FRAME_HEADER_BYTES).
FRAME_HEADER_BYTES = 4

_HEADER = struct.Struct(">I")
# Bytes asked of the kernel per read: drains a default Unix socket buffer in one call.
_READ_BYTES = 256 * 1024


def default_socket() -> str:
    """$BZL_SOCKET when set and not empty, else ./bzl-data/bzld.sock (the CLI's rule)."""
    return os.environ.get("BZL_SOCKET") or SOCKET_DEFAULT


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


class Connection:
    """One stream to bzld. Not thread-safe: one per thread."""

    def __init__(self, path: str, timeout: Optional[float], frame_bytes_max: int) -> None:
        if not 1 <= frame_bytes_max <= FRAME_BYTES_CEILING:
            raise ValueError(f"frame_bytes_max must be 1..{FRAME_BYTES_CEILING}")
        self.path = path
        self.timeout = timeout
        self.frame_bytes_max = frame_bytes_max
        self._out = bytearray()  # frames queued, not yet taken by the kernel
        self._in = bytearray()  # bytes read, not yet a complete frame
        self._frames: Deque[bytes] = deque()  # complete reply bodies, oldest first
        self._failed: Optional[Error] = None
        self._dead: Optional[Error] = None  # sending failed: only replies already read remain
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(path)
            sock.setblocking(False)
        except socket.timeout:
            sock.close()
            raise Timeout(f"connect {path}: no answer within {timeout} s") from None
        except OSError as e:
            sock.close()
            hint = " (is bzld running?)" if e.errno in (errno.ENOENT, errno.ECONNREFUSED) else ""
            raise TransportError(f"connect {path}: {_reason(e)}{hint}") from None
        self._sock: Optional[socket.socket] = sock
        self._poll = select.poll()
        self._poll.register(sock.fileno(), select.POLLIN)
        self._events = select.POLLIN

    # ---- state ------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._sock is None

    def close(self) -> None:
        if self._sock is not None:
            self._poll.unregister(self._sock.fileno())
            self._sock.close()
            self._sock = None

    def fail(self, err: Error) -> Error:
        """Closes the connection for good: later calls raise err's successor. Returns err."""
        if self._failed is None:
            self._failed = err
        self.close()
        return err

    def _check_open(self) -> socket.socket:
        if self._sock is None:
            why = f": {self._failed}" if self._failed is not None else ""
            raise TransportError(f"the connection to {self.path} is closed{why}")
        return self._sock

    # ---- frames -----------------------------------------------------------------------------

    def queue(self, body: bytes) -> None:
        """Appends one frame to the send buffer (sent by the next pump). FrameTooLarge, with
        nothing queued, when the body is over the cap."""
        self._check_open()
        if len(body) > self.frame_bytes_max:
            raise FrameTooLarge(
                f"request of {len(body)} bytes exceeds the frame cap of {self.frame_bytes_max} "
                "bytes; nothing was sent"
            )
        self._out += _HEADER.pack(len(body))
        self._out += body

    @property
    def unsent_bytes(self) -> int:
        return len(self._out)

    def take(self) -> bytes:
        """The oldest complete reply body (pump first)."""
        return self._frames.popleft()

    def _parse(self) -> None:
        buf = self._in
        pos = 0
        # Bounded by the bytes in hand: each pass consumes a header and its whole body.
        while len(buf) - pos >= FRAME_HEADER_BYTES:
            (n,) = _HEADER.unpack_from(buf, pos)
            if n == 0:
                raise self.fail(FrameEmpty("the daemon sent a frame of length 0"))
            if n > self.frame_bytes_max:
                raise self.fail(
                    FrameTooLarge(
                        f"response frame of {n} bytes refused: the cap is "
                        f"{self.frame_bytes_max} bytes"
                    )
                )
            end = pos + FRAME_HEADER_BYTES + n
            if end > len(buf):
                break
            self._frames.append(bytes(buf[pos + FRAME_HEADER_BYTES : end]))
            pos = end
        if pos:
            del buf[:pos]

    def pump(self, want: int) -> None:
        """Sends everything queued and reads until ``want`` reply frames are in hand. Raises
        Timeout when the daemon moves no byte for the timeout, TransportError when the
        connection fails; either closes the connection."""
        sock = self._check_open()
        if self._dead is not None and len(self._frames) < want:
            raise self.fail(self._dead)
        timeout = self.timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        readable = False
        while True:
            moved = False
            if self._out:
                try:
                    n = sock.send(self._out)
                except (BlockingIOError, InterruptedError):
                    n = 0
                except OSError as e:
                    self._send_failed(sock, e)
                    if len(self._frames) >= want:
                        return  # what the daemon said before closing: its refusal, read first
                    raise self.fail(TransportError(f"send to {self.path}: {_reason(e)}")) from None
                if n:
                    del self._out[:n]
                    moved = True
            if readable or len(self._frames) < want:
                moved = self._read(sock) or moved
            if not self._out and len(self._frames) >= want:
                return
            if moved and timeout is not None:
                deadline = time.monotonic() + timeout
            if moved:
                readable = False
                continue
            readable = self._wait(deadline)

    def _send_failed(self, sock: socket.socket, e: OSError) -> None:
        """The daemon stopped reading (EPIPE, ECONNRESET): it may have closed the connection
        after refusing it with a reply of id 0 (over the connection cap, a frame over its cap).
        Reads whatever it sent, so the caller raises that refusal rather than a broken pipe.
        Nothing more is sent on this connection."""
        self._out.clear()
        self._dead = TransportError(f"send to {self.path}: {_reason(e)}")
        for _ in range(1024):  # bounded: each pass takes up to _READ_BYTES or ends
            try:
                chunk = sock.recv(_READ_BYTES)
            except OSError:
                return
            if not chunk:
                return
            self._in += chunk
            try:
                self._parse()
            except Error:
                return

    def _read(self, sock: socket.socket) -> bool:
        try:
            chunk = sock.recv(_READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError as e:
            raise self.fail(TransportError(f"recv from {self.path}: {_reason(e)}")) from None
        if not chunk:
            middle = " in the middle of a response" if self._in else ""
            raise self.fail(TransportError(f"bzld closed the connection{middle}"))
        self._in += chunk
        self._parse()
        return True

    def _wait(self, deadline: Optional[float]) -> bool:
        """Waits for the socket; True when it is readable. Timeout past the deadline."""
        events = select.POLLIN | (select.POLLOUT if self._out else 0)
        if events != self._events:
            assert self._sock is not None
            self._poll.modify(self._sock.fileno(), events)
            self._events = events
        if deadline is None:
            ready = self._poll.poll()
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self.fail(Timeout(f"bzld on {self.path} moved no byte in {self.timeout} s"))
            ready = self._poll.poll(max(1, int(left * 1000 + 0.999)))
        return any(ev & (select.POLLIN | select.POLLHUP | select.POLLERR) for _, ev in ready)
