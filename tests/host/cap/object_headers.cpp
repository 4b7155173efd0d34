// Compiled only by the freestanding check: every kernel object header must build with the
// kernel's flags even where no kernel source includes it yet.
#include "kernel/cap/cap_lock.h"
#include "kernel/cap/deferred_release.h"
#include "kernel/cap/derivation.h"
#include "kernel/object/endpoint.h"
#include "kernel/object/io_port.h"
#include "kernel/object/irq_line.h"
#include "kernel/object/kernel_object.h"
#include "kernel/object/memory_frame.h"
#include "kernel/object/memory_budget.h"
#include "kernel/object/mmio_region.h"
