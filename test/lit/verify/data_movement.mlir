// RUN: not gimlet-opt --split-input-file --gimlet-verify %s 2>&1 | FileCheck %s

// Verifier rules of gimlet.gather, reshape, transpose, broadcast, concat, slice and pad: one malformed op per chunk.

// gather without indices.
// CHECK: error: 'gimlet.gather' op at {{.*}}: expects 2 operands, has 1
func.func @f(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %0 = "gimlet.gather"(%x) {axis = 0 : i64} : (tensor<4x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// gather without an axis.
// CHECK: error: 'gimlet.gather' op at {{.*}}: requires attribute 'axis'
func.func @f(%x: tensor<4x5xf32>, %i: tensor<3xi64>) -> tensor<3x5xf32> {
  %0 = "gimlet.gather"(%x, %i) : (tensor<4x5xf32>, tensor<3xi64>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// gather along axis 2 of a matrix.
// CHECK: error: 'gimlet.gather' op at {{.*}}: axis 2 is outside rank 2
func.func @f(%x: tensor<4x5xf32>, %i: tensor<3xi64>) -> tensor<4x5x3xf32> {
  %0 = "gimlet.gather"(%x, %i) {axis = 2 : i64} : (tensor<4x5xf32>, tensor<3xi64>) -> tensor<4x5x3xf32>
  return %0 : tensor<4x5x3xf32>
}

// -----

// gather with a negative axis (the axis must be normalised).
// CHECK: error: 'gimlet.gather' op at {{.*}}: axis -1 is outside rank 2
func.func @f(%x: tensor<4x5xf32>, %i: tensor<3xi64>) -> tensor<4x3xf32> {
  %0 = "gimlet.gather"(%x, %i) {axis = -1 : i64} : (tensor<4x5xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// gather at float indices.
// CHECK: error: 'gimlet.gather' op at {{.*}}: indices must be integers, got f32
func.func @f(%x: tensor<4x5xf32>, %i: tensor<3xf32>) -> tensor<3x5xf32> {
  %0 = "gimlet.gather"(%x, %i) {axis = 0 : i64} : (tensor<4x5xf32>, tensor<3xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// gather whose result keeps the gathered axis instead of the index shape.
// CHECK: error: 'gimlet.gather' op at {{.*}}: result type tensor<4x5xf32> does not match the inferred type tensor<4x2x3xf32>
func.func @f(%x: tensor<4x5xf32>, %i: tensor<2x3xi32>) -> tensor<4x5xf32> {
  %0 = "gimlet.gather"(%x, %i) {axis = 1 : i64} : (tensor<4x5xf32>, tensor<2x3xi32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// reshape with two operands.
// CHECK: error: 'gimlet.reshape' op at {{.*}}: expects 1 operands, has 2
func.func @f(%x: tensor<4x5xf32>, %s: tensor<1xi64>) -> tensor<20xf32> {
  %0 = "gimlet.reshape"(%x, %s) : (tensor<4x5xf32>, tensor<1xi64>) -> tensor<20xf32>
  return %0 : tensor<20xf32>
}

// -----

// reshape that changes the element type.
// CHECK: error: 'gimlet.reshape' op at {{.*}}: reshape keeps the element type
func.func @f(%x: tensor<4x5xf32>) -> tensor<20xi32> {
  %0 = "gimlet.reshape"(%x) : (tensor<4x5xf32>) -> tensor<20xi32>
  return %0 : tensor<20xi32>
}

// -----

// reshape that loses elements.
// CHECK: error: 'gimlet.reshape' op at {{.*}}: cannot reshape tensor<4x5xf32> (20 elements) to tensor<2x5xf32>
func.func @f(%x: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.reshape"(%x) : (tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// transpose without a permutation.
// CHECK: error: 'gimlet.transpose' op at {{.*}}: requires attribute 'permutation'
func.func @f(%x: tensor<4x5xf32>) -> tensor<5x4xf32> {
  %0 = "gimlet.transpose"(%x) : (tensor<4x5xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// transpose whose permutation is a dense elements attribute.
// CHECK: error: 'gimlet.transpose' op at {{.*}}: attribute 'permutation' must be a DenseI64ArrayAttr, got dense<[1, 0]> : tensor<2xi64>
func.func @f(%x: tensor<4x5xf32>) -> tensor<5x4xf32> {
  %0 = "gimlet.transpose"(%x) {permutation = dense<[1, 0]> : tensor<2xi64>} : (tensor<4x5xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// transpose whose permutation repeats a dimension.
// CHECK: error: 'gimlet.transpose' op at {{.*}}: permutation [1, 1] is not a permutation of 2 dimensions
func.func @f(%x: tensor<4x5xf32>) -> tensor<5x5xf32> {
  %0 = "gimlet.transpose"(%x) {permutation = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}

// -----

// transpose whose permutation has too many entries.
// CHECK: error: 'gimlet.transpose' op at {{.*}}: permutation [2, 1, 0] is not a permutation of 2 dimensions
func.func @f(%x: tensor<4x5xf32>) -> tensor<5x4xf32> {
  %0 = "gimlet.transpose"(%x) {permutation = array<i64: 2, 1, 0>} : (tensor<4x5xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// transpose whose result has the inverse permutation's shape.
// CHECK: error: 'gimlet.transpose' op at {{.*}}: result type tensor<5x3x4xf32> does not match the inferred type tensor<4x5x3xf32>
func.func @f(%x: tensor<3x4x5xf32>) -> tensor<5x3x4xf32> {
  %0 = "gimlet.transpose"(%x) {permutation = array<i64: 1, 2, 0>} : (tensor<3x4x5xf32>) -> tensor<5x3x4xf32>
  return %0 : tensor<5x3x4xf32>
}

// -----

// broadcast that changes the element type.
// CHECK: error: 'gimlet.broadcast' op at {{.*}}: broadcast keeps the element type
func.func @f(%x: tensor<1x5xf32>) -> tensor<4x5xf16> {
  %0 = "gimlet.broadcast"(%x) : (tensor<1x5xf32>) -> tensor<4x5xf16>
  return %0 : tensor<4x5xf16>
}

// -----

// broadcast of a 3-wide dimension to 4.
// CHECK: error: 'gimlet.broadcast' op at {{.*}}: tensor<3x5xf32> does not broadcast to tensor<4x5xf32>
func.func @f(%x: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %0 = "gimlet.broadcast"(%x) : (tensor<3x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// broadcast to a lower rank.
// CHECK: error: 'gimlet.broadcast' op at {{.*}}: tensor<1x5xf32> does not broadcast to tensor<5xf32>
func.func @f(%x: tensor<1x5xf32>) -> tensor<5xf32> {
  %0 = "gimlet.broadcast"(%x) : (tensor<1x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// broadcast that would shrink a dimension to 1.
// CHECK: error: 'gimlet.broadcast' op at {{.*}}: tensor<5xf32> does not broadcast to tensor<5x1xf32>
func.func @f(%x: tensor<5xf32>) -> tensor<5x1xf32> {
  %0 = "gimlet.broadcast"(%x) : (tensor<5xf32>) -> tensor<5x1xf32>
  return %0 : tensor<5x1xf32>
}

// -----

// concat of nothing.
// CHECK: error: 'gimlet.concat' op at {{.*}}: expects 1 to any number of operands, has 0
func.func @f() -> tensor<0xf32> {
  %0 = "gimlet.concat"() {axis = 0 : i64} : () -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

// concat without an axis.
// CHECK: error: 'gimlet.concat' op at {{.*}}: requires attribute 'axis'
func.func @f(%x: tensor<4x5xf32>) -> tensor<8x5xf32> {
  %0 = "gimlet.concat"(%x, %x) : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

// -----

// concat along axis 2 of matrices.
// CHECK: error: 'gimlet.concat' op at {{.*}}: axis 2 is outside rank 2
func.func @f(%x: tensor<4x5xf32>) -> tensor<4x10xf32> {
  %0 = "gimlet.concat"(%x, %x) {axis = 2 : i64} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// concat of a matrix and a vector.
// CHECK: error: 'gimlet.concat' op at {{.*}}: inputs must share rank and element type, got tensor<4x5xf32> and tensor<5xf32>
func.func @f(%x: tensor<4x5xf32>, %y: tensor<5xf32>) -> tensor<5x5xf32> {
  %0 = "gimlet.concat"(%x, %y) {axis = 0 : i64} : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}

// -----

// concat of f32 and f16.
// CHECK: error: 'gimlet.concat' op at {{.*}}: inputs must share rank and element type, got tensor<4x5xf32> and tensor<4x5xf16>
func.func @f(%x: tensor<4x5xf32>, %y: tensor<4x5xf16>) -> tensor<8x5xf32> {
  %0 = "gimlet.concat"(%x, %y) {axis = 0 : i64} : (tensor<4x5xf32>, tensor<4x5xf16>) -> tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

// -----

// concat along axis 0 of inputs whose axis 1 differs.
// CHECK: error: 'gimlet.concat' op at {{.*}}: inputs tensor<4x5xf32> and tensor<4x6xf32> differ outside axis 0
func.func @f(%x: tensor<4x5xf32>, %y: tensor<4x6xf32>) -> tensor<8x5xf32> {
  %0 = "gimlet.concat"(%x, %y) {axis = 0 : i64} : (tensor<4x5xf32>, tensor<4x6xf32>) -> tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

// -----

// concat whose result misses an input's rows.
// CHECK: error: 'gimlet.concat' op at {{.*}}: result type tensor<8x5xf32> does not match the inferred type tensor<9x5xf32>
func.func @f(%x: tensor<4x5xf32>, %y: tensor<1x5xf32>) -> tensor<8x5xf32> {
  %0 = "gimlet.concat"(%x, %y, %x) {axis = 0 : i64} : (tensor<4x5xf32>, tensor<1x5xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

// -----

// slice without strides.
// CHECK: error: 'gimlet.slice' op at {{.*}}: requires attribute 'strides'
func.func @f(%x: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.slice"(%x) {starts = array<i64: 0, 0>, limits = array<i64: 2, 5>} : (tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// slice with one start for a matrix.
// CHECK: error: 'gimlet.slice' op at {{.*}}: starts, limits and strides need 2 entries each
func.func @f(%x: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.slice"(%x) {starts = array<i64: 0>, limits = array<i64: 2, 5>, strides = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// slice with a zero stride.
// CHECK: error: 'gimlet.slice' op at {{.*}}: stride 0 of dimension 1 must be positive
func.func @f(%x: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.slice"(%x) {starts = array<i64: 0, 0>, limits = array<i64: 2, 5>, strides = array<i64: 1, 0>} : (tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// slice whose limit (6) is past the dimension (5).
// CHECK: error: 'gimlet.slice' op at {{.*}}: dimension 1: need 0 <= start (0) <= limit (6) <= size (5)
func.func @f(%x: tensor<4x5xf32>) -> tensor<2x6xf32> {
  %0 = "gimlet.slice"(%x) {starts = array<i64: 0, 0>, limits = array<i64: 2, 6>, strides = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// slice with a negative start (starts must be normalised).
// CHECK: error: 'gimlet.slice' op at {{.*}}: dimension 0: need 0 <= start (-1) <= limit (4) <= size (4)
func.func @f(%x: tensor<4x5xf32>) -> tensor<5x5xf32> {
  %0 = "gimlet.slice"(%x) {starts = array<i64: -1, 0>, limits = array<i64: 4, 5>, strides = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}

// -----

// slice whose start is past its limit.
// CHECK: error: 'gimlet.slice' op at {{.*}}: dimension 0: need 0 <= start (3) <= limit (1) <= size (4)
func.func @f(%x: tensor<4x5xf32>) -> tensor<0x5xf32> {
  %0 = "gimlet.slice"(%x) {starts = array<i64: 3, 0>, limits = array<i64: 1, 5>, strides = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<0x5xf32>
  return %0 : tensor<0x5xf32>
}

// -----

// slice with stride 2 whose result rounds the size down instead of up.
// CHECK: error: 'gimlet.slice' op at {{.*}}: result type tensor<4x2xf32> does not match the inferred type tensor<4x3xf32>
func.func @f(%x: tensor<4x5xf32>) -> tensor<4x2xf32> {
  %0 = "gimlet.slice"(%x) {starts = array<i64: 0, 0>, limits = array<i64: 4, 5>, strides = array<i64: 1, 2>} : (tensor<4x5xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// pad without a mode.
// CHECK: error: 'gimlet.pad' op at {{.*}}: requires attribute 'mode'
func.func @f(%x: tensor<4x5xf32>) -> tensor<6x5xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 1, 0>, pad_high = array<i64: 1, 0>} : (tensor<4x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// pad whose value is an integer.
// CHECK: error: 'gimlet.pad' op at {{.*}}: attribute 'value' must be a FloatAttr, got 0 : i64
func.func @f(%x: tensor<4x5xf32>) -> tensor<6x5xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 1, 0>, pad_high = array<i64: 1, 0>, mode = "constant", value = 0 : i64} : (tensor<4x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// pad with one high entry for a matrix.
// CHECK: error: 'gimlet.pad' op at {{.*}}: pad_low and pad_high need 2 entries each
func.func @f(%x: tensor<4x5xf32>) -> tensor<6x5xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 1, 0>, pad_high = array<i64: 1>, mode = "constant"} : (tensor<4x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// pad by a negative amount.
// CHECK: error: 'gimlet.pad' op at {{.*}}: padding must be non-negative
func.func @f(%x: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: -1, 0>, pad_high = array<i64: 0, 0>, mode = "constant"} : (tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// pad of an unknown mode.
// CHECK: error: 'gimlet.pad' op at {{.*}}: mode must be one of ('constant', 'reflect', 'edge'), got 'wrap'
func.func @f(%x: tensor<4x5xf32>) -> tensor<6x5xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 1, 0>, pad_high = array<i64: 1, 0>, mode = "wrap"} : (tensor<4x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// reflect padding as large as the dimension it pads.
// CHECK: error: 'gimlet.pad' op at {{.*}}: reflect padding must be smaller than the dimension it pads
func.func @f(%x: tensor<4x5xf32>) -> tensor<4x10xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 0, 0>, pad_high = array<i64: 0, 5>, mode = "reflect"} : (tensor<4x5xf32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// pad whose result forgets the high padding.
// CHECK: error: 'gimlet.pad' op at {{.*}}: result type tensor<5x5xf32> does not match the inferred type tensor<7x5xf32>
func.func @f(%x: tensor<4x5xf32>) -> tensor<5x5xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 1, 0>, pad_high = array<i64: 2, 0>, mode = "edge"} : (tensor<4x5xf32>) -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}
