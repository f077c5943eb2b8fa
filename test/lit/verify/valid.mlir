// RUN: gimlet-opt --gimlet-verify %s | FileCheck %s

// Well-formed ops of every kind verify cleanly and print back unchanged.

// A constant whose value has the result type.
// CHECK-LABEL: func.func @constant
// CHECK: "gimlet.constant"() {value = dense<1.000000e+00> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
func.func @constant() -> tensor<2x3xf32> {
  %0 = "gimlet.constant"() {value = dense<1.0> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// matmul: plain, batched with a broadcast batch, matrix-vector and vector-matrix.
// CHECK-LABEL: func.func @matmul
// CHECK: "gimlet.matmul"({{.*}}) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: "gimlet.matmul"({{.*}}) : (tensor<5x1x2x3xf32>, tensor<6x3x4xf32>) -> tensor<5x6x2x4xf32>
// CHECK: "gimlet.matmul"({{.*}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
// CHECK: "gimlet.matmul"({{.*}}) : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<5x1x2x3xf32>, %d: tensor<6x3x4xf32>, %v: tensor<3xf32>) -> (tensor<2x4xf32>, tensor<5x6x2x4xf32>, tensor<2xf32>, tensor<4xf32>) {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = "gimlet.matmul"(%c, %d) : (tensor<5x1x2x3xf32>, tensor<6x3x4xf32>) -> tensor<5x6x2x4xf32>
  %2 = "gimlet.matmul"(%a, %v) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  %3 = "gimlet.matmul"(%v, %b) : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<5x6x2x4xf32>, tensor<2xf32>, tensor<4xf32>
}

// conv: 2-d with bias, padding, stride and dilation; grouped 1-d without bias.
// CHECK-LABEL: func.func @conv
// CHECK: "gimlet.conv"({{.*}}) {{{.*}}groups = 1 : i64{{.*}}} : (tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x2xf32>
// CHECK: "gimlet.conv"({{.*}}) {{{.*}}groups = 2 : i64{{.*}}} : (tensor<2x4x10xf32>, tensor<6x2x3xf32>) -> tensor<2x6x8xf32>
func.func @conv(%x: tensor<1x4x9x9xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>, %y: tensor<2x4x10xf32>, %g: tensor<6x2x3xf32>) -> (tensor<1x8x4x2xf32>, tensor<2x6x8xf32>) {
  %0 = "gimlet.conv"(%x, %w, %b) {strides = array<i64: 2, 3>, padding = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>, groups = 1 : i64} : (tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x2xf32>
  %1 = "gimlet.conv"(%y, %g) {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 2 : i64} : (tensor<2x4x10xf32>, tensor<6x2x3xf32>) -> tensor<2x6x8xf32>
  return %0, %1 : tensor<1x8x4x2xf32>, tensor<2x6x8xf32>
}

// attention: plain, causal with a scale, with a boolean mask and with a float mask.
// CHECK-LABEL: func.func @attention
// CHECK-COUNT-4: "gimlet.attention"
func.func @attention(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x5xf32>, %m: tensor<4x6xi1>, %f: tensor<2x1x6xf32>) -> (tensor<2x4x5xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>) {
  %0 = "gimlet.attention"(%q, %k, %v) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x5xf32>) -> tensor<2x4x5xf32>
  %1 = "gimlet.attention"(%q, %k, %v) {causal = true, scale = 1.250000e-01 : f64} : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x5xf32>) -> tensor<2x4x5xf32>
  %2 = "gimlet.attention"(%q, %k, %v, %m) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x5xf32>, tensor<4x6xi1>) -> tensor<2x4x5xf32>
  %3 = "gimlet.attention"(%q, %k, %v, %f) : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x5xf32>, tensor<2x1x6xf32>) -> tensor<2x4x5xf32>
  return %0, %1, %2, %3 : tensor<2x4x5xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
}

