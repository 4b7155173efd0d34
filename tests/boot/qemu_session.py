"""A QEMU run with its monitor open, for boot tests that inspect a live guest: start MinimalOS
through tools/run-qemu, wait for a serial log line, send monitor commands, then kill the run."""
import os
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class QemuSession:
    def __init__(self, iso, firmware="bios", machine="pc", timeout=60, extra=()):
        self._tmp = tempfile.TemporaryDirectory(prefix="qemu-session-")
        self.log = os.path.join(self._tmp.name, "serial.log")
        self.socket_path = os.path.join(self._tmp.name, "monitor.sock")
        self.timeout = timeout
        # A session of its own, so killing the group also ends QEMU, not just run-qemu.
        self._process = subprocess.Popen(
            [os.path.join(ROOT, "tools", "run-qemu"), "--iso", iso, "--headless",
             "--firmware", firmware, "--machine", machine, "--serial-log", self.log,
             "--monitor", self.socket_path, "--timeout", str(timeout + 30), *extra],
            start_new_session=True)

    def path(self, name):
        return os.path.join(self._tmp.name, name)

    def wait_for(self, text):
        """True once `text` appears on the serial log; False on timeout or early exit."""
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            if os.path.exists(self.log) and text.encode() in open(self.log, "rb").read():
                return True
            if self._process.poll() is not None:
                return False
            time.sleep(0.2)
        return False

    def monitor(self, command, settle=1.0):
        """Runs one monitor command and returns its output (prompt echo removed)."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.socket_path)
        s.settimeout(settle)
        time.sleep(0.2)
        s.recv(65536)  # greeting and prompt
        s.sendall(command.encode() + b"\n")
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        s.close()
        lines = data.decode("utf-8", "replace").replace("\r", "").split("\n")
        return [line for line in lines[1:] if not line.startswith("(qemu)")]

    def close(self):
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._process.wait()
        self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
