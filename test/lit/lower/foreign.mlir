// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s
// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s --check-prefix=NOGIMLET

// gimlet.foreign bodies are inlined and lowered by torch-mlir's backend pipeline, next to the lowered gimlet ops.

// Neither gimlet ops nor torch ops (torch.*, torch_c.*) survive the lowering.
// NOGIMLET-NOT: gimlet
// NOGIMLET-NOT: torch

// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ID1:map[0-9]*]] = affine_map<(d0) -> (d0)>

// torch.aten.cumsum with a constant dim becomes tm_tensor.scan along that dimension; the gimlet relu that
// reads the foreign result becomes a linalg.generic on the scan's output.
// CHECK-LABEL: func.func @cumsum_then_relu
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[SCAN:.*]]:2 = tm_tensor.scan dimension(1) inclusive(true) ins(%[[X]] : tensor<2x3xf32>) outs(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2xf32>)
// CHECK: arith.addf
// CHECK: tm_tensor.yield
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], {{.*}}} ins(%[[SCAN]]#0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: arith.maximumf %[[IN]], %[[ZERO]] : f32
// CHECK: return %[[R]] : tensor<2x3xf32>
func.func @cumsum_then_relu(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2x3xf32>):
    %t = torch_c.from_builtin_tensor %a : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
    %int1 = torch.constant.int 1
    %none = torch.constant.none
    %c = torch.aten.cumsum %t, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
    %b = torch_c.to_builtin_tensor %c : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
    "gimlet.yield"(%b) : (tensor<2x3xf32>) -> ()
  }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "gimlet.elementwise"(%0) {fn = "relu"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// A foreign region with two operands and two results, fed by a gimlet op: the lowered add feeds the scan,
// torch.aten.atan2 becomes a linalg.generic with math.atan2, and both results are returned.
// CHECK-LABEL: func.func @two_results
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<4xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], {{.*}}} ins(%[[X]], %[[Y]] : tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.addf
// CHECK: %[[SCAN:.*]]:2 = tm_tensor.scan dimension(0) inclusive(true) ins(%[[SUM]] : tensor<4xf32>)
// CHECK: %[[ANGLE:.*]] = linalg.generic {{.*}} ins(%[[SCAN]]#0, %[[Y]] : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[A:[^:]+]]: f32, %[[B:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: math.atan2 %[[A]], %[[B]] : f32
// CHECK: return %[[SCAN]]#0, %[[ANGLE]] : tensor<4xf32>, tensor<4xf32>
func.func @two_results(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s = "gimlet.elementwise"(%x, %y) {fn = "add"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %0:2 = "gimlet.foreign"(%s, %y) ({
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    %ta = torch_c.from_builtin_tensor %a : tensor<4xf32> -> !torch.vtensor<[4],f32>
    %tb = torch_c.from_builtin_tensor %b : tensor<4xf32> -> !torch.vtensor<[4],f32>
    %int0 = torch.constant.int 0
    %none = torch.constant.none
    %c = torch.aten.cumsum %ta, %int0, %none : !torch.vtensor<[4],f32>, !torch.int, !torch.none -> !torch.vtensor<[4],f32>
    %h = torch.aten.atan2 %c, %tb : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
    %rc = torch_c.to_builtin_tensor %c : !torch.vtensor<[4],f32> -> tensor<4xf32>
    %rh = torch_c.to_builtin_tensor %h : !torch.vtensor<[4],f32> -> tensor<4xf32>
    "gimlet.yield"(%rc, %rh) : (tensor<4xf32>, tensor<4xf32>) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// Two foreign regions in one function, one after the other, both inline; the second reads the first's result.
// CHECK-LABEL: func.func @two_regions
// CHECK: %[[FIRST:.*]]:2 = tm_tensor.scan dimension(0) inclusive(true) ins(%{{.*}} : tensor<2x3xf32>)
// CHECK: tm_tensor.scan dimension(1) inclusive(true) ins(%[[FIRST]]#0 : tensor<2x3xf32>)
func.func @two_regions(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2x3xf32>):
    %t = torch_c.from_builtin_tensor %a : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
    %int0 = torch.constant.int 0
    %none = torch.constant.none
    %c = torch.aten.cumsum %t, %int0, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
    %b = torch_c.to_builtin_tensor %c : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
    "gimlet.yield"(%b) : (tensor<2x3xf32>) -> ()
  }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "gimlet.foreign"(%0) ({
  ^bb0(%a: tensor<2x3xf32>):
    %t = torch_c.from_builtin_tensor %a : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
    %int1 = torch.constant.int 1
    %none = torch.constant.none
    %c = torch.aten.cumsum %t, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
    %b = torch_c.to_builtin_tensor %c : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
    "gimlet.yield"(%b) : (tensor<2x3xf32>) -> ()
  }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// torch-mlir has no conversion for torch.aten.__and__.Tensor (integer `&` stays foreign):
// the lowering renames it bitwise_and.Tensor, which becomes arith.andi.
// CHECK-LABEL: func.func @integer_and
// CHECK-SAME: (%[[A:[^:]+]]: tensor<4xi64>, %[[B:[^:]+]]: tensor<4xi64>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<4xi64>, tensor<4xi64>)
// CHECK: arith.andi
// CHECK: return %[[R]] : tensor<4xi64>
func.func @integer_and(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  %0 = "gimlet.foreign"(%a, %b) ({
  ^bb0(%x: tensor<4xi64>, %y: tensor<4xi64>):
    %tx = torch_c.from_builtin_tensor %x : tensor<4xi64> -> !torch.vtensor<[4],si64>
    %ty = torch_c.from_builtin_tensor %y : tensor<4xi64> -> !torch.vtensor<[4],si64>
    %and = torch.aten.__and__.Tensor %tx, %ty : !torch.vtensor<[4],si64>, !torch.vtensor<[4],si64> -> !torch.vtensor<[4],si64>
    %r = torch_c.to_builtin_tensor %and : !torch.vtensor<[4],si64> -> tensor<4xi64>
    "gimlet.yield"(%r) : (tensor<4xi64>) -> ()
  }) : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// A float tensor cast to uint8 goes through int32: torch-mlir's own float → ui8 is fptosi to i8,
// poison for 128-255 (saturated to 127 on AVX2 CPUs). An int32 → uint8 cast stays one truncation.
// CHECK-LABEL: func.func @float_to_uint8
// CHECK: %[[WIDE:.*]] = arith.fptosi %{{.*}} : f32 to i32
// CHECK-NEXT: linalg.yield %[[WIDE]] : i32
// CHECK: %[[NARROW:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK-NEXT: linalg.yield %[[NARROW]] : i8
// CHECK-NOT: arith.fptosi
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK-NOT: fptosi
// CHECK: return
func.func @float_to_uint8(%x: tensor<4xf32>, %n: tensor<4xi32>) -> (tensor<4xi8>, tensor<4xi8>) {
  %0:2 = "gimlet.foreign"(%x, %n) ({
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xi32>):
    %t = torch_c.from_builtin_tensor %a : tensor<4xf32> -> !torch.vtensor<[4],f32>
    %i = torch_c.from_builtin_tensor %b : tensor<4xi32> -> !torch.vtensor<[4],si32>
    %int0 = torch.constant.int 0
    %false = torch.constant.bool false
    %none = torch.constant.none
    %u = torch.aten.to.dtype %t, %int0, %false, %false, %none : !torch.vtensor<[4],f32>, !torch.int, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[4],ui8>
    %v = torch.aten.to.dtype %i, %int0, %false, %false, %none : !torch.vtensor<[4],si32>, !torch.int, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[4],ui8>
    %r = torch_c.to_builtin_tensor %u : !torch.vtensor<[4],ui8> -> tensor<4xi8>
    %s = torch_c.to_builtin_tensor %v : !torch.vtensor<[4],ui8> -> tensor<4xi8>
    "gimlet.yield"(%r, %s) : (tensor<4xi8>, tensor<4xi8>) -> ()
  }) : (tensor<4xf32>, tensor<4xi32>) -> (tensor<4xi8>, tensor<4xi8>)
  return %0#0, %0#1 : tensor<4xi8>, tensor<4xi8>
}
