"""Carry gRPC over the stdin/stdout pipes BuildKit gives a gateway frontend.

grpcio cannot adopt an existing file descriptor, so we listen on a private
unix socket, let grpcio connect to it, and copy bytes between that one
connection and the pipes in two threads.  BuildKit speaks plain HTTP/2
(no TLS) on the pipes, which is what an insecure channel sends.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import tempfile
import threading
from typing import Any

MAX_MESSAGE = 16 << 20  # BuildKit's own limit for gateway messages
# BuildKit returns a failed call's status details (source snippets with the whole Dockerfile,
# stacks) in trailing metadata; grpcio drops anything over 16 KiB by default, which a generated
# Dockerfile of two PYENV lines already exceeds.  BuildKit's Go side allows 16 MiB.
MAX_METADATA = 16 << 20
_CHUNK = 1 << 16


def take_stdout() -> int:
    """Reserve the real stdout for the bridge and point fd 1 / sys.stdout at stderr.

    Anything printed to stdout would corrupt the HTTP/2 stream, so this runs
    before anything else can print.  Returns a duplicate of the real stdout.
    """
    sys.stdout.flush()
    real = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return real


def _listen() -> tuple[socket.socket, str, str | None]:
    """A listening unix socket: abstract on Linux (no file), else in a temp dir."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    linux = sys.platform.startswith("linux")  # a variable: the other branch is for macOS hosts
    if linux:
        name = "astro-pyenv-gw-" + secrets.token_hex(8)
        sock.bind("\0" + name)
        sock.listen(1)
        return sock, "unix-abstract:" + name, None
    tmpdir = tempfile.mkdtemp(prefix="astro-pyenv-gw-")
    path = os.path.join(tmpdir, "s")
    sock.bind(path)
    sock.listen(1)
    return sock, "unix:" + path, tmpdir


def _pump_in(in_fd: int, conn: socket.socket) -> None:
    """stdin -> socket; on EOF shut the socket's write side."""
    try:
        while True:
            data = os.read(in_fd, _CHUNK)
            if not data:
                break
            conn.sendall(data)
    except OSError:
        pass
    finally:
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _pump_out(conn: socket.socket, out_fd: int) -> None:
    """socket -> stdout."""
    try:
        while True:
            data = conn.recv(_CHUNK)
            if not data:
                break
            view = memoryview(data)
            while view:
                n = os.write(out_fd, view)
                view = view[n:]
    except OSError:
        pass


class StdioBridge:
    """Accepts grpcio's connection on a private socket and pipes it to stdio."""

    def __init__(self, in_fd: int, out_fd: int) -> None:
        self._in_fd = in_fd
        self._out_fd = out_fd
        self._listener, self.target, self._tmpdir = _listen()
        self._thread = threading.Thread(target=self._serve, name="gw-accept", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        # Exactly one connection: the pipes carry a single HTTP/2 stream of
        # bytes and cannot be reopened if grpcio reconnects.
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        finally:
            self._listener.close()
        threading.Thread(target=_pump_in, args=(self._in_fd, conn), name="gw-in", daemon=True).start()
        threading.Thread(target=_pump_out, args=(conn, self._out_fd), name="gw-out", daemon=True).start()

    def close(self) -> None:
        try:
            self._listener.close()
        except OSError:
            pass
        if self._tmpdir:
            try:
                os.unlink(os.path.join(self._tmpdir, "s"))
                os.rmdir(self._tmpdir)
            except OSError:
                pass


def channel_options() -> list[tuple[str, Any]]:
    return [
        ("grpc.max_receive_message_length", MAX_MESSAGE),
        ("grpc.max_send_message_length", MAX_MESSAGE),
        ("grpc.max_metadata_size", MAX_METADATA),
        ("grpc.absolute_max_metadata_size", MAX_METADATA),
        # BuildKit's server answers to any authority; keep it short and fixed.
        ("grpc.default_authority", "localhost"),
        # Never try a second connection: there is only one pair of pipes.
        ("grpc.enable_retries", 0),
        ("grpc.use_local_subchannel_pool", 1),
    ]


def open_stdio_channel(in_fd: int = 0, out_fd: int = 1) -> tuple[Any, StdioBridge]:
    """A grpcio channel whose bytes travel over ``in_fd``/``out_fd``."""
    import grpc  # lazy: importing grpc costs tens of milliseconds

    bridge = StdioBridge(in_fd, out_fd)
    channel = grpc.insecure_channel(bridge.target, options=channel_options())
    return channel, bridge
