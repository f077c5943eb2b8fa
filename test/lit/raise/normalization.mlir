// RUN: gimlet-opt --gimlet-raise-torch --gimlet-verify %s | FileCheck %s

// Tests of gimlet-raise-torch on layer norm and batch norm.

// layer_norm over the last dim with weight and bias (axis 2), and over the
// last two dims without either (axis 1, the input alone); epsilon is kept.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[Y0:.*]] = "gimlet.layer_norm"(%[[X]], %[[W]], %[[B]]) {axis = 2 : i64, epsilon = 1.000000e-05 : f64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[Y1:.*]] = "gimlet.layer_norm"(%[[X]]) {axis = 1 : i64, epsilon = 9.9999999999999995E-7 : f64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: return %[[Y0]], %[[Y1]]
// CHECK-NOT: torch
func.func @layer_norm(%x: !torch.vtensor<[2,3,4],f32>, %w: !torch.vtensor<[4],f32>, %b: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,4],f32>) {
  %int3 = torch.constant.int 3
  %int4 = torch.constant.int 4
  %eps = torch.constant.float 1.000000e-05
  %eps2 = torch.constant.float 1.000000e-06
  %true = torch.constant.bool true
  %none = torch.constant.none
  %shape = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %shape2 = torch.prim.ListConstruct %int3, %int4 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.layer_norm %x, %shape, %w, %b, %eps, %true : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.float, !torch.bool -> !torch.vtensor<[2,3,4],f32>
  %1 = torch.aten.layer_norm %x, %shape2, %none, %none, %eps2, %true : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.none, !torch.none, !torch.float, !torch.bool -> !torch.vtensor<[2,3,4],f32>
  return %0, %1 : !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,4],f32>
}

// native_layer_norm whose mean and rstd results are unused is a layer_norm.
// CHECK-LABEL: func.func @native_layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[Y:.*]] = "gimlet.layer_norm"(%[[X]], %[[W]], %[[B]]) {axis = 2 : i64, epsilon = 1.000000e-05 : f64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: torch
func.func @native_layer_norm(%x: !torch.vtensor<[2,3,4],f32>, %w: !torch.vtensor<[4],f32>, %b: !torch.vtensor<[4],f32>) -> !torch.vtensor<[2,3,4],f32> {
  %int4 = torch.constant.int 4
  %eps = torch.constant.float 1.000000e-05
  %shape = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %0, %1, %2 = torch.aten.native_layer_norm %x, %shape, %w, %b, %eps : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,1],f32>, !torch.vtensor<[2,3,1],f32>
  return %0 : !torch.vtensor<[2,3,4],f32>
}

// native_layer_norm whose rstd is used stays foreign and yields both results used.
// CHECK-LABEL: func.func @native_layer_norm_stats
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT: gimlet.layer_norm
// CHECK: %[[F:.*]]:2 = "gimlet.foreign"(%[[X]], %[[W]], %[[B]])
// CHECK: torch.aten.native_layer_norm
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x1xf32>)
// CHECK: return %[[F]]#0, %[[F]]#1
func.func @native_layer_norm_stats(%x: !torch.vtensor<[2,3,4],f32>, %w: !torch.vtensor<[4],f32>, %b: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,1],f32>) {
  %int4 = torch.constant.int 4
  %eps = torch.constant.float 1.000000e-05
  %shape = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %0, %1, %2 = torch.aten.native_layer_norm %x, %shape, %w, %b, %eps : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,1],f32>, !torch.vtensor<[2,3,1],f32>
  return %0, %2 : !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,1],f32>
}

// A bias without a weight: the weight becomes a splat 1.0 constant of the
// normalised shape.
// CHECK-LABEL: func.func @layer_norm_bias_only
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[ONES:.*]] = "gimlet.constant"() {value = dense<1.000000e+00> : tensor<4xf32>} : () -> tensor<4xf32>
// CHECK: %[[Y:.*]] = "gimlet.layer_norm"(%[[X]], %[[ONES]], %[[B]]) {axis = 2 : i64, epsilon = 1.000000e-05 : f64}
// CHECK: return %[[Y]]
// CHECK-NOT: torch
func.func @layer_norm_bias_only(%x: !torch.vtensor<[2,3,4],f32>, %b: !torch.vtensor<[4],f32>) -> !torch.vtensor<[2,3,4],f32> {
  %int4 = torch.constant.int 4
  %eps = torch.constant.float 1.000000e-05
  %false = torch.constant.bool false
  %none = torch.constant.none
  %shape = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.layer_norm %x, %shape, %none, %b, %eps, %false : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.none, !torch.vtensor<[4],f32>, !torch.float, !torch.bool -> !torch.vtensor<[2,3,4],f32>
  return %0 : !torch.vtensor<[2,3,4],f32>
}

