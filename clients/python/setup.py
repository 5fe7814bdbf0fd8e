"""setuptools build step for the bzl package: protoc generates bzl/_proto/bzl_pb2.py.

The generated module is never committed (it could go stale against proto/bzl.proto): every build
runs Debian's protoc (package protobuf-compiler) on the proto of this source tree, found at
../../proto/bzl.proto or named by $BZL_PROTO, into the build directory only. The metadata is in
pyproject.toml.
"""

import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def proto_file() -> str:
    path = os.environ.get("BZL_PROTO") or os.path.join(HERE, "..", "..", "proto", "bzl.proto")
    path = os.path.normpath(path)
    if not os.path.isfile(path):
        raise SystemExit(
            f"bzl: {path} not found: build the package from a bzl source tree "
            "(pip install --no-build-isolation clients/python) or set BZL_PROTO to bzl.proto"
        )
    return path


class build_py_with_proto(build_py):
    """build_py, then protoc --python_out into the build tree's bzl/_proto/."""

    def run(self) -> None:
        super().run()
        protoc = shutil.which("protoc")
        if protoc is None:
            raise SystemExit("bzl: protoc not found: apt-get install protobuf-compiler")
        proto = proto_file()
        out = os.path.join(self.build_lib, "bzl", "_proto")
        os.makedirs(out, exist_ok=True)
        subprocess.run(
            [protoc, "-I", os.path.dirname(proto), f"--python_out={out}", os.path.basename(proto)],
            check=True,
        )


setup(cmdclass={"build_py": build_py_with_proto})
