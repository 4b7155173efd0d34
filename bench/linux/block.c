// The block benchmark's Linux half (bench/block/run-bench): the init of a small initramfs that
// loads Debian's virtio modules (the kernel has them as modules, not built in), opens the
// virtio disk with O_DIRECT (no page cache: every read reaches the device, as MinimalOS's do)
// and runs the cases of bench/block/cases.h, printing the same lines as user/bench_block.
// Depth 1 is one pread at a time; depth 32 keeps 32 reads in flight through Linux AIO
// (io_setup, io_submit, io_getevents as raw system calls: glibc has no wrappers), each into a
// 64 KiB buffer of its own. Every sector read is checked against the image's pattern.
// Parameters on the kernel command line: bench_sectors=N bench_ms=M (Linux hands init the
// key=value words it does not know as environment variables). The guest exits
// through QEMU's isa-debug-exit port with 0 when every read was right.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../block/cases.h"

static const char* const MODULES[] = {
    // In dependency order (each module's depends= names only ones before it).
    "virtio_ring.ko", "virtio.ko", "virtio_pci_modern_dev.ko", "virtio_pci_legacy_dev.ko",
    "virtio_pci.ko", "virtio_blk.ko",
};

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void finish(int failed) {
    printf("block-bench: %s\n", failed ? "failed" : "done");
    fflush(stdout);
    // QEMU's isa-debug-exit device (run-qemu adds it) ends the guest with this code.
    if (ioperm(0xf4, 4, 1) == 0)
        outl(failed ? 1 : 0, 0xf4);
    exit(failed);
}

static int load_modules(void) {
    for (size_t i = 0; i < sizeof MODULES / sizeof MODULES[0]; ++i) {
        int fd = open(MODULES[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
            printf("block-bench: FAIL cannot load %s: %s\n", MODULES[i], strerror(errno));
            return -1;
        }
        close(fd);
    }
    return 0;
}

// /dev/vda once the driver has probed the disk (devtmpfs creates it).
static int open_disk(void) {
    mkdir("/dev", 0755);
    if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY) {
        printf("block-bench: FAIL cannot mount devtmpfs: %s\n", strerror(errno));
        return -1;
    }
    for (int attempt = 0; attempt < 500; ++attempt) {
        int fd = open("/dev/vda", O_RDONLY | O_DIRECT);
        if (fd >= 0)
            return fd;
        usleep(10000);
    }
    printf("block-bench: FAIL no /dev/vda\n");
    return -1;
}

struct run {
    const struct block_bench_case* test;
    uint64_t blocks, next, reads, bad;
    uint64_t seeds[BLOCK_BENCH_MAX_DEPTH];
};

// The next block's first sector, for request stream `stream`.
static uint64_t next_sector(struct run* r, uint32_t stream) {
    uint64_t block = r->test->random ? block_bench_next_random(&r->seeds[stream]) % r->blocks
                                     : r->next++ % r->blocks;
    return block * (r->test->block_bytes / BLOCK_BENCH_SECTOR);
}

static void depth_one(struct run* r, int fd, uint8_t* buffer, uint64_t deadline) {
    uint32_t bytes = r->test->block_bytes;
    while (now_ns() < deadline) {
        uint64_t sector = next_sector(r, 0);
        if (pread(fd, buffer, bytes, (off_t)(sector * BLOCK_BENCH_SECTOR)) != (ssize_t)bytes) {
            ++r->bad;
            return;
        }
        r->bad += !block_bench_pattern_holds(buffer, sector, bytes);
        ++r->reads;
    }
}

static void prepare(struct iocb* cb, int fd, uint8_t* buffer, uint32_t bytes, uint64_t sector,
                    uint32_t stream) {
    memset(cb, 0, sizeof *cb);
    cb->aio_data = ((uint64_t)stream << 48) | sector;
    cb->aio_lio_opcode = IOCB_CMD_PREAD;
    cb->aio_fildes = (uint32_t)fd;
    cb->aio_buf = (uint64_t)(uintptr_t)buffer;
    cb->aio_nbytes = bytes;
    cb->aio_offset = (int64_t)(sector * BLOCK_BENCH_SECTOR);
}

