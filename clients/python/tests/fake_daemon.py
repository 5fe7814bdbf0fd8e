"""A stand-in for bzld on a Unix socket, answering as a test tells it to: for the statuses and
transport failures a real daemon cannot be made to produce on demand (DISK_FULL, CORRUPT, a
reply that answers another request, a frame over the cap). Speaks the same framing."""

from __future__ import annotations

import os
import socket
import struct
import tempfile
import threading
from typing import Callable, List, Optional, Tuple, Union

from bzl import bzl_pb2 as pb

# respond(request) → the bytes to write back (whole frames, or anything), or None to close, or
# (bytes, "close") to write them and close.
Respond = Callable[[pb.Request], Union[None, bytes, Tuple[bytes, str]]]


def frame(msg: pb.Response) -> bytes:
    body = msg.SerializeToString()
    return struct.pack(">I", len(body)) + body


class FakeDaemon:
    def __init__(self, respond: Respond, greeting: Optional[bytes] = None) -> None:
        self.dir = tempfile.mkdtemp(prefix="bzl-py-fake-")
        self.socket = os.path.join(self.dir, "fake.sock")
        self.requests: List[pb.Request] = []
        self._respond = respond
        self._greeting = greeting
        self._srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._srv.bind(self.socket)
        self._srv.listen(8)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._srv.accept()
            except OSError:
                return
            threading.Thread(target=self._conn, args=(conn,), daemon=True).start()

    def _conn(self, conn: socket.socket) -> None:
        with conn:
            if self._greeting is not None:
                conn.sendall(self._greeting)
            buf = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while len(buf) >= 4:
                    (n,) = struct.unpack(">I", buf[:4])
                    if len(buf) < 4 + n:
                        break
                    req = pb.Request.FromString(buf[4 : 4 + n])
                    buf = buf[4 + n :]
                    self.requests.append(req)
                    out = self._respond(req)
                    if out is None:
                        return
                    if isinstance(out, tuple):
                        conn.sendall(out[0])
                        return
                    conn.sendall(out)

    def close(self) -> None:
        self._srv.close()
        try:
            os.unlink(self.socket)
            os.rmdir(self.dir)
        except OSError:
            pass
