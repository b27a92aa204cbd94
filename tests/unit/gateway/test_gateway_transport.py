"""The stdio bridge: gRPC over a pair of pipes, as BuildKit runs us."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.transport import open_stdio_channel

from fake_bridge import FakeBridge, FakeServer


def _copy(src_fd: int | None, dst_fd: int | None, sock: socket.socket, to_sock: bool) -> None:
    try:
        while True:
            data = os.read(src_fd, 65536) if to_sock else sock.recv(65536)
            if not data:
                break
            if to_sock:
                sock.sendall(data)
            else:
                os.write(dst_fd, data)
    except OSError:
        pass
    finally:
        if not to_sock and dst_fd is not None:
            os.close(dst_fd)


def _engine_side(server: FakeServer, from_frontend: int, to_frontend: int) -> socket.socket:
    """Plays BuildKit's part: the pipes' far ends, relayed to the fake server."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(server.path)
    threading.Thread(target=_copy, args=(from_frontend, None, sock, True), daemon=True).start()
    threading.Thread(target=_copy, args=(None, to_frontend, sock, False), daemon=True).start()
    return sock


def test_grpc_over_pipes(server: FakeServer, bridge: FakeBridge) -> None:
    in_r, in_w = os.pipe()    # engine -> frontend
    out_r, out_w = os.pipe()  # frontend -> engine
    sock = _engine_side(server, out_r, in_w)
    channel, stdio = open_stdio_channel(in_r, out_w)
    try:
        client = LLBBridgeClient(channel)
        pong = client.ping()
        assert "solve.base" in {c.ID for c in pong.FrontendAPICaps}
        assert client.inputs() == {}
    finally:
        channel.close()
        stdio.close()
        sock.close()


# Run as root (as CI runs these tests), the entry point would drop to uid 10001, which cannot
# read this machine's Python; tests/unit/test_privileges.py and the e2e tests cover the drop.
NO_DROP = "import sys; import astro_pyenv_frontend.privileges as p; p.drop_privileges = lambda: False; "


def _run_main(server: FakeServer, prelude: str) -> subprocess.CompletedProcess[bytes]:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    sock = _engine_side(server, out_r, in_w)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BUILDKIT_FRONTEND_OPT_0": "source=local/x:dev",
        "BUILDKIT_FRONTEND_OPT_1": "cmdline=local/x:dev",
        "BUILDKIT_SESSION_ID": "sess",
        "ASTRO_PYENV_ROOT": "/nonexistent",
    }
    try:
        return subprocess.run(
            [sys.executable, "-c", prelude + "from astro_pyenv_frontend.__main__ import main; sys.exit(main())"],
            stdin=in_r, stdout=out_w, stderr=subprocess.PIPE, env=env, timeout=60, check=False,
        )
    finally:
        os.close(in_r)
        os.close(out_w)
        sock.close()


def test_main_process_that_cannot_leave_root_returns_one_error_and_reads_nothing(
    server: FakeServer, bridge: FakeBridge
) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": b"FROM alpine\n"}
    prelude = (
        "import sys; import astro_pyenv_frontend.privileges as p\n"
        "def fail(): raise p.PrivilegeError('could not drop root privileges to 10001:10001: [Errno 1] no')\n"
        "p.drop_privileges = fail\n"
    )
    proc = _run_main(server, prelude)
    assert proc.returncode == 1
    (ret,) = bridge.calls("Return")
    assert ret.error.message == (
        "astro-pyenv frontend: could not drop root privileges to 10001:10001: [Errno 1] no;"
        " refusing to run the build as root"
    )
    assert [m for m, _ in bridge.requests] == ["Ping", "Return"]


def test_main_process_speaks_only_grpc_on_stdout(server: FakeServer, bridge: FakeBridge) -> None:
    """``python -m astro_pyenv_frontend`` as BuildKit starts it: one Return, nothing else on stdout."""
    bridge.locals["dockerfile"] = {"Dockerfile": b"FROM alpine\n"}
    proc = _run_main(server, NO_DROP)
    # A single stray byte on stdout would break the HTTP/2 stream and no Return would arrive.
    assert bridge.returned.is_set(), proc.stderr.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(bridge.calls("Return")) == 1
