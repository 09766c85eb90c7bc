#!/usr/bin/env python3
"""Submit one FramePack job to the daemon and follow it to the end (Python standard library only).

Usage: python_client.py IMAGE PROMPT [--seconds S] [--steps N] [--seed N] [--socket PATH]

Prints every event of the job as one JSON line on stdout, then exits 0 when the job succeeded,
1 when it failed and 130 when it was cancelled. Wire format (docs/protocol.md): each frame is
UTF-8 JSON {"type": <verb>, "data": <body>} followed by a form feed (0x0C). The client subscribes
to the "jobs" topic *before* submitting, so it cannot miss the job's first events, and keeps
events that arrive while it waits for a response.
"""
import argparse
import json
import os
import socket
import sys

PROTOCOL_VERSION = 1
DELIMITER = b"\x0c"
TERMINAL = {"job.succeeded": 0, "job.failed": 1, "job.cancelled": 130}


def default_socket_path():
    if os.environ.get("FRAMEPACK_RUNTIME_DIR"):
        return os.path.join(os.environ["FRAMEPACK_RUNTIME_DIR"], "fp.sock")
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "framepack", "fp.sock")
    return os.path.join("/tmp", "framepack-%d" % os.getuid(), "fp.sock")


class DaemonError(Exception):
    def __init__(self, error):
        super().__init__("%s: %s" % (error.get("code"), error.get("message")))
        self.error = error


class Client:
    def __init__(self, path, timeout_s=600.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout_s)
        self.sock.connect(path)
        self.buffer = b""
        self.next_id = 1
        self.events = []  # events received while waiting for a response, in order

    def _send(self, verb, data):
        frame = json.dumps({"type": verb, "data": data}, separators=(",", ":")).encode("utf-8")
        self.sock.sendall(frame + DELIMITER)

    def _read_frame(self):
        while DELIMITER not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("daemon closed the connection")
            self.buffer += chunk
        frame, self.buffer = self.buffer.split(DELIMITER, 1)
        return json.loads(frame.decode("utf-8"))

    def call(self, method, params=None):
        """Send a request; return its result or raise DaemonError. Events seen meanwhile are kept."""
        request_id = self.next_id
        self.next_id += 1
        body = {"id": request_id, "method": method}
        if params is not None:
            body["params"] = params
        self._send("req", body)
        while True:
            frame = self._read_frame()
            if frame["type"] == "evt":
                self.events.append(frame["data"])
            elif frame["type"] == "res" and frame["data"]["id"] == request_id:
                if frame["data"]["ok"]:
                    return frame["data"]["result"]
                raise DaemonError(frame["data"]["error"])

    def next_event(self):
        if self.events:
            return self.events.pop(0)
        while True:
            frame = self._read_frame()
            if frame["type"] == "evt":
                return frame["data"]

    def close(self):
        self.sock.close()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image")
    parser.add_argument("prompt")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--seed", type=int, default=31337)
    parser.add_argument("--socket", default=default_socket_path())
    args = parser.parse_args(argv)

    client = Client(args.socket)
    try:
        client.call("hello", {"protocolVersion": PROTOCOL_VERSION, "client": {"name": "python_client.py", "pid": os.getpid()}})
        client.call("subscribe", {"topics": ["jobs"]})
        spec = {"image": os.path.abspath(args.image), "prompt": args.prompt, "seconds": args.seconds, "steps": args.steps, "seed": args.seed}
        try:
            submitted = client.call("jobs.submit", spec)
        except DaemonError as err:
            print(json.dumps({"event": "submit.refused", "error": err.error}), flush=True)
            return 2
        job_id = submitted["jobId"]
        while True:
            event = client.next_event()
            if event["payload"].get("jobId") != job_id:
                continue
            print(json.dumps({"seq": event["seq"], "event": event["event"], "payload": event["payload"]}), flush=True)
            if event["event"] in TERMINAL:
                return TERMINAL[event["event"]]
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
