// RUN: not gimlet-opt --split-input-file --gimlet-verify %s 2>&1 | FileCheck %s

// Verifier rules of gimlet.reduce, gimlet.softmax and gimlet.pool: one malformed op per chunk.

// reduce with two operands.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: expects 1 operands, has 2
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "gimlet.reduce"(%x, %x) {kind = "sum", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// reduce without keepdims.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: requires attribute 'keepdims'
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// reduce whose axes are an integer, not a dense i64 array.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: attribute 'axes' must be a DenseI64ArrayAttr, got 1 : i64
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = 1 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// reduce whose keepdims is an integer, not a bool.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: attribute 'keepdims' must be a BoolAttr, got 0 : i64
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// reduce of an unknown kind.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: kind must be one of ('sum', 'mean', 'max', 'min', 'prod'), got 'avg'
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "avg", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// reduce with unsorted axes.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: axes [2, 0] must be sorted, unique and within rank 3
func.func @f(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: 2, 0>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// reduce with a repeated axis.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: axes [1, 1] must be sorted, unique and within rank 3
func.func @f(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: 1, 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// reduce with a negative axis (axes must be normalised).
// CHECK: error: 'gimlet.reduce' op at {{.*}}: axes [-1] must be sorted, unique and within rank 3
func.func @f(%x: tensor<2x3x4xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: -1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// reduce over axis 3 of a rank-3 tensor.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: axes [3] must be sorted, unique and within rank 3
func.func @f(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "max", axes = array<i64: 3>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// mean of integers.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: mean takes a floating-point input
func.func @f(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  %0 = "gimlet.reduce"(%x) {kind = "mean", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// reduce with keepdims whose result drops the reduced axis.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: result type tensor<2xf32> does not match the inferred type tensor<2x1xf32>
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: 1>, keepdims = true} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// reduce without keepdims whose result keeps the reduced axis.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: result type tensor<1x3xf32> does not match the inferred type tensor<3xf32>
func.func @f(%x: tensor<2x3xf32>) -> tensor<1x3xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "prod", axes = array<i64: 0>, keepdims = false} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// reduce whose result changes the element type.
// CHECK: error: 'gimlet.reduce' op at {{.*}}: result type tensor<2xi64> does not match the inferred type tensor<2xi32>
func.func @f(%x: tensor<2x3xi32>) -> tensor<2xi64> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// softmax without an axis.
// CHECK: error: 'gimlet.softmax' op at {{.*}}: requires attribute 'axis'
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.softmax"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// softmax whose axis is an array.
// CHECK: error: 'gimlet.softmax' op at {{.*}}: attribute 'axis' must be a IntegerAttr, got array<i64: 1>
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.softmax"(%x) {axis = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// softmax whose log flag is a string.
// CHECK: error: 'gimlet.softmax' op at {{.*}}: attribute 'log' must be a BoolAttr, got "true"
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.softmax"(%x) {axis = 1 : i64, log = "true"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// softmax along axis 2 of a matrix.
// CHECK: error: 'gimlet.softmax' op at {{.*}}: axis 2 is outside rank 2
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.softmax"(%x) {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// softmax with a negative axis (the axis must be normalised).
// CHECK: error: 'gimlet.softmax' op at {{.*}}: axis -1 is outside rank 2
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.softmax"(%x) {axis = -1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// softmax of integers.
// CHECK: error: 'gimlet.softmax' op at {{.*}}: softmax takes a floating-point input
func.func @f(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = "gimlet.softmax"(%x) {axis = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// softmax whose result has another shape.
// CHECK: error: 'gimlet.softmax' op at {{.*}}: result type tensor<3x2xf32> does not match the inferred type tensor<2x3xf32>
func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = "gimlet.softmax"(%x) {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// pool without a kernel.
// CHECK: error: 'gimlet.pool' op at {{.*}}: requires attribute 'kernel'
func.func @f(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// pool whose ceil_mode is an integer.
// CHECK: error: 'gimlet.pool' op at {{.*}}: attribute 'ceil_mode' must be a BoolAttr, got 1 : i64
func.func @f(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 1 : i64} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// pool whose count_include_pad is a string.
// CHECK: error: 'gimlet.pool' op at {{.*}}: attribute 'count_include_pad' must be a BoolAttr, got "no"
func.func @f(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "gimlet.pool"(%x) {kind = "avg", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, count_include_pad = "no"} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// pool of an unknown kind.
// CHECK: error: 'gimlet.pool' op at {{.*}}: kind must be one of ('max', 'avg'), got 'min'
func.func @f(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "gimlet.pool"(%x) {kind = "min", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// pool of a [N, C] tensor, which has no spatial dimension.
// CHECK: error: 'gimlet.pool' op at {{.*}}: input tensor<1x2xf32> needs [N, C, *spatial] with at least one spatial dimension
func.func @f(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64>, strides = array<i64>, padding = array<i64>, dilations = array<i64>} : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// 2-d pool with a 1-d kernel.
// CHECK: error: 'gimlet.pool' op at {{.*}}: kernel, strides and dilations need 2 entries and padding 4
func.func @f(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// pool with a zero dilation.
// CHECK: error: 'gimlet.pool' op at {{.*}}: kernel, strides and dilations must be positive and padding non-negative
func.func @f(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 0, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// pool with an empty (zero) kernel.
// CHECK: error: 'gimlet.pool' op at {{.*}}: kernel, strides and dilations must be positive and padding non-negative
func.func @f(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x7x7xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 0, 0>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

// pool whose high padding (2) is as large as the kernel (2).
// CHECK: error: 'gimlet.pool' op at {{.*}}: padding [0, 0, 0, 2] must be smaller than the kernel [2, 2]
func.func @f(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x4xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 2>, dilations = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x3x4xf32>
}

// -----

// pool whose 5-wide window does not fit a 4-wide input.
// CHECK: error: 'gimlet.pool' op at {{.*}}: the window does not fit the padded input (output shape [1, 2, 0, 1])
func.func @f(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32> {
  %0 = "gimlet.pool"(%x) {kind = "avg", kernel = array<i64: 5, 4>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

// pool in ceil mode whose result has the floor-mode size.
// CHECK: error: 'gimlet.pool' op at {{.*}}: result type tensor<1x2x3x3xf32> does not match the inferred type tensor<1x2x4x4xf32>
func.func @f(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
