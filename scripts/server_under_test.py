#!/usr/bin/env python3
"""The one way the scripts start and stop a backprop-server under test.

A server is started on 127.0.0.1 (port 0 unless a port is given), is ready once it prints
`listening on http://127.0.0.1:PORT` (the real port), and is stopped by its PID with SIGTERM,
after which it must exit 0 (the contract's graceful stop) within a timeout, else it is killed.

From Python:

    from server_under_test import ServerUnderTest
    with ServerUnderTest(binary, ["--quiet"]) as server:
        ... server.port, server.url, server.rss_mb(), server.threads() ...
    # or server.stop() -> (exit code, seconds), when the test is about stopping

From a shell script, around a command:

    scripts/server_under_test.py run [--port P]... [--via "valgrind ..."] [--stderr FILE] \\
        [--stop-timeout S] BINARY [SERVER ARGS...] -- COMMAND [ARGS...]

starts one server per --port (one on port 0 without any), runs COMMAND with SERVER_PORT (the
first), SERVER_PORTS and SERVER_PIDS (space-separated) in its environment, then stops every
server. Exits with COMMAND's status, or 1 when a server did not start or did not exit 0.
Standard library only.
"""
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import time

STARTUP_SECONDS = 30
LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)\s*$")


class ServerUnderTest:
    """backprop-server on 127.0.0.1; its port read from its first line of standard output."""

    def __init__(self, binary, args=(), port=0, via=(), stderr_path=None, env=None, name="server"):
        if stderr_path is None:
            fd, stderr_path = tempfile.mkstemp(prefix=f"backprop-{name}-", suffix=".stderr")
            os.close(fd)
        self.stderr_path = stderr_path
        self.stderr = open(stderr_path, "wb")
        # --host explicitly: a BACKPROP_HOST in the caller's environment must not widen the bind.
        command = [*via, binary, "--host", "127.0.0.1", "--port", str(port), *args]
        environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", **(env or {}))
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL,
                                     env=environment)
        self.pid = self.proc.pid
        ready, _, _ = select.select([self.proc.stdout], [], [], STARTUP_SECONDS)
        line = self.proc.stdout.readline().decode(errors="replace") if ready else ""
        m = LISTENING.match(line)
        if not m:
            self.kill()
            got = repr(line) if line else f"nothing within {STARTUP_SECONDS} s"
            raise RuntimeError(f"{name} did not start: expected 'listening on http://127.0.0.1:PORT', got {got}; "
                               f"its log: {self.stderr_path}")
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _status(self, field):
        """The number after `field:` in /proc/PID/status (kB for sizes), or None."""
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def rss_mb(self):
        kb = self._status("VmRSS")
        return float("nan") if kb is None else kb / 1024

    def vm_mb(self):
        kb = self._status("VmSize")
        return float("nan") if kb is None else kb / 1024

    def threads(self):
        n = self._status("Threads")
        return -1 if n is None else n

    def running(self):
        return self.proc.poll() is None

    def stop(self, timeout=35):
        """SIGTERM; returns (exit code, or None if it had to be killed; seconds it took)."""
        start = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        if not self.stderr.closed:
            self.stderr.close()
        return code, time.monotonic() - start

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_text(self):
        if not self.stderr.closed:
            self.stderr.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace")


def run(argv):
    """The `run` command: servers around a command (see the module's documentation)."""
    ports, via, stderr, stop_timeout = [], [], None, 35
    while argv and argv[0].startswith("--"):
        option = argv.pop(0)
        if option == "--port":
            ports.append(int(argv.pop(0)))
        elif option == "--via":
            via = shlex.split(argv.pop(0))
        elif option == "--stderr":
            stderr = argv.pop(0)
        elif option == "--stop-timeout":
            stop_timeout = float(argv.pop(0))
        else:
            raise SystemExit(f"server_under_test.py run: unknown option {option}")
    if "--" not in argv or argv.index("--") == 0:
        raise SystemExit("server_under_test.py run: expected BINARY [SERVER ARGS...] -- COMMAND [ARGS...]")
    split = argv.index("--")
    binary, server_args, command = argv[0], argv[1:split], argv[split + 1:]
    servers = []
    try:
        for n, port in enumerate(ports or [0]):
            path = stderr if stderr and n == 0 else (f"{stderr}.{n}" if stderr else None)
            servers.append(ServerUnderTest(binary, server_args, port=port, via=via, stderr_path=path, name=f"server {n}"))
    except RuntimeError as error:
        print(f"server_under_test.py: {error}", file=sys.stderr)
        for s in servers:
            s.kill()
        return 1
    env = dict(os.environ, SERVER_PORT=str(servers[0].port), SERVER_PORTS=" ".join(str(s.port) for s in servers),
               SERVER_PIDS=" ".join(str(s.pid) for s in servers))
    try:
        status = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        status = 130
    for s in servers:
        code, seconds = s.stop(stop_timeout)
        if code != 0:
            print(f"server_under_test.py: the server on port {s.port} exited {code} after SIGTERM "
                  f"({seconds:.1f} s; expected 0); its log: {s.stderr_path}", file=sys.stderr)
            status = status or 1
    return status


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "run":
        print(__doc__.strip().split("\n\n")[3], file=sys.stderr)
        sys.exit(2)
    sys.exit(run(sys.argv[2:]))
