;; The roadmap's demonstration: the host calls add(10, 32) and gets 42; run_guest prints through
;; the one host function its launcher granted, mnos.print, which reaches COM1 only through the
;; console service's capability.
(module
  (import "mnos" "print" (func $print (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from the Wasm Sandbox!\n")
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)
  (func (export "run_guest")
    (call $print (i32.const 16) (i32.const 29))))
