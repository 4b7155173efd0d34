#!/usr/bin/env python3
"""`make debug` works: tools/debug-qemu starts QEMU paused with the gdb stub, and gdb running
the generated script stops at kernel_main with the kernel's symbols loaded."""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iso", required=True)
    p.add_argument("--kernel", required=True)
    args = p.parse_args()
    build = os.path.dirname(os.path.abspath(args.iso))
    with tempfile.TemporaryDirectory(prefix="gdb-test-") as tmp:
        # debug-qemu writes its script into the build directory; use a private copy of that
        # directory layout so parallel runs do not share the script.
        os.symlink(os.path.abspath(args.iso), os.path.join(tmp, "minimalos.iso"))
        os.symlink(os.path.join(build, "iso-root"), os.path.join(tmp, "iso-root"))
        os.symlink(os.path.abspath(args.kernel), os.path.join(tmp, "kernel.elf"))
        qemu = subprocess.Popen([os.path.join(ROOT, "tools", "debug-qemu"), tmp, "--headless",
                                 "--timeout", "90", "--serial-log", os.path.join(tmp, "serial.log")],
                                stdout=subprocess.DEVNULL, start_new_session=True)
        try:
            script = os.path.join(tmp, "debug.gdb")
            for _ in range(100):
                if os.path.exists(script):
                    break
                time.sleep(0.1)
            time.sleep(1.0)  # let QEMU open its gdb stub
            gdb = subprocess.run(["gdb", "-batch", "-nx", "-x", script, "-ex", "info symbol $pc",
                                  "-ex", "kill"],
                                 capture_output=True, text=True, timeout=90)
        finally:
            os.killpg(qemu.pid, signal.SIGKILL)  # run-qemu and its QEMU child
            qemu.wait()
    output = gdb.stdout + gdb.stderr
    print(output)
    ok = "kernel_main in section .text" in output
    print("PASS" if ok else "FAIL: gdb did not stop at kernel_main")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
