#!/usr/bin/env python3
"""Boots the MinimalOS ISO in QEMU through tools/run-qemu and checks the serial log.

A boot test fails on a timeout, on QEMU's exit status differing from --expect-exit, on a kernel
panic that was not expected, on an --expect pattern missing from the log (patterns must
appear in the given order), or on an --expect-somewhere pattern missing (anywhere: for lines
that concurrent processes print in no fixed order relative to the --expect ones).
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import screen_text

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_QEMU = os.path.join(ROOT, "tools", "run-qemu")
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


def clean_lines(raw):
    text = ANSI.sub("", raw.decode("utf-8", "replace")).replace("\r", "")
    return text.split("\n")


# A service's log line ("[pid] ...") goes to COM1 from the kernel while the serial driver may be
# sending a program's line: it can land behind a prompt or inside a line, as on any console
# shared with a system log. A line also matches with such a fragment cut off its end, and the
# fragment matches as the log line it is.
LOG_FRAGMENT = re.compile(r"\[[0-9]+\] .*$")


def matches(regex, line):
    if regex.search(line):
        return True
    fragment = LOG_FRAGMENT.search(line)
    if not fragment or fragment.start() == 0:
        return False
    # The line without the fragment, or the fragment, which is a log line of its own.
    before, own = line[:fragment.start()], line[fragment.start():]
    return (before.strip() != "" and bool(regex.search(before))) or bool(regex.search(own))


# The kernel writes each of its lines whole (a driver's byte waits for the log lock), so a kernel
# line that landed inside a driver's line splits it in two around itself: "A" + "K" on one line,
# "B" at the start of the next. These are the kernel's lines: a service's "[pid] name: ..." and
# the kernel's own per-process lines.
KERNEL_LINE_INSIDE = re.compile(r"(?<=.)(\[[0-9]+\] [\w.-]+: |process [0-9]+ \()")


def unspliced(lines):
    """The lines with each kernel line taken out of the driver line it landed in, and that line
    joined up again, the kernel's line after it: ["A" + "K", "B"] becomes ["AB", "K"]."""
    out = []
    carried, held = "", []
    for line in lines:
        line = carried + line
        inside = KERNEL_LINE_INSIDE.search(line)
        # Not after a space ("selftest init: process 1 (init) exited" is a line that names a
        # process), except behind the shell's prompt: "$ " waits for what comes next on its
        # line ("$ logout" after ctrl-D), and the kernel's line goes after that.
        before = line[:inside.start()] if inside else ""
        if inside and before.strip() and (not before.endswith(" ") or before == "$ "):
            carried = line[:inside.start()]
            held.append(line[inside.start():])
            continue
        carried = ""
        out.append(line)
        out.extend(held)
        held = []
    if carried:
        out.append(carried)
    return out + held


def check_log(lines, expected, allow_panic):
    lines = unspliced(lines)
    problems = []
    position = 0
    for pattern in expected:
        regex = re.compile(pattern)
        for i in range(position, len(lines)):
            if matches(regex, lines[i]):
                position = i + 1
                break
        else:
            problems.append(f"missing (in order): {pattern}")
    if not allow_panic:
        # At the start of a line: a program's text is logged behind its "[pid] " prefix.
        panics = [line for line in lines if line.startswith("KERNEL PANIC")]
        if panics:
            problems.append(f"unexpected panic: {panics[0]}")
    return problems


def drain(connection):
    try:
        while connection.recv(65536):
            pass
    except OSError:
        pass


# How long a system that is to run on must stay up, without a panic, after the last expected
# line: long enough for a late fault to show, short of waiting for the whole timeout.
SETTLE_SECONDS = 5
TIMED_OUT = 124  # run-qemu's status when its --timeout ends QEMU


