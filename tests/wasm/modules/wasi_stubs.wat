;; WASI imports the layer does not implement: define_missing() stubs them, so the module
;; links; an errno-returning one answers ENOSYS (52), any other shape traps when called. And
;; path_open, which the layer implements, on a host without files: EBADF (8), no fd 3. And
;; poll_oneoff with one zeroed subscription, a relative realtime clock due at once: success,
;; one event written.
(module
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $unlink (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "not_in_wasi" (func $odd (param i64)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (func (export "path_open") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0)
                     (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 64)))
  (func (export "unlink") (result i32)
    (call $unlink (i32.const 3) (i32.const 0) (i32.const 1)))
  (func (export "poll_oneoff") (result i32)
    (if (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))
      (then (return (i32.const -1))))
    (i32.load (i32.const 128)))
  (func (export "odd") (call $odd (i64.const 1)))
  (func (export "yield") (result i32) (call $yield)))
