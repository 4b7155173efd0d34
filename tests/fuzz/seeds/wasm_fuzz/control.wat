(module
  (type $t (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $fac $loop)
  (func $fac (type $t)
    (if (result i32) (i32.le_s (local.get 0) (i32.const 1))
      (then (i32.const 1))
      (else (i32.mul (local.get 0) (call $fac (i32.sub (local.get 0) (i32.const 1)))))))
  (func $loop (type $t) (local i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br $again)))
    (block $b (block $a (br_table $a $b $a (local.get 1))))
    (local.get 1))
  (func (export "dispatch") (param i32 i32) (result i32)
    (call_indirect (type $t) (local.get 1) (local.get 0)))
  (func (export "spin") (loop $l (br $l))))
