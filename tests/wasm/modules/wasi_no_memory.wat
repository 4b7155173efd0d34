;; A module without memory calling fd_write: every pointer is outside (no) memory, so EFAULT
;; (21), and nothing is printed.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (func (export "write") (result i32)
    (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
