;; A module that imports a host function nobody grants: instantiation must fail, naming it.
(module
  (import "mnos" "port_out" (func $port_out (param i32 i32)))
  (func (export "_start")
    (call $port_out (i32.const 0x3f8) (i32.const 65))))
