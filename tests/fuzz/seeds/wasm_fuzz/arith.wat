(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_s)
  (func (export "conv") (param f64) (result i32) local.get 0 i32.trunc_sat_f64_s)
  (func (export "fl") (param f32 f32) (result f32) local.get 0 local.get 1 f32.min))
