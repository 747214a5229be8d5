"""A `polarity serve` on a free loopback port for the HTTP and browser tests, stopped afterwards."""
import json
import os
import re
import signal
import subprocess
import urllib.request

import pytest

CLI = os.environ.get("POLARITY_CLI", "build/release/polarity")


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([CLI, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # the server prints its address once it listens
        match = re.search(r"http://(\S+?):(\d+)/", line)
        if not match:
            self.stop()
            raise RuntimeError(f"polarity serve did not start: {line!r} {self.proc.stderr.read()}")
        self.port = int(match.group(2))
        self.url = f"http://127.0.0.1:{self.port}"

    def request(self, path, body=None, timeout=30):
        """(status, parsed JSON or text) of GET path, or POST body (bytes or JSON-able)."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data is not None else "GET",
                                     headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
        try:
            with opener.open(req, timeout=timeout) as r:
                status, text, kind = r.status, r.read().decode(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, text, kind = e.code, e.read().decode(), e.headers.get("Content-Type", "")
        return status, json.loads(text) if kind.startswith("application/json") else text

    def stop(self):
        """SIGTERM, as Ctrl-C would; returns the exit code and what it printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return self.proc.returncode, out, err


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()