// `depth` reads in flight: each completion is checked and its stream's next read submitted.
static void depth_many(struct run* r, int fd, uint8_t* buffers, uint64_t deadline) {
    uint32_t depth = r->test->depth, bytes = r->test->block_bytes;
    aio_context_t context = 0;
    if (syscall(SYS_io_setup, depth, &context) != 0) {
        printf("block-bench: FAIL io_setup: %s\n", strerror(errno));
        ++r->bad;
        return;
    }
    struct iocb blocks[BLOCK_BENCH_MAX_DEPTH], *list[BLOCK_BENCH_MAX_DEPTH];
    for (uint32_t i = 0; i < depth; ++i) {
        prepare(&blocks[i], fd, buffers + (size_t)i * BLOCK_BENCH_MAX_BYTES, bytes,
                next_sector(r, i), i);
        list[i] = &blocks[i];
    }
    uint32_t in_flight = 0;
    if (syscall(SYS_io_submit, context, (long)depth, list) == (long)depth)
        in_flight = depth;
    else
        ++r->bad;
    struct io_event events[BLOCK_BENCH_MAX_DEPTH];
    while (in_flight > 0) {
        long got = syscall(SYS_io_getevents, context, 1L, (long)in_flight, events, NULL);
        if (got <= 0) {
            ++r->bad;
            break;
        }
        in_flight -= (uint32_t)got;
        int more = now_ns() < deadline;
        for (long e = 0; e < got; ++e) {
            uint32_t stream = (uint32_t)(events[e].data >> 48);
            uint64_t sector = events[e].data & ((1ull << 48) - 1);
            uint8_t* buffer = buffers + (size_t)stream * BLOCK_BENCH_MAX_BYTES;
            if (events[e].res != (int64_t)bytes ||
                !block_bench_pattern_holds(buffer, sector, bytes))
                ++r->bad;
            ++r->reads;
            if (!more)
                continue;
            prepare(&blocks[stream], fd, buffer, bytes, next_sector(r, stream), stream);
            struct iocb* one = &blocks[stream];
            if (syscall(SYS_io_submit, context, 1L, &one) == 1)
                ++in_flight;
            else
                ++r->bad;
        }
    }
    syscall(SYS_io_destroy, context);
}

static uint64_t parameter(const char* name) {
    const char* value = getenv(name);
    return value ? strtoull(value, NULL, 10) : 0;
}

int main(void) {
    uint64_t sectors = parameter("bench_sectors"), ms = parameter("bench_ms");
    printf("block-bench: Linux, %llu sectors, %llu ms per case\n", (unsigned long long)sectors,
           (unsigned long long)ms);
    if (sectors == 0 || ms == 0) {
        printf("block-bench: FAIL needs bench_sectors=N bench_ms=M\n");
        finish(1);
    }
    if (load_modules() != 0)
        finish(1);
    int fd = open_disk();
    if (fd < 0)
        finish(1);
    if (lseek(fd, 0, SEEK_END) != (off_t)(sectors * BLOCK_BENCH_SECTOR)) {
        printf("block-bench: FAIL the disk is not %llu sectors\n", (unsigned long long)sectors);
        finish(1);
    }
    uint8_t* buffers = NULL;
    // O_DIRECT wants aligned buffers; page alignment satisfies every block device.
    size_t buffer_bytes = (size_t)BLOCK_BENCH_MAX_DEPTH * BLOCK_BENCH_MAX_BYTES;
    if (posix_memalign((void**)&buffers, 4096, buffer_bytes)) {
        printf("block-bench: FAIL no buffers\n");
        finish(1);
    }
    uint64_t checked = 0, bad = 0;
    for (size_t c = 0; c < BLOCK_BENCH_CASE_COUNT; ++c) {
        struct run r = {&BLOCK_BENCH_CASES[c], 0, 0, 0, 0, {0}};
        r.blocks = sectors / (r.test->block_bytes / BLOCK_BENCH_SECTOR);
        for (uint32_t i = 0; i < BLOCK_BENCH_MAX_DEPTH; ++i)
            r.seeds[i] = 0x9E3779B97F4A7C15ull * (i + 1);
        uint64_t start = now_ns();
        if (r.test->depth == 1)
            depth_one(&r, fd, buffers, start + ms * 1000000u);
        else
            depth_many(&r, fd, buffers, start + ms * 1000000u);
        uint64_t ns = now_ns() - start, mib_tenths, iops;
        block_bench_rates(r.reads, r.test->block_bytes, ns, &mib_tenths, &iops);
        printf("block-bench: %s: %llu.%llu MiB/s, %llu IOPS (%llu reads in %llu ms)\n",
               r.test->name, (unsigned long long)(mib_tenths / 10),
               (unsigned long long)(mib_tenths % 10), (unsigned long long)iops,
               (unsigned long long)r.reads, (unsigned long long)(ns / 1000000u));
        fflush(stdout);
        checked += r.reads;
        bad += r.bad;
    }
    printf("block-bench: %llu reads checked, %llu wrong\n", (unsigned long long)checked,
           (unsigned long long)bad);
    finish(bad != 0);
}
