#!/usr/bin/env python3
"""Minimal FramePack daemon client using only the Python standard library.

Usage: protocol_probe.py [SOCKET_PATH]

Connects to the daemon's Unix socket, says hello, calls one method that does not exist, and
prints every frame it receives as one JSON line. The wire format (docs/protocol.md): each frame
is UTF-8 JSON {"type": <verb>, "data": <body>} followed by a form feed (0x0C).
"""
import json
import os
import socket
import sys

PROTOCOL_VERSION = 1
DELIMITER = b"\x0c"


def default_socket_path():
    if os.environ.get("FRAMEPACK_RUNTIME_DIR"):
        return os.path.join(os.environ["FRAMEPACK_RUNTIME_DIR"], "fp.sock")
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "framepack", "fp.sock")
    return os.path.join("/tmp", "framepack-%d" % os.getuid(), "fp.sock")


class Connection:
    def __init__(self, path, timeout_s=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout_s)
        self.sock.connect(path)
        self.buffer = b""
        self.next_id = 1

    def send(self, verb, data):
        frame = json.dumps({"type": verb, "data": data}, separators=(",", ":")).encode("utf-8")
        self.sock.sendall(frame + DELIMITER)

    def read_frame(self):
        while DELIMITER not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("daemon closed the connection")
            self.buffer += chunk
        frame, self.buffer = self.buffer.split(DELIMITER, 1)
        return json.loads(frame.decode("utf-8"))

    def call(self, method, params=None):
        """Send a request and return its response, skipping any events that arrive first."""
        request_id = self.next_id
        self.next_id += 1
        body = {"id": request_id, "method": method}
        if params is not None:
            body["params"] = params
        self.send("req", body)
        while True:
            frame = self.read_frame()
            if frame.get("type") == "res" and frame["data"].get("id") == request_id:
                return frame

    def close(self):
        self.sock.close()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else default_socket_path()
    conn = Connection(path)
    try:
        hello = conn.call("hello", {"protocolVersion": PROTOCOL_VERSION, "client": {"name": "protocol_probe.py", "pid": os.getpid()}})
        print(json.dumps(hello, sort_keys=True))
        unknown = conn.call("no.such.method", {})
        print(json.dumps(unknown, sort_keys=True))
    finally:
        conn.close()
    ok = hello["data"].get("ok") is True and unknown["data"].get("error", {}).get("code") == "NOT_FOUND"
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
