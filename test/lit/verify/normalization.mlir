// RUN: not gimlet-opt --split-input-file --gimlet-verify %s 2>&1 | FileCheck %s

// Verifier rules of gimlet.layer_norm and gimlet.batch_norm: one malformed op per chunk.

// layer_norm with four operands.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: expects 1 to 3 operands, has 4
func.func @f(%x: tensor<2x5xf32>, %w: tensor<5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x, %w, %w, %w) {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm without epsilon.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: requires attribute 'epsilon'
func.func @f(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x) {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm whose epsilon is an integer.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: attribute 'epsilon' must be a FloatAttr, got 0 : i64
func.func @f(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x) {axis = 1 : i64, epsilon = 0 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm whose axis is a float.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: attribute 'axis' must be a IntegerAttr, got 1.000000e+00 : f64
func.func @f(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x) {axis = 1.0 : f64, epsilon = 1.0e-05 : f64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm from axis 2 of a matrix.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: axis 2 is outside rank 2
func.func @f(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x) {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm with a negative axis (the axis must be normalised).
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: axis -1 is outside rank 2
func.func @f(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x) {axis = -1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm of integers.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: layer_norm takes a floating-point input
func.func @f(%x: tensor<2x5xi32>) -> tensor<2x5xi32> {
  %0 = "gimlet.layer_norm"(%x) {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5xi32>) -> tensor<2x5xi32>
  return %0 : tensor<2x5xi32>
}

// -----

// layer_norm over the last axis with a weight over the last two.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: weight must have the normalised shape [5], got tensor<3x5xf32>
func.func @f(%x: tensor<2x3x5xf32>, %w: tensor<3x5xf32>) -> tensor<2x3x5xf32> {
  %0 = "gimlet.layer_norm"(%x, %w) {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x5xf32>, tensor<3x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// layer_norm whose bias has the wrong length.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: bias must have the normalised shape [5], got tensor<4xf32>
func.func @f(%x: tensor<2x5xf32>, %w: tensor<5xf32>, %b: tensor<4xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x, %w, %b) {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5xf32>, tensor<5xf32>, tensor<4xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm with an f16 weight.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: weight must have the input's element type
func.func @f(%x: tensor<2x5xf32>, %w: tensor<5xf16>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x, %w) {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5xf32>, tensor<5xf16>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm with an f16 bias.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: bias must have the input's element type
func.func @f(%x: tensor<2x5xf32>, %w: tensor<5xf32>, %b: tensor<5xf16>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x, %w, %b) {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5xf32>, tensor<5xf32>, tensor<5xf16>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm with a negative epsilon.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: epsilon must be non-negative
func.func @f(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.layer_norm"(%x) {axis = 1 : i64, epsilon = -1.0e-05 : f64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm whose result has another element type.
// CHECK: error: 'gimlet.layer_norm' op at {{.*}}: result type tensor<2x5xf16> does not match the inferred type tensor<2x5xf32>
func.func @f(%x: tensor<2x5xf32>) -> tensor<2x5xf16> {
  %0 = "gimlet.layer_norm"(%x) {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5xf32>) -> tensor<2x5xf16>
  return %0 : tensor<2x5xf16>
}

// -----

// batch_norm without its variance.
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: expects 5 operands, has 4
func.func @f(%x: tensor<2x3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %0 = "gimlet.batch_norm"(%x, %c, %c, %c) {epsilon = 1.0e-05 : f64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// batch_norm without epsilon.
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: requires attribute 'epsilon'
func.func @f(%x: tensor<2x3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %0 = "gimlet.batch_norm"(%x, %c, %c, %c, %c) : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// batch_norm whose epsilon is a string.
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: attribute 'epsilon' must be a FloatAttr, got "1e-5"
func.func @f(%x: tensor<2x3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %0 = "gimlet.batch_norm"(%x, %c, %c, %c, %c) {epsilon = "1e-5"} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// batch_norm of a vector, which has no channel axis.
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: input tensor<3xf32> needs a channel axis 1
func.func @f(%x: tensor<3xf32>, %c: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "gimlet.batch_norm"(%x, %c, %c, %c, %c) {epsilon = 1.0e-05 : f64} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// batch_norm whose scale has one entry per batch element, not per channel.
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: scale must have shape [3], got tensor<2xf32>
func.func @f(%x: tensor<2x3x4xf32>, %s: tensor<2xf32>, %c: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %0 = "gimlet.batch_norm"(%x, %s, %c, %c, %c) {epsilon = 1.0e-05 : f64} : (tensor<2x3x4xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// batch_norm whose variance is [1, 3] instead of [3].
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: var must have shape [3], got tensor<1x3xf32>
func.func @f(%x: tensor<2x3x4xf32>, %c: tensor<3xf32>, %v: tensor<1x3xf32>) -> tensor<2x3x4xf32> {
  %0 = "gimlet.batch_norm"(%x, %c, %c, %c, %v) {epsilon = 1.0e-05 : f64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// batch_norm with an f16 mean.
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: mean must have the input's element type
func.func @f(%x: tensor<2x3x4xf32>, %c: tensor<3xf32>, %m: tensor<3xf16>) -> tensor<2x3x4xf32> {
  %0 = "gimlet.batch_norm"(%x, %c, %c, %m, %c) {epsilon = 1.0e-05 : f64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf16>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// batch_norm of integers.
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: batch_norm takes a floating-point input
func.func @f(%x: tensor<2x3x4xi32>, %c: tensor<3xi32>) -> tensor<2x3x4xi32> {
  %0 = "gimlet.batch_norm"(%x, %c, %c, %c, %c) {epsilon = 1.0e-05 : f64} : (tensor<2x3x4xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>) -> tensor<2x3x4xi32>
  return %0 : tensor<2x3x4xi32>
}

// -----

// batch_norm whose result has another shape.
// CHECK: error: 'gimlet.batch_norm' op at {{.*}}: result type tensor<2x3xf32> does not match the inferred type tensor<2x3x4xf32>
func.func @f(%x: tensor<2x3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.batch_norm"(%x, %c, %c, %c, %c) {epsilon = 1.0e-05 : f64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
