"""The generated bzl.v1 module, ``bzl_pb2``, made from proto/bzl.proto by protoc at build time.

It is never committed: CMake writes it into the build tree (build/clients/python), and
``pip install`` runs protoc in its build step (setup.py). A source checkout that was not built has
no bzl_pb2.py here, and importing bzl says so instead of using a stale copy.
"""

try:
    from . import bzl_pb2  # noqa: F401  (generated at build time)
except ModuleNotFoundError as e:  # pragma: no cover - only on an unbuilt source tree
    if e.name != __name__ + ".bzl_pb2":
        raise  # google.protobuf itself is missing: Debian's python3-protobuf
    raise ImportError(
        "bzl._proto.bzl_pb2 is generated from proto/bzl.proto at build time and this copy of "
        "the bzl package has none: build with cmake and use PYTHONPATH=BUILD/clients/python, "
        "or install with `pip install --no-build-isolation clients/python` "
        "(clients/python/README.md)"
    ) from e

__all__ = ["bzl_pb2"]
