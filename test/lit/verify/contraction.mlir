// RUN: not gimlet-opt --split-input-file --gimlet-verify %s 2>&1 | FileCheck %s

// Verifier rules of gimlet.matmul, gimlet.conv and gimlet.attention: one malformed op per chunk.

// matmul with one operand.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: expects 2 operands, has 1
func.func @f(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.matmul"(%a) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// matmul with two results.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: expects 1 result(s), has 2
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0:2 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return %0#0 : tensor<2x4xf32>
}

// -----

// matmul of an unranked tensor.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: operand #1 must be a ranked tensor, got tensor<*xf32>
func.func @f(%a: tensor<2x3xf32>, %b: tensor<*xf32>) -> tensor<2x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<*xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// matmul whose result is not a tensor.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: result #0 must be a ranked tensor, got f32
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> f32 {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> f32
  return %0 : f32
}

// -----

// matmul of f32 by f16.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: operand element types differ: f32 and f16
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) -> tensor<2x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// matmul whose contraction dimensions differ (3 and 5).
// CHECK: error: 'gimlet.matmul' op at {{.*}}: operands tensor<2x3xf32> and tensor<5x4xf32> have mismatched contraction or batch dimensions
func.func @f(%a: tensor<2x3xf32>, %b: tensor<5x4xf32>) -> tensor<2x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<5x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// matmul whose batch dimensions (2 and 3) do not broadcast.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: operands tensor<2x2x3xf32> and tensor<3x3x4xf32> have mismatched contraction or batch dimensions
func.func @f(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) -> tensor<2x2x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

// matmul of a 0-d tensor.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: operands tensor<f32> and tensor<3x4xf32> have mismatched contraction or batch dimensions
func.func @f(%a: tensor<f32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// matmul whose result keeps the vector dimension that a 1-d rhs drops.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: result type tensor<2x1xf32> does not match the inferred type tensor<2xf32>
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// matmul whose result element type differs from the operands'.
// CHECK: error: 'gimlet.matmul' op at {{.*}}: result type tensor<2x4xf16> does not match the inferred type tensor<2x4xf32>
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf16> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

// conv with four operands.
// CHECK: error: 'gimlet.conv' op at {{.*}}: expects 2 to 3 operands, has 4
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w, %b, %b) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv without its groups attribute.
// CHECK: error: 'gimlet.conv' op at {{.*}}: requires attribute 'groups'
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv whose strides are an array attribute instead of a dense i64 array.
// CHECK: error: 'gimlet.conv' op at {{.*}}: attribute 'strides' must be a DenseI64ArrayAttr, got [1, 1]
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = [1, 1], padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv whose groups is a float.
// CHECK: error: 'gimlet.conv' op at {{.*}}: attribute 'groups' must be a IntegerAttr, got 1.000000e+00 : f32
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1.0 : f32} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv whose input and filter ranks differ.
// CHECK: error: 'gimlet.conv' op at {{.*}}: input tensor<1x4x5x5xf32> and filter tensor<8x4x3xf32> must have the same rank, at least 3
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv without a spatial dimension.
// CHECK: error: 'gimlet.conv' op at {{.*}}: input tensor<1x4xf32> and filter tensor<8x4xf32> must have the same rank, at least 3
func.func @f(%x: tensor<1x4xf32>, %w: tensor<8x4xf32>) -> tensor<1x8xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64>, padding = array<i64>, dilations = array<i64>, groups = 1 : i64} : (tensor<1x4xf32>, tensor<8x4xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// conv whose padding lists only the low side.
// CHECK: error: 'gimlet.conv' op at {{.*}}: strides and dilations need 2 entries and padding 4 for 2 spatial dimensions
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv with a zero stride.
// CHECK: error: 'gimlet.conv' op at {{.*}}: strides and dilations must be positive and padding non-negative
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 0>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv with negative padding.
// CHECK: error: 'gimlet.conv' op at {{.*}}: strides and dilations must be positive and padding non-negative
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, -1, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv with two groups whose filter has as many channels as the input.
// CHECK: error: 'gimlet.conv' op at {{.*}}: with 2 group(s), input channels (4) must equal filter channels (4) times groups, and filters (8) must divide into groups
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv with two groups and an odd number of filters.
// CHECK: error: 'gimlet.conv' op at {{.*}}: with 2 group(s), input channels (4) must equal filter channels (2) times groups, and filters (7) must divide into groups
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<7x2x3x3xf32>) -> tensor<1x7x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<7x2x3x3xf32>) -> tensor<1x7x3x3xf32>
  return %0 : tensor<1x7x3x3xf32>
}

// -----

