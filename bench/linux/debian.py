"""Debian's Linux kernel for make bench's anchors (bench/linux/run-linux, bench/block/run-bench):
the kernel package linux-image-amd64 depends on, fetched with apt-get download and unpacked with
dpkg-deb into a cache directory (no root needed), and the newc cpio initramfs its benchmark
programs run in as /init."""
import glob
import os
import re
import subprocess
import sys


def fail(message):
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr)
    sys.exit(1)


def run(cmd, cwd=None):
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if done.returncode != 0:
        fail(f"`{' '.join(cmd)}` failed:\n{done.stdout}")
    return done.stdout


def linux_kernel(cache):
    """The vmlinuz of the Linux image linux-image-amd64 depends on, downloaded once."""
    found = sorted(glob.glob(os.path.join(cache, "root", "boot", "vmlinuz-*")))
    if found:
        return found[-1]
    os.makedirs(cache, exist_ok=True)
    image = None
    for attempt in range(2):
        # A fresh machine may have no package lists yet: as root, fetch them once and retry.
        if attempt == 1 and os.geteuid() == 0:
            run(["apt-get", "update"])
        done = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        found_image = re.search(r"Depends: (linux-image-\S+)", done.stdout)
        if found_image:
            image = found_image.group(1)
            break
    if not image:
        fail("apt-cache names no Linux image for linux-image-amd64 (run apt-get update?)")
    run(["apt-get", "download", image], cwd=cache)
    debs = glob.glob(os.path.join(cache, f"{image}_*.deb"))
    if not debs:
        fail(f"apt-get download {image} left no package")
    run(["dpkg-deb", "-x", debs[0], os.path.join(cache, "root")])
    found = sorted(glob.glob(os.path.join(cache, "root", "boot", "vmlinuz-*")))
    if not found:
        fail(f"{debs[0]} holds no boot/vmlinuz")
    return found[-1]


def cpio_entry(name, mode, data=b"", rdev=(0, 0)):
    """One newc record (the format Linux unpacks into its initramfs)."""
    name_bytes = name.encode() + b"\0"
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    header = b"070701" + b"".join(b"%08x" % f for f in fields)
    pad = lambda n: b"\0" * (-n % 4)
    return header + name_bytes + pad(len(header) + len(name_bytes)) + data + pad(len(data))


def modules_dir(kernel):
    """The unpacked package's lib/modules/VERSION for `kernel` (its boot/vmlinuz-VERSION)."""
    version = os.path.basename(kernel)[len("vmlinuz-"):]
    return os.path.join(os.path.dirname(os.path.dirname(kernel)), "lib", "modules", version)


def initramfs(path, init, files=()):
    """/init, /dev/console and each of `files` (paths on the host) at the root, executable if
    it is on the host."""
    with open(init, "rb") as f:
        program = f.read()
    records = [cpio_entry("dev", 0o040755), cpio_entry("dev/console", 0o020600, rdev=(5, 1)),
               cpio_entry("init", 0o100755, program)]
    for extra in files:
        with open(extra, "rb") as f:
            mode = 0o100755 if os.access(extra, os.X_OK) else 0o100644 # programs stay runnable
            records.append(cpio_entry(os.path.basename(extra), mode, f.read()))
    records.append(cpio_entry("TRAILER!!!", 0))
    with open(path, "wb") as f:
        f.write(b"".join(records))
