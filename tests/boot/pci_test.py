#!/usr/bin/env python3
"""The kernel's PCI device list against QEMU's own: boots MinimalOS with a bridge and a virtio
device behind it, reads the "pci: BB:DD.F VVVV:DDDD class" lines from the serial log and
QEMU's `info pci` from the monitor, and fails unless both list the same functions with the
same IDs, with none refused and no class left unnamed."""
import argparse
import re
import sys

from qemu_session import QemuSession

# Where the extra devices go: a PCIe root port on q35, a PCI-to-PCI bridge on pc, each with a
# virtio-rng (modern, so it carries the virtio vendor capabilities) behind it.
BRIDGED = {
    "q35": ["-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x10",
            "-device", "virtio-rng-pci,bus=rp1,disable-legacy=on"],
    "pc": ["-device", "pci-bridge,id=br1,bus=pci.0,chassis_nr=1,addr=0x10",
           "-device", "virtio-rng-pci,bus=br1,addr=0x3,disable-legacy=on"],
}
GUEST = re.compile(r"^pci: ([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) ([0-9a-f]{4}):([0-9a-f]{4}) (.+)$")
QEMU_FUNCTION = re.compile(r"^\s*Bus\s+(\d+), device\s+(\d+), function (\d+):")
QEMU_IDS = re.compile(r"^\s*(.+): PCI device ([0-9a-f]{4}):([0-9a-f]{4})")
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


def guest_devices(log_text):
    found = {}
    for line in ANSI.sub("", log_text).replace("\r", "").split("\n"):
        m = GUEST.match(line)
        if m and "refused" not in line:
            bdf = (int(m.group(1), 16), int(m.group(2), 16), int(m.group(3)))
            found[bdf] = (m.group(4), m.group(5), m.group(6))
    return found


def qemu_devices(lines):
    found, current = {}, None
    for line in lines:
        m = QEMU_FUNCTION.match(line)
        if m:
            current = tuple(int(g) for g in m.groups())
            continue
        m = QEMU_IDS.match(line)
        if m and current is not None:
            found[current] = (m.group(2), m.group(3), m.group(1))
            current = None
    return found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iso", required=True)
    p.add_argument("--firmware", default="bios")
    p.add_argument("--machine", default="q35")
    args = p.parse_args()
    with QemuSession(args.iso, firmware=args.firmware, machine=args.machine, timeout=90,
                     extra=["--", *BRIDGED[args.machine]]) as qemu:
        if not qemu.wait_for("boot complete"):
            print("FAIL: no 'boot complete' on the serial log")
            print(open(qemu.log, "rb").read().decode("utf-8", "replace"))
            return 1
        info = qemu.monitor("info pci", settle=2.0)
        log = open(qemu.log, "rb").read().decode("utf-8", "replace")
    guest, host = guest_devices(log), qemu_devices(info)
    problems = []
    if len(host) < 6:
        problems.append(f"info pci listed only {len(host)} functions: {info}")
    for bdf in sorted(set(host) | set(guest)):
        name = "%02x:%02x.%d" % bdf
        if bdf not in guest:
            problems.append(f"{name} {host[bdf][0]}:{host[bdf][1]} ({host[bdf][2]}) not found by the kernel")
        elif bdf not in host:
            problems.append(f"{name} reported by the kernel but not by QEMU")
        elif guest[bdf][:2] != host[bdf][:2]:
            problems.append(f"{name}: kernel says {guest[bdf][:2]}, QEMU {host[bdf][:2]}")
        else:
            print(f"{name} {guest[bdf][0]}:{guest[bdf][1]} kernel: {guest[bdf][2]!r}, QEMU: {host[bdf][2]!r}")
            if guest[bdf][2].startswith("unknown"):
                problems.append(f"{name}: no class name")
    if not any(bus > 0 for bus, _, _ in guest):
        problems.append("no function found behind the bridge")
    if not any(v == ("1af4", "1044") for v in (g[:2] for g in guest.values())):
        problems.append("the virtio-rng behind the bridge is missing")
    clean = ANSI.sub("", log).replace("\r", "")
    if not re.search(r"^pci:   virtio: [3-9] structures$", clean, re.M):
        problems.append("the virtio vendor capabilities were not decoded")
    if not re.search(r"^pci:   MSI-X: [1-9]\d* vectors", clean, re.M):
        problems.append("no MSI-X capability decoded")
    if re.search(r"^pci: [0-9a-f]{2}:[0-9a-f]{2}\.[0-7] .* refused \(", clean, re.M):
        problems.append("the kernel refused a function QEMU emulates")
    if not re.search(r"^pci: \d+ functions on [2-9]\d* buses, 0 refused", clean, re.M):
        problems.append("no summary line with two or more buses and none refused")
    for problem in problems:
        print("FAIL:", problem)
    print("PASS" if not problems else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
