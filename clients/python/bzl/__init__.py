"""bzl — the Python client of bzld, the bonded-zone processing-trade ledger.

    import bzl
    with bzl.Client() as c:                      # $BZL_SOCKET, else ./bzl-data/bzld.sock
        for b in c.balances(book="H72012400001"):
            print(b.item, b.qty)                 # Decimal, exact

It speaks proto/bzl.proto (package bzl.v1) over bzld's Unix socket with the official protobuf
runtime; the generated module is ``bzl._proto.bzl_pb2``. See clients/python/README.md.
"""

from . import errors, records
from ._convert import DateLike, DecimalLike
from ._proto import bzl_pb2
from ._wire import FRAME_BYTES_CEILING, FRAME_BYTES_DEFAULT, SOCKET_DEFAULT, default_socket
from .client import METHODS, Client, DeclarationLike, Future, Pipeline
from .errors import *  # noqa: F401,F403  (Error, TransportError, Timeout, one class per Status)
from .records import *  # noqa: F401,F403

__version__ = "0.1.0"

__all__ = (
    [
        "Client",
        "Pipeline",
        "Future",
        "METHODS",
        "bzl_pb2",
        "default_socket",
        "SOCKET_DEFAULT",
        "FRAME_BYTES_DEFAULT",
        "FRAME_BYTES_CEILING",
        "DeclarationLike",
        "DecimalLike",
        "DateLike",
        "errors",
        "__version__",
    ]
    + errors.__all__
    + records.__all__
)