// elementwise: broadcasting binary, attributes, comparison, logic, select and cast.
// CHECK-LABEL: func.func @elementwise
// CHECK: {fn = "add"} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: {alpha = 2.000000e-01 : f64, fn = "leaky_relu"}
// CHECK: {fn = "clamp", max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
// CHECK: {approximate = "tanh", fn = "gelu"}
// CHECK: {fn = "lt"} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK: {fn = "not"} : (tensor<2x3xi1>) -> tensor<2x3xi1>
// CHECK: {fn = "where"} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK: {fn = "cast"} : (tensor<2x3xf32>) -> tensor<2x3xi32>
// CHECK: {fn = "relu"} : (tensor<2x3xi32>) -> tensor<2x3xi32>
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %s: tensor<f32>) -> tensor<2x3xi32> {
  %0 = "gimlet.elementwise"(%x, %y) {fn = "add"} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = "gimlet.elementwise"(%0) {fn = "leaky_relu", alpha = 0.2 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = "gimlet.elementwise"(%1) {fn = "clamp", min = 0.0 : f64, max = 6.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = "gimlet.elementwise"(%2) {fn = "gelu", approximate = "tanh"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = "gimlet.elementwise"(%3, %y) {fn = "lt"} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %5 = "gimlet.elementwise"(%4) {fn = "not"} : (tensor<2x3xi1>) -> tensor<2x3xi1>
  %6 = "gimlet.elementwise"(%5, %3, %s) {fn = "where"} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %7 = "gimlet.elementwise"(%6) {fn = "cast"} : (tensor<2x3xf32>) -> tensor<2x3xi32>
  %8 = "gimlet.elementwise"(%7) {fn = "relu"} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %8 : tensor<2x3xi32>
}

// reduce with and without keepdims, softmax and log-softmax.
// CHECK-LABEL: func.func @reduction
// CHECK: {axes = array<i64: 0, 2>, keepdims = false, kind = "sum"} : (tensor<2x3x4xf32>) -> tensor<3xf32>
// CHECK: {axes = array<i64: 1>, keepdims = true, kind = "mean"} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
// CHECK: {axes = array<i64: 2>, keepdims = false, kind = "max"} : (tensor<2x3x4xi32>) -> tensor<2x3xi32>
// CHECK: "gimlet.softmax"({{.*}}) {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: "gimlet.softmax"({{.*}}) {axis = 0 : i64, log = true} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
func.func @reduction(%x: tensor<2x3x4xf32>, %i: tensor<2x3x4xi32>) -> (tensor<3xf32>, tensor<2x1x4xf32>, tensor<2x3xi32>, tensor<2x3x4xf32>) {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %1 = "gimlet.reduce"(%x) {kind = "mean", axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %2 = "gimlet.reduce"(%i) {kind = "max", axes = array<i64: 2>, keepdims = false} : (tensor<2x3x4xi32>) -> tensor<2x3xi32>
  %3 = "gimlet.softmax"(%x) {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %4 = "gimlet.softmax"(%3) {axis = 0 : i64, log = true} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %4 : tensor<3xf32>, tensor<2x1x4xf32>, tensor<2x3xi32>, tensor<2x3x4xf32>
}

// pool: padded max pooling, and average pooling in ceil mode without counting the padding.
// CHECK-LABEL: func.func @pool
// CHECK: kind = "max"{{.*}} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
// CHECK: kind = "avg"{{.*}} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
func.func @pool(%x: tensor<1x2x7x7xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  %1 = "gimlet.pool"(%x) {kind = "avg", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true, count_include_pad = false} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// layer_norm without parameters, with a weight, and with weight and bias; batch_norm.
// CHECK-LABEL: func.func @normalization
// CHECK: "gimlet.layer_norm"(%{{[^,]*}}) {axis = 2 : i64
// CHECK: "gimlet.layer_norm"(%{{[^,]*}}, %{{[^,]*}}) {axis = 1 : i64
// CHECK: "gimlet.layer_norm"(%{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}) {axis = 2 : i64
// CHECK: "gimlet.batch_norm"({{.*}}) {epsilon = {{.*}}} : (tensor<2x3x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5xf32>
func.func @normalization(%x: tensor<2x3x5xf32>, %w2: tensor<3x5xf32>, %w: tensor<5xf32>, %b: tensor<5xf32>, %c: tensor<3xf32>) -> (tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>) {
  %0 = "gimlet.layer_norm"(%x) {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %1 = "gimlet.layer_norm"(%x, %w2) {axis = 1 : i64, epsilon = 0.0 : f64} : (tensor<2x3x5xf32>, tensor<3x5xf32>) -> tensor<2x3x5xf32>
  %2 = "gimlet.layer_norm"(%x, %w, %b) {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
  %3 = "gimlet.batch_norm"(%x, %c, %c, %c, %c) {epsilon = 1.0e-05 : f64} : (tensor<2x3x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5xf32>
  return %0, %1, %2, %3 : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>
}

// gather, reshape, transpose, broadcast, concat, slice and the three pad modes.
// CHECK-LABEL: func.func @data_movement
// CHECK: "gimlet.gather"({{.*}}) {axis = 1 : i64} : (tensor<4x5x6xf32>, tensor<2x3xi64>) -> tensor<4x2x3x6xf32>
// CHECK: "gimlet.reshape"({{.*}}) : (tensor<4x5x6xf32>) -> tensor<20x6xf32>
// CHECK: "gimlet.transpose"({{.*}}) {permutation = array<i64: 2, 0, 1>} : (tensor<4x5x6xf32>) -> tensor<6x4x5xf32>
// CHECK: "gimlet.broadcast"({{.*}}) : (tensor<5x1xf32>) -> tensor<3x5x6xf32>
// CHECK: "gimlet.concat"({{.*}}) {axis = 0 : i64} : (tensor<4x5x6xf32>, tensor<1x5x6xf32>, tensor<2x5x6xf32>) -> tensor<7x5x6xf32>
// CHECK: "gimlet.slice"(%{{.*}}) {limits = array<i64: 3, 5, 5>, starts = array<i64: 1, 0, 1>, strides = array<i64: 1, 2, 3>} : (tensor<4x5x6xf32>) -> tensor<2x3x2xf32>
// CHECK: mode = "constant"{{.*}} -> tensor<4x8x6xf32>
// CHECK: mode = "reflect"{{.*}} -> tensor<6x5x6xf32>
// CHECK: mode = "edge"{{.*}} -> tensor<4x5x10xf32>
func.func @data_movement(%x: tensor<4x5x6xf32>, %i: tensor<2x3xi64>, %b: tensor<5x1xf32>, %y: tensor<1x5x6xf32>, %z: tensor<2x5x6xf32>) -> (tensor<4x2x3x6xf32>, tensor<20x6xf32>, tensor<6x4x5xf32>, tensor<3x5x6xf32>, tensor<7x5x6xf32>, tensor<2x3x2xf32>, tensor<4x8x6xf32>, tensor<6x5x6xf32>, tensor<4x5x10xf32>) {
  %0 = "gimlet.gather"(%x, %i) {axis = 1 : i64} : (tensor<4x5x6xf32>, tensor<2x3xi64>) -> tensor<4x2x3x6xf32>
  %1 = "gimlet.reshape"(%x) : (tensor<4x5x6xf32>) -> tensor<20x6xf32>
  %2 = "gimlet.transpose"(%x) {permutation = array<i64: 2, 0, 1>} : (tensor<4x5x6xf32>) -> tensor<6x4x5xf32>
  %3 = "gimlet.broadcast"(%b) : (tensor<5x1xf32>) -> tensor<3x5x6xf32>
  %4 = "gimlet.concat"(%x, %y, %z) {axis = 0 : i64} : (tensor<4x5x6xf32>, tensor<1x5x6xf32>, tensor<2x5x6xf32>) -> tensor<7x5x6xf32>
  %5 = "gimlet.slice"(%x) {starts = array<i64: 1, 0, 1>, limits = array<i64: 3, 5, 5>, strides = array<i64: 1, 2, 3>} : (tensor<4x5x6xf32>) -> tensor<2x3x2xf32>
  %6 = "gimlet.pad"(%x) {pad_low = array<i64: 0, 1, 0>, pad_high = array<i64: 0, 2, 0>, mode = "constant", value = -1.0 : f64} : (tensor<4x5x6xf32>) -> tensor<4x8x6xf32>
  %7 = "gimlet.pad"(%x) {pad_low = array<i64: 1, 0, 0>, pad_high = array<i64: 1, 0, 0>, mode = "reflect"} : (tensor<4x5x6xf32>) -> tensor<6x5x6xf32>
  %8 = "gimlet.pad"(%x) {pad_low = array<i64: 0, 0, 3>, pad_high = array<i64: 0, 0, 1>, mode = "edge"} : (tensor<4x5x6xf32>) -> tensor<4x5x10xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<4x2x3x6xf32>, tensor<20x6xf32>, tensor<6x4x5xf32>, tensor<3x5x6xf32>, tensor<7x5x6xf32>, tensor<2x3x2xf32>, tensor<4x8x6xf32>, tensor<6x5x6xf32>, tensor<4x5x10xf32>
}

// A foreign region of torch ops, taking a tensor and a non-tensor operand, with two results.
// CHECK-LABEL: func.func @foreign
// CHECK: "gimlet.foreign"(%{{.*}}, %{{.*}}) ({
// CHECK: torch.aten.cumsum
// CHECK: "gimlet.yield"({{.*}}) : (tensor<2x3xf32>, tensor<2x3xf32>) -> ()
// CHECK: }) : (tensor<2x3xf32>, !torch.int) -> (tensor<2x3xf32>, tensor<2x3xf32>)
func.func @foreign(%x: tensor<2x3xf32>, %dim: !torch.int) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0:2 = "gimlet.foreign"(%x, %dim) ({
  ^bb0(%a: tensor<2x3xf32>, %d: !torch.int):
    %t = torch_c.from_builtin_tensor %a : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
    %none = torch.constant.none
    %c = torch.aten.cumsum %t, %d, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
    %r = torch_c.to_builtin_tensor %c : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
    "gimlet.yield"(%r, %a) : (tensor<2x3xf32>, tensor<2x3xf32>) -> ()
  }) : (tensor<2x3xf32>, !torch.int) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  return %0#0, %0#1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// A foreign region whose torch.prim.If branches read values defined inside the region.
// CHECK-LABEL: func.func @foreign_nested
// CHECK: "gimlet.foreign"
// CHECK: torch.prim.If
// CHECK: torch.aten.neg
// CHECK: "gimlet.yield"
func.func @foreign_nested(%x: tensor<2x3xf32>, %flag: !torch.bool) -> tensor<2x3xf32> {
  %0 = "gimlet.foreign"(%x, %flag) ({
  ^bb0(%a: tensor<2x3xf32>, %c: !torch.bool):
    %t = torch_c.from_builtin_tensor %a : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
    %r = torch.prim.If %c -> (!torch.vtensor<[2,3],f32>) {
      %n = torch.aten.neg %t : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
      torch.prim.If.yield %n : !torch.vtensor<[2,3],f32>
    } else {
      torch.prim.If.yield %t : !torch.vtensor<[2,3],f32>
    }
    %b = torch_c.to_builtin_tensor %r : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
    "gimlet.yield"(%b) : (tensor<2x3xf32>) -> ()
  }) : (tensor<2x3xf32>, !torch.bool) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
