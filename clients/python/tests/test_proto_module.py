"""Proves the generated module in use is proto/bzl.proto as it stands (bzl_pb2.py is generated
at build time and never committed, so it cannot go stale unnoticed: its descriptor must equal a
fresh protoc run's), and that the contract, not this package, is the interface: a program with
only the generated module and the official runtime, no bzl package, talks to bzld."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from typing import Any

from google.protobuf import descriptor_pb2

import bzl
from conftest import PACKAGE_DIR, PROTO, protoc


def _without_json_names(msg: Any) -> None:
    """protoc's descriptor set fills json_name; the Python generator embeds it unset."""
    for f in msg.field:
        f.ClearField("json_name")
    for nested in msg.nested_type:
        _without_json_names(nested)


def _fresh(proto: str, out: Any) -> Any:
    """The FileDescriptorProto protoc makes of ``proto`` now."""
    subprocess.run(
        [
            protoc(),
            "-I",
            os.path.dirname(proto),
            f"--descriptor_set_out={out}",
            os.path.basename(proto),
        ],
        check=True,
    )
    fresh = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file[0]
    for m in fresh.message_type:
        _without_json_names(m)
    return fresh


def _in_use() -> Any:
    return descriptor_pb2.FileDescriptorProto.FromString(bzl.bzl_pb2.DESCRIPTOR.serialized_pb)


def test_the_module_in_use_is_generated_from_this_proto(tmp_path: Any) -> None:
    assert os.path.realpath(bzl.bzl_pb2.__file__).startswith(os.path.realpath(PACKAGE_DIR))
    in_use = _in_use()
    assert in_use.package == "bzl.v1"
    assert in_use == _fresh(
        PROTO, tmp_path / "bzl.pb"
    ), "bzl_pb2.py is stale against proto/bzl.proto: rebuild (cmake --build) to regenerate it"


def test_the_comparison_sees_a_changed_proto(tmp_path: Any) -> None:
    """The check above has teeth: one field more in the proto and they differ."""
    text = (
        open(PROTO)
        .read()
        .replace("message Enterprise {", "message Enterprise {\n  string added_later = 99;", 1)
    )
    changed = tmp_path / "bzl.proto"
    changed.write_text(text)
    assert _in_use() != _fresh(str(changed), tmp_path / "changed.pb")


CONTRACT_ONLY = textwrap.dedent(
    """
    # Only bzl_pb2 (generated from proto/bzl.proto) and google.protobuf: no bzl package.
    import importlib.util, json, socket, struct, sys
    import bzl_pb2 as pb

    assert importlib.util.find_spec("bzl") is None, "the bzl package must not be importable"

    def call(sock, req):
        body = req.SerializeToString()
        sock.sendall(struct.pack(">I", len(body)) + body)
        head = b""
        while len(head) < 4:
            head += sock.recv(4 - len(head))
        (n,) = struct.unpack(">I", head)
        data = b""
        while len(data) < n:
            data += sock.recv(n - len(data))
        resp = pb.Response.FromString(data)
        assert resp.id == req.id, (resp.id, req.id)
        return resp

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(sys.argv[1])
    out = {}
    req = pb.Request(id=1)
    req.register_enterprise.enterprise.code = "6201230002"
    req.register_enterprise.enterprise.uscc = "91620100MA72CD3E4K"
    req.register_enterprise.enterprise.name = "Zone Electronics Co."
    out["register"] = pb.Status.Name(call(sock, req).status)
    req = pb.Request(id=2)
    req.get_enterprise.code = "6201230002"
    out["name"] = call(sock, req).enterprise.name
    req = pb.Request(id=3)
    req.get_enterprise.code = "6209999999"
    resp = call(sock, req)
    out["missing"] = [pb.Status.Name(resp.status), resp.message]
    req = pb.Request(id=4)
    req.stats.SetInParent()
    out["requests"] = call(sock, req).stats.requests
    out["modules"] = sorted(m for m in sys.modules if m == "bzl" or m.startswith("bzl."))
    print(json.dumps(out))
    """
)


def test_a_program_with_only_the_generated_module_talks_to_bzld(
    start_daemon: Any, tmp_path: Any
) -> None:
    d = start_daemon()
    shutil.copy(bzl.bzl_pb2.__file__, tmp_path / "bzl_pb2.py")
    (tmp_path / "contract_only.py").write_text(CONTRACT_ONLY)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [sys.executable, "contract_only.py", d.socket],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["register"] == "STATUS_OK"
    assert out["name"] == "Zone Electronics Co."
    assert out["missing"][0] == "STATUS_NOT_FOUND" and out["missing"][1]
    assert out["requests"] >= 3
    assert out["modules"] == []