// Inference batch_norm (training = false): operands input, scale, bias, mean,
// var, epsilon from operand 7; without weight and bias, splat 1 and 0 constants.
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x4xf32>, %[[W:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<3xf32>)
// CHECK: %[[Y0:.*]] = "gimlet.batch_norm"(%[[X]], %[[W]], %[[B]], %[[M]], %[[V]]) {epsilon = 1.000000e-03 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
// CHECK-DAG: %[[ONES:.*]] = "gimlet.constant"() {value = dense<1.000000e+00> : tensor<3xf32>}
// CHECK-DAG: %[[ZEROS:.*]] = "gimlet.constant"() {value = dense<0.000000e+00> : tensor<3xf32>}
// CHECK: %[[Y1:.*]] = "gimlet.batch_norm"(%[[X]], %[[ONES]], %[[ZEROS]], %[[M]], %[[V]]) {epsilon = 1.000000e-03 : f64}
// CHECK: return %[[Y0]], %[[Y1]]
// CHECK-NOT: torch
func.func @batch_norm(%x: !torch.vtensor<[2,3,4,4],f32>, %w: !torch.vtensor<[3],f32>, %b: !torch.vtensor<[3],f32>, %m: !torch.vtensor<[3],f32>, %v: !torch.vtensor<[3],f32>) -> (!torch.vtensor<[2,3,4,4],f32>, !torch.vtensor<[2,3,4,4],f32>) {
  %momentum = torch.constant.float 1.000000e-01
  %eps = torch.constant.float 1.000000e-03
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %none = torch.constant.none
  %0 = torch.aten.batch_norm %x, %w, %b, %m, %v, %false, %momentum, %eps, %true : !torch.vtensor<[2,3,4,4],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.bool, !torch.float, !torch.float, !torch.bool -> !torch.vtensor<[2,3,4,4],f32>
  %1 = torch.aten.batch_norm %x, %none, %none, %m, %v, %false, %momentum, %eps, %true : !torch.vtensor<[2,3,4,4],f32>, !torch.none, !torch.none, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.bool, !torch.float, !torch.float, !torch.bool -> !torch.vtensor<[2,3,4,4],f32>
  return %0, %1 : !torch.vtensor<[2,3,4,4],f32>, !torch.vtensor<[2,3,4,4],f32>
}

// batch_norm in training mode stays foreign.
// CHECK-LABEL: func.func @batch_norm_training
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x4xf32>, %[[W:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<3xf32>)
// CHECK-NOT: gimlet.batch_norm
// CHECK: %[[F:.*]] = "gimlet.foreign"(%[[X]], %[[W]], %[[B]], %[[M]], %[[V]])
// CHECK: %[[TRUE:.*]] = torch.constant.bool true
// CHECK: torch.aten.batch_norm {{.*}}, %[[TRUE]], {{.*}} -> !torch.vtensor<[2,3,4,4],f32>
// CHECK: "gimlet.yield"
// CHECK: return %[[F]]
func.func @batch_norm_training(%x: !torch.vtensor<[2,3,4,4],f32>, %w: !torch.vtensor<[3],f32>, %b: !torch.vtensor<[3],f32>, %m: !torch.vtensor<[3],f32>, %v: !torch.vtensor<[3],f32>) -> !torch.vtensor<[2,3,4,4],f32> {
  %momentum = torch.constant.float 1.000000e-01
  %eps = torch.constant.float 1.000000e-05
  %true = torch.constant.bool true
  %0 = torch.aten.batch_norm %x, %w, %b, %m, %v, %true, %momentum, %eps, %true : !torch.vtensor<[2,3,4,4],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.bool, !torch.float, !torch.float, !torch.bool -> !torch.vtensor<[2,3,4,4],f32>
  return %0 : !torch.vtensor<[2,3,4,4],f32>
}

// native_batch_norm with training = false and unused statistics is a
// batch_norm. (The IREE torch dialect this is tested against has no
// _native_batch_norm_legit_no_training op, so that root cannot be parsed here.)
// CHECK-LABEL: func.func @native_batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x4xf32>, %[[W:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<3xf32>) -> tensor<2x3x4x4xf32>
// CHECK: %[[Y:.*]] = "gimlet.batch_norm"(%[[X]], %[[W]], %[[B]], %[[M]], %[[V]]) {epsilon = 2.000000e-05 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: torch
func.func @native_batch_norm(%x: !torch.vtensor<[2,3,4,4],f32>, %w: !torch.vtensor<[3],f32>, %b: !torch.vtensor<[3],f32>, %m: !torch.vtensor<[3],f32>, %v: !torch.vtensor<[3],f32>) -> !torch.vtensor<[2,3,4,4],f32> {
  %momentum = torch.constant.float 1.000000e-01
  %eps = torch.constant.float 2.000000e-05
  %false = torch.constant.bool false
  %0, %1, %2 = torch.aten.native_batch_norm %x, %w, %b, %m, %v, %false, %momentum, %eps : !torch.vtensor<[2,3,4,4],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32>, !torch.bool, !torch.float, !torch.float -> !torch.vtensor<[2,3,4,4],f32>, !torch.vtensor<[0],f32>, !torch.vtensor<[0],f32>
  return %0 : !torch.vtensor<[2,3,4,4],f32>
}