def run_session(cmd, log_path, steps, timeout, finished=None):
    """Runs QEMU and types into UNIX sockets (COM1, or the QEMU monitor) as a person would:
    for each (pattern, socket path, text) step, waits until a log line after the previous
    step's match matches `pattern`, then sends `text` there (a monitor command per line).
    Steps that never match leave the rest untyped; the --expect checks then fail.
    `finished(lines)`, for a system that runs on: once every step is typed and it holds, the
    session ends SETTLE_SECONDS later as if timed out, without waiting for the timeout."""
    # A session of its own, so that ending it ends QEMU too, not only run-qemu above it.
    process = subprocess.Popen(cmd, start_new_session=True)
    connections = {}
    deadline = time.time() + timeout + 30
    position = 0
    step = 0
    settled_at = None
    try:
        while process.poll() is None and time.time() < deadline:
            if settled_at is not None and time.time() >= settled_at:
                return TIMED_OUT
            if settled_at is None and finished is not None and step == len(steps) \
                    and os.path.exists(log_path) \
                    and finished(clean_lines(open(log_path, "rb").read())):
                settled_at = time.time() + SETTLE_SECONDS
            if step < len(steps) and os.path.exists(log_path):
                lines = clean_lines(open(log_path, "rb").read())
                pattern, socket_path, text = steps[step]
                for i in range(position, len(lines)):
                    # The last line may be a prompt still being written: match it too.
                    if matches(re.compile(pattern), lines[i]):
                        connection = connections.get(socket_path)
                        if connection is None:
                            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                            connection.connect(socket_path)
                            connections[socket_path] = connection
                            # What the guest (or the monitor) writes reaches the socket too;
                            # unread, it would fill and QEMU would stall. The log has it all.
                            threading.Thread(target=drain, args=(connection,),
                                             daemon=True).start()
                        time.sleep(0.2)  # a person does not type the instant a prompt shows
                        for byte in text:  # one key at a time, as a terminal sends them
                            connection.sendall(bytes([byte]))
                            # A monitor command runs at its newline: give it time to.
                            time.sleep(0.1 if byte == ord("\n") else 0.01)
                        print(f"typed {text!r} after {pattern!r}")
                        position = i + 1
                        step += 1
                        break
            time.sleep(0.1)
        return process.wait(timeout=max(1, deadline - time.time()))
    finally:
        for connection in connections.values():
            connection.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def unescape(text):
    """Python escapes (\\r, \\x03) in a command-line argument, as bytes."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def check_screen(ppm_path, font_path, expected):
    """The --screen-expect patterns, in order, against the text read off the screendump."""
    if not os.path.exists(ppm_path):
        return ["no screendump was taken"]
    lines = screen_text.screen_lines(ppm_path, font_path)
    print("---- screen ----")
    print("\n".join(line for line in lines if line))
    print("----------------")
    return [f"screen: {problem}" for problem in check_log(lines, expected, True)]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--iso", required=True)
    p.add_argument("--firmware", default="bios")
    p.add_argument("--machine", default="q35")
    p.add_argument("--cpus", default="2")
    p.add_argument("--memory", default="512M")
    p.add_argument("--cmdline", default="")
    p.add_argument("--disk", help="a raw image attached as a virtio-blk disk (run-qemu --disk)")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--expect", action="append", default=[], help="regex that must appear in the log")
    p.add_argument("--expect-somewhere", action="append", default=[],
                   help="regex that must appear in the log, in any order")
    p.add_argument("--reject", action="append", default=[],
                   help="regex that must not match any line of the log")
    p.add_argument("--expect-exit", type=int, default=0)
    p.add_argument("--expect-running", action="store_true",
                   help="the system runs on (no test mode): it must still be up at the timeout, "
                        "or a few seconds after the last expected line")
    p.add_argument("--allow-panic", action="store_true")
    p.add_argument("--expect-usable-mib", type=int,
                   help="the log's 'memory: usable N MiB' must be within 2%% of this")
    p.add_argument("--icount", metavar="SHIFT",
                   help="run-qemu --icount SHIFT: guest clocks advance with instructions")
    p.add_argument("--qemu-arg", action="append", default=[],
                   help="an extra QEMU argument (repeatable), passed after run-qemu's --")
    p.add_argument("--send-on", help="regex: when a log line matches, send --send to COM1")
    p.add_argument("--send", default="", help="bytes (UTF-8) to send to the guest's COM1")
    p.add_argument("--type-after", nargs=2, action="append", default=[],
                   metavar=("REGEX", "TEXT"),
                   help="once a log line (after the previous step's) matches REGEX, type TEXT "
                        "into COM1; TEXT takes Python escapes (\\r, \\x03 for ctrl-C)")
    p.add_argument("--monitor-on", help="regex: when a log line matches, run --monitor-command")
    p.add_argument("--monitor-command", default="", help="a QEMU monitor command, e.g. nmi")
    p.add_argument("--monitor-after", nargs=2, action="append", default=[],
                   metavar=("REGEX", "COMMANDS"),
                   help="like --type-after, into the QEMU monitor: COMMANDS are monitor "
                        "commands, one per line (\\n), e.g. 'sendkey e\\nsendkey ret'")
    p.add_argument("--screendump-after", metavar="REGEX",
                   help="once a log line after the other steps matches REGEX, take a screendump "
                        "through the monitor; --screen-expect then reads its text")
    p.add_argument("--screen-expect", action="append", default=[],
                   help="regex that must appear, in order, in the screen's rows of text")
    p.add_argument("--font", help="the PSF font the screen draws with (for --screen-expect)")
    args = p.parse_args()

    if not os.path.exists(args.iso):
        print(f"FAIL: {args.iso} does not exist (make iso)")
        return 1
    with tempfile.TemporaryDirectory(prefix="boot-test-") as tmp:
        log_path = os.path.join(tmp, "serial.log")
        cmd = [RUN_QEMU, "--iso", args.iso, "--headless", "--timeout", str(args.timeout),
               "--firmware", args.firmware, "--machine", args.machine, "--cpus", args.cpus,
               "--memory", args.memory, "--serial-log", log_path]
        if args.cmdline:
            cmd += ["--cmdline", args.cmdline]
        if args.icount:
            cmd += ["--icount", args.icount]
        if args.disk:
            cmd += ["--disk", args.disk]
        socket_path = os.path.join(tmp, "com1.sock")
        monitor_path = os.path.join(tmp, "monitor.sock")
        ppm_path = os.path.join(tmp, "screen.ppm")
        steps = [(pattern, socket_path, unescape(text)) for pattern, text in args.type_after]
        steps += [(pattern, monitor_path, unescape(text) + b"\n")
                  for pattern, text in args.monitor_after]
        if args.screendump_after:
            steps.append((args.screendump_after, monitor_path, f"screendump {ppm_path}\n".encode()))
        if args.send_on:
            steps.append((args.send_on, socket_path, args.send.encode()))
        if args.monitor_on:
            steps.append((args.monitor_on, monitor_path, (args.monitor_command + "\n").encode()))
        if any(path == socket_path for _, path, _ in steps):
            cmd += ["--serial-socket", socket_path]
        if any(path == monitor_path for _, path, _ in steps):
            cmd += ["--monitor", monitor_path]
        if args.qemu_arg:
            cmd += ["--", *args.qemu_arg]
        print("+", " ".join(cmd))
        finished = None
        if args.expect_running:
            def finished(lines):
                return not check_log(lines, args.expect, args.allow_panic) and all(
                    any(matches(re.compile(pattern), line) for line in lines)
                    for pattern in args.expect_somewhere)
        if steps or finished:
            status = run_session(cmd, log_path, steps, args.timeout, finished)
        else:
            status = subprocess.run(cmd).returncode
        screen_problems = (check_screen(ppm_path, args.font, args.screen_expect)
                           if args.screen_expect else [])
        raw = open(log_path, "rb").read() if os.path.exists(log_path) else b""
    lines = clean_lines(raw)
    print("---- serial log ----")
    print("\n".join(lines))
    print("--------------------")
    problems = check_log(lines, args.expect, args.allow_panic) + screen_problems
    for pattern in args.expect_somewhere:
        if not any(matches(re.compile(pattern), line) for line in lines):
            problems.append(f"missing: {pattern}")
    for pattern in args.reject:
        hits = [line for line in lines if re.search(pattern, line)]
        if hits:
            problems.append(f"a line matches the rejected {pattern!r}: {hits[0]!r}")
    if args.expect_usable_mib:
        found = [int(m.group(1)) for m in map(re.compile(r"^memory: usable (\d+) MiB").match, lines) if m]
        if not found:
            problems.append("no 'memory: usable N MiB' line")
        elif abs(found[0] - args.expect_usable_mib) > 0.02 * args.expect_usable_mib:
            problems.append(f"usable memory {found[0]} MiB is not within 2% of {args.expect_usable_mib} MiB")
        else:
            print(f"usable memory {found[0]} MiB of {args.expect_usable_mib} MiB given")
    if args.expect_running:
        if status != TIMED_OUT:
            problems.insert(0, f"exit status {status}: the system stopped instead of running on")
    elif status == TIMED_OUT:
        problems.insert(0, f"timed out after {args.timeout:g} s")
    elif status != args.expect_exit:
        problems.insert(0, f"exit status {status}, expected {args.expect_exit}")
    for problem in problems:
        print("FAIL:", problem)
    if not problems:
        print("PASS")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
