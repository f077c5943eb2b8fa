// RUN: not gimlet-opt --split-input-file --gimlet-verify %s 2>&1 | FileCheck %s

// Verifier rules of gimlet.elementwise: one malformed op per chunk.

// elementwise without fn.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: requires attribute 'fn'
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// elementwise whose fn is an integer, not a string.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: attribute 'fn' must be a StringAttr, got 1 : i64
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// elementwise with an unknown fn.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: unknown fn 'swish'; known: abs, add, and, bitcast, cast, ceil, clamp, cos, div, eq, erf, exp, floor, ge, gelu, gt, le, leaky_relu, log, lt, max, min, mul, ne, neg, not, or, pow, reciprocal, relu, rsqrt, sigmoid, silu, sin, sqrt, sub, tanh, where, xor
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "swish"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// elementwise with four operands.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: expects 1 to 3 operands, has 4
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %x, %x, %x) {fn = "add"} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// elementwise with no operands.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: expects 1 to 3 operands, has 0
func.func @f() -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"() {fn = "add"} : () -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// elementwise of a scalar, not a tensor.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: operand #1 must be a ranked tensor, got f32
func.func @f(%x: tensor<2x3xf32>, %s: f32) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %s) {fn = "add"} : (tensor<2x3xf32>, f32) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// binary add with one operand.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'add' takes 2 operand(s), has 1
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "add"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// unary exp with two operands.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'exp' takes 1 operand(s), has 2
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %x) {fn = "exp"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// where with two operands.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'where' takes 3 operand(s), has 2
func.func @f(%c: tensor<2x3xi1>, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%c, %x) {fn = "where"} : (tensor<2x3xi1>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// relu with leaky_relu's alpha.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'relu' takes no attribute 'alpha'
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "relu", alpha = 0.1 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// leaky_relu with clamp's min.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'leaky_relu' takes no attribute 'min'
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "leaky_relu", alpha = 0.1 : f64, min = 0.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// add with an attribute no fn takes.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'add' takes no attribute 'alpha2'
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %x) {fn = "add", alpha2 = 1.0 : f64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// leaky_relu whose alpha is a string.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: attribute 'alpha' must be a FloatAttr, got "0.1"
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "leaky_relu", alpha = "0.1"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// clamp whose max is an integer.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: attribute 'max' must be a FloatAttr, got 6 : i64
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "clamp", max = 6 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// gelu with an unknown approximation.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: approximate must be one of ('none', 'tanh')
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "gelu", approximate = "sigmoid"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// gelu whose approximate is a bool.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: attribute 'approximate' must be a StringAttr, got true
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "gelu", approximate = true} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// where with an f32 condition.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: where takes an i1 condition and two operands of one element type
func.func @f(%c: tensor<2x3xf32>, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%c, %x, %x) {fn = "where"} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// where choosing between f32 and f16.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: where takes an i1 condition and two operands of one element type
func.func @f(%c: tensor<2x3xi1>, %x: tensor<2x3xf32>, %y: tensor<2x3xf16>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%c, %x, %y) {fn = "where"} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// logical and of i32 tensors.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'and' takes i1 operands
func.func @f(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = "gimlet.elementwise"(%x, %x) {fn = "and"} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// logical not of an f32 tensor.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'not' takes i1 operands
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "not"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// add of f32 and f16.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: operands of fn 'add' must share one element type, got ['f32', 'f16']
func.func @f(%x: tensor<2x3xf32>, %y: tensor<2x3xf16>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %y) {fn = "add"} : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// comparison of i32 with i64.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: operands of fn 'eq' must share one element type, got ['i32', 'i64']
func.func @f(%x: tensor<2x3xi32>, %y: tensor<2x3xi64>) -> tensor<2x3xi1> {
  %0 = "gimlet.elementwise"(%x, %y) {fn = "eq"} : (tensor<2x3xi32>, tensor<2x3xi64>) -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

// exp of integers.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'exp' takes floating-point operands, got i32
func.func @f(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = "gimlet.elementwise"(%x) {fn = "exp"} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// leaky_relu of integers.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: fn 'leaky_relu' takes floating-point operands, got i64
func.func @f(%x: tensor<2x3xi64>) -> tensor<2x3xi64> {
  %0 = "gimlet.elementwise"(%x) {fn = "leaky_relu", alpha = 0.1 : f64} : (tensor<2x3xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// add of shapes [2, 3] and [2], which do not broadcast.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: operand shapes {{\[\[}}2, 3], [2]] do not broadcast
func.func @f(%x: tensor<2x3xf32>, %y: tensor<2xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %y) {fn = "add"} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// add whose result is transposed.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: result shape [3, 2] is not the broadcast shape [2, 3]
func.func @f(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<3x2xf32> {
  %0 = "gimlet.elementwise"(%x, %y) {fn = "add"} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// cast whose result shape differs from its operand's.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: result shape [6] is not the broadcast shape [2, 3]
func.func @f(%x: tensor<2x3xf32>) -> tensor<6xi32> {
  %0 = "gimlet.elementwise"(%x) {fn = "cast"} : (tensor<2x3xf32>) -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

// cast to index, which is neither an integer nor a float type.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: cast converts between integer and floating-point types, not f32 to index
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xindex> {
  %0 = "gimlet.elementwise"(%x) {fn = "cast"} : (tensor<2x3xf32>) -> tensor<2x3xindex>
  return %0 : tensor<2x3xindex>
}

// -----

// cast from complex numbers.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: cast converts between integer and floating-point types, not complex<f32> to f32
func.func @f(%x: tensor<2x3xcomplex<f32>>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "cast"} : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// add with an f16 result from f32 operands.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: result type tensor<2x3xf16> does not match the inferred type tensor<2x3xf32>
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf16> {
  %0 = "gimlet.elementwise"(%x, %x) {fn = "add"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// comparison with an f32 result instead of i1.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: result type tensor<2x3xf32> does not match the inferred type tensor<2x3xi1>
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %x) {fn = "lt"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// where whose result has the condition's element type.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: result type tensor<2x3xi1> does not match the inferred type tensor<2x3xf32>
func.func @f(%c: tensor<2x3xi1>, %x: tensor<2x3xf32>) -> tensor<2x3xi1> {
  %0 = "gimlet.elementwise"(%c, %x, %x) {fn = "where"} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

// bitcast between types of different widths.
// CHECK: error: 'gimlet.elementwise' op at {{.*}}: bitcast keeps the bit width, and f32 and i16 differ in it
func.func @f(%x: tensor<4xf32>) -> tensor<4xi16> {
  %0 = "gimlet.elementwise"(%x) {fn = "bitcast"} : (tensor<4xf32>) -> tensor<4xi16>
  return %0 : tensor<4xi16>
}
