// Annotations for clang's thread-safety analysis (-Wthread-safety, an error in every build of
// ours). They let the compiler check, per function, that data is touched only under the lock
// that guards it and that every lock taken is released on every path:
//
//   class Heap {
//       lib::Result<void*> allocate_locked(size_t size) REQUIRES(m_lock);
//       IrqSpinlock m_lock;
//       BlockHeader* m_free_list GUARDED_BY(m_lock) = nullptr;
//   };
//
// - CAPABILITY / SCOPED_CAPABILITY mark a lock type and an RAII guard over one
//   (kernel/sync/spinlock.h).
// - GUARDED_BY(lock): the member or global is read and written only with `lock` held;
//   PT_GUARDED_BY(lock): the same for what a pointer points at.
// - REQUIRES(lock): the caller holds `lock`; EXCLUDES(lock): the caller must not (the function
//   takes it itself, so holding it would deadlock).
// - ACQUIRE / RELEASE / TRY_ACQUIRE: the function takes or drops the lock for its caller.
// - NO_THREAD_SAFETY_ANALYSIS turns the analysis off for one function. Every use carries a
//   comment saying why the function is safe anyway (for example: it runs before a second CPU
//   or thread exists, or the lock is held by a protocol the analysis cannot follow, such as a
//   lock taken in one thread and released by the CPU that switches away from it).
//
// Elsewhere (GCC, or a tool that does not know the attributes) the macros expand to nothing.
#pragma once

#if defined(__clang__)
#define MNOS_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MNOS_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(name) MNOS_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY MNOS_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(lock) MNOS_THREAD_ANNOTATION(guarded_by(lock))
#define PT_GUARDED_BY(lock) MNOS_THREAD_ANNOTATION(pt_guarded_by(lock))
#define REQUIRES(...) MNOS_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) MNOS_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) MNOS_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) MNOS_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) MNOS_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(lock) MNOS_THREAD_ANNOTATION(assert_capability(lock))
#define RETURN_CAPABILITY(lock) MNOS_THREAD_ANNOTATION(lock_returned(lock))
#define NO_THREAD_SAFETY_ANALYSIS MNOS_THREAD_ANNOTATION(no_thread_safety_analysis)