// conv with zero groups.
// CHECK: error: 'gimlet.conv' op at {{.*}}: with 0 group(s), input channels (4) must equal filter channels (4) times groups
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 0 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv whose bias has one entry per input channel, not per filter.
// CHECK: error: 'gimlet.conv' op at {{.*}}: bias must have shape [8], got tensor<4xf32>
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w, %b) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv of an f32 input with an f16 filter.
// CHECK: error: 'gimlet.conv' op at {{.*}}: input, filter and bias must have the same element type
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf16>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf16>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv with an f16 bias.
// CHECK: error: 'gimlet.conv' op at {{.*}}: input, filter and bias must have the same element type
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf16>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w, %b) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>, tensor<8xf16>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// conv whose dilated 3x3 window (5 wide) is larger than the 4x4 input.
// CHECK: error: 'gimlet.conv' op at {{.*}}: the window does not fit the padded input (output shape [1, 8, 0, 0])
func.func @f(%x: tensor<1x4x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x1x1xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, groups = 1 : i64} : (tensor<1x4x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

// conv whose result ignores the padding.
// CHECK: error: 'gimlet.conv' op at {{.*}}: result type tensor<1x8x3x3xf32> does not match the inferred type tensor<1x8x5x5xf32>
func.func @f(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// attention without values.
// CHECK: error: 'gimlet.attention' op at {{.*}}: expects 3 to 4 operands, has 2
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention whose scale is an integer.
// CHECK: error: 'gimlet.attention' op at {{.*}}: attribute 'scale' must be a FloatAttr, got 2 : i64
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x8xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) {scale = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention whose causal flag is a string.
// CHECK: error: 'gimlet.attention' op at {{.*}}: attribute 'causal' must be a BoolAttr, got "yes"
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x8xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) {causal = "yes"} : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention with f16 keys.
// CHECK: error: 'gimlet.attention' op at {{.*}}: query, key and value must have the same element type
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf16>, %v: tensor<2x6x8xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) : (tensor<2x4x8xf32>, tensor<2x6x8xf16>, tensor<2x6x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention whose query and key embeddings differ (8 and 7).
// CHECK: error: 'gimlet.attention' op at {{.*}}: query tensor<2x4x8xf32>, key tensor<2x6x7xf32> and value tensor<2x6x8xf32> need shapes [..., L, E], [..., S, E], [..., S, Ev]
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x7xf32>, %v: tensor<2x6x8xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) : (tensor<2x4x8xf32>, tensor<2x6x7xf32>, tensor<2x6x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention with 6 keys but 5 values.
// CHECK: error: 'gimlet.attention' op at {{.*}}: query tensor<2x4x8xf32>, key tensor<2x6x8xf32> and value tensor<2x5x8xf32> need shapes
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x5x8xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x5x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention whose batch dimensions differ (2 and 3).
// CHECK: error: 'gimlet.attention' op at {{.*}}: query tensor<2x4x8xf32>, key tensor<3x6x8xf32> and value tensor<3x6x8xf32> need shapes
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<3x6x8xf32>, %v: tensor<3x6x8xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) : (tensor<2x4x8xf32>, tensor<3x6x8xf32>, tensor<3x6x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention whose query has no batch dimension while key and value do.
// CHECK: error: 'gimlet.attention' op at {{.*}}: query tensor<4x8xf32>, key tensor<2x6x8xf32> and value tensor<2x6x8xf32> need shapes
func.func @f(%q: tensor<4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x8xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) : (tensor<4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention of 1-d operands.
// CHECK: error: 'gimlet.attention' op at {{.*}}: query tensor<8xf32>, key tensor<8xf32> and value tensor<8xf32> need shapes
func.func @f(%q: tensor<8xf32>) -> tensor<8xf32> {
  %0 = "gimlet.attention"(%q, %q, %q) : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// attention whose mask is [S, L] instead of [L, S].
// CHECK: error: 'gimlet.attention' op at {{.*}}: mask tensor<6x4xi1> does not broadcast to the scores shape [2, 4, 6]
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x8xf32>, %m: tensor<6x4xi1>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v, %m) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x8xf32>, tensor<6x4xi1>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention whose mask has more dimensions than the scores.
// CHECK: error: 'gimlet.attention' op at {{.*}}: mask tensor<1x2x4x6xi1> does not broadcast to the scores shape [2, 4, 6]
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x8xf32>, %m: tensor<1x2x4x6xi1>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v, %m) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x8xf32>, tensor<1x2x4x6xi1>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention with an i32 mask.
// CHECK: error: 'gimlet.attention' op at {{.*}}: mask must be i1 or f32, got i32
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x8xf32>, %m: tensor<4x6xi32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v, %m) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x8xf32>, tensor<4x6xi32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// attention whose result has the query's embedding (8), not the value's (5).
// CHECK: error: 'gimlet.attention' op at {{.*}}: result type tensor<2x4x8xf32> does not match the inferred type tensor<2x4x5xf32>
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x5xf32>) -> tensor<2x4x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x5xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}
