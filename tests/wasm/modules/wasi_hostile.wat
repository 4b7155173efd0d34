;; Hostile arguments from real guest code: an iovec whose buffer runs past the end of memory,
;; an iovec array that wraps around 4 GiB, and args_get into the last bytes of memory. Each
;; call must come back with EFAULT (21) and the run must go on to print "survived".
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\f0\ff\00\00\20\00\00\00")  ;; iovec {0xfff0, 32}: 16 bytes too far
  (data (i32.const 16) "\20\00\00\00\09\00\00\00")  ;; iovec {32, 9}
  (data (i32.const 32) "survived\n")
  (func (export "past_end") (result i32)
    (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 64)))
  (func (export "wrapping_array") (result i32)
    (call $w (i32.const 1) (i32.const 0xfffffff8) (i32.const 2) (i32.const 64)))
  (func (export "args_at_end") (result i32)
    (call $args (i32.const 0xfffe) (i32.const 0)))
  (func (export "_start")
    (if (i32.ne (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 64)) (i32.const 21))
      (then unreachable))
    (if (i32.ne (call $w (i32.const 1) (i32.const 0xfffffff8) (i32.const 2) (i32.const 64))
                (i32.const 21))
      (then unreachable))
    (if (i32.ne (call $args (i32.const 0xfffe) (i32.const 0)) (i32.const 21))
      (then unreachable))
    (drop (call $w (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 64)))))
