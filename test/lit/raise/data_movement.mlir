// RUN: gimlet-opt --gimlet-raise-torch --gimlet-verify %s | FileCheck %s

// Tests of gimlet-raise-torch on constants and data movement.

// vtensor.literal becomes gimlet.constant; signed integer literals (dense and
// splat) become signless i64.
// CHECK-LABEL: func.func @literals
// CHECK-SAME: () -> (tensor<2xf32>, tensor<3xi64>, tensor<2x2xi64>)
// CHECK: %[[F:.*]] = "gimlet.constant"() {value = dense<[1.500000e+00, -2.000000e+00]> : tensor<2xf32>} : () -> tensor<2xf32>
// CHECK: %[[I:.*]] = "gimlet.constant"() {value = dense<[1, -2, 3]> : tensor<3xi64>} : () -> tensor<3xi64>
// CHECK: %[[S:.*]] = "gimlet.constant"() {value = dense<7> : tensor<2x2xi64>} : () -> tensor<2x2xi64>
// CHECK: return %[[F]], %[[I]], %[[S]]
// CHECK-NOT: torch
func.func @literals() -> (!torch.vtensor<[2],f32>, !torch.vtensor<[3],si64>, !torch.vtensor<[2,2],si64>) {
  %0 = torch.vtensor.literal(dense<[1.500000e+00, -2.000000e+00]> : tensor<2xf32>) : !torch.vtensor<[2],f32>
  %1 = torch.vtensor.literal(dense<[1, -2, 3]> : tensor<3xsi64>) : !torch.vtensor<[3],si64>
  %2 = torch.vtensor.literal(dense<7> : tensor<2x2xsi64>) : !torch.vtensor<[2,2],si64>
  return %0, %1, %2 : !torch.vtensor<[2],f32>, !torch.vtensor<[3],si64>, !torch.vtensor<[2,2],si64>
}

// zeros, ones (dtype 4 = int64) and full with static shapes are splat constants.
// CHECK-LABEL: func.func @fills
// CHECK: %[[Z:.*]] = "gimlet.constant"() {value = dense<0.000000e+00> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
// CHECK: %[[O:.*]] = "gimlet.constant"() {value = dense<1> : tensor<4xi64>} : () -> tensor<4xi64>
// CHECK: %[[F:.*]] = "gimlet.constant"() {value = dense<3.500000e+00> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
// CHECK: return %[[Z]], %[[O]], %[[F]]
// CHECK-NOT: torch
func.func @fills() -> (!torch.vtensor<[2,3],f32>, !torch.vtensor<[4],si64>, !torch.vtensor<[2,2],f32>) {
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %int4 = torch.constant.int 4
  %int6 = torch.constant.int 6
  %none = torch.constant.none
  %false = torch.constant.bool false
  %fill = torch.constant.float 3.500000e+00
  %s23 = torch.prim.ListConstruct %int2, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %s4 = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %s22 = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.zeros %s23, %int6, %none, %none, %false : !torch.list<int>, !torch.int, !torch.none, !torch.none, !torch.bool -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.ones %s4, %int4, %none, %none, %false : !torch.list<int>, !torch.int, !torch.none, !torch.none, !torch.bool -> !torch.vtensor<[4],si64>
  %2 = torch.aten.full %s22, %fill, %none, %none, %none, %false : !torch.list<int>, !torch.float, !torch.none, !torch.none, !torch.none, !torch.bool -> !torch.vtensor<[2,2],f32>
  return %0, %1, %2 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[4],si64>, !torch.vtensor<[2,2],f32>
}

// arange with constant bounds is a constant: arange(5) as i64 and
// arange(0.0, 1.0, 0.25) as f32.
// CHECK-LABEL: func.func @arange
// CHECK: %[[I:.*]] = "gimlet.constant"() {value = dense<[0, 1, 2, 3, 4]> : tensor<5xi64>} : () -> tensor<5xi64>
// CHECK: %[[F:.*]] = "gimlet.constant"() {value = dense<[0.000000e+00, 2.500000e-01, 5.000000e-01, 7.500000e-01]> : tensor<4xf32>} : () -> tensor<4xf32>
// CHECK: return %[[I]], %[[F]]
// CHECK-NOT: torch
func.func @arange() -> (!torch.vtensor<[5],si64>, !torch.vtensor<[4],f32>) {
  %int5 = torch.constant.int 5
  %none = torch.constant.none
  %start = torch.constant.float 0.000000e+00
  %end = torch.constant.float 1.000000e+00
  %step = torch.constant.float 2.500000e-01
  %0 = torch.aten.arange %int5, %none, %none, %none, %none : !torch.int, !torch.none, !torch.none, !torch.none, !torch.none -> !torch.vtensor<[5],si64>
  %1 = torch.aten.arange.start_step %start, %end, %step, %none, %none, %none, %none : !torch.float, !torch.float, !torch.float, !torch.none, !torch.none, !torch.none, !torch.none -> !torch.vtensor<[4],f32>
  return %0, %1 : !torch.vtensor<[5],si64>, !torch.vtensor<[4],f32>
}

// view (with -1), reshape, flatten.using_ints, unsqueeze and squeeze.dim are
// gimlet.reshape to the torch result shape.
// CHECK-LABEL: func.func @reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[Y:.*]]: tensor<2x1x3xf32>)
// CHECK: %[[V:.*]] = "gimlet.reshape"(%[[X]]) : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// CHECK: %[[R:.*]] = "gimlet.reshape"(%[[X]]) : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// CHECK: %[[FL:.*]] = "gimlet.reshape"(%[[X]]) : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// CHECK: %[[U:.*]] = "gimlet.reshape"(%[[X]]) : (tensor<2x3x4xf32>) -> tensor<1x2x3x4xf32>
// CHECK: %[[S:.*]] = "gimlet.reshape"(%[[Y]]) : (tensor<2x1x3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[V]], %[[R]], %[[FL]], %[[U]], %[[S]]
// CHECK-NOT: torch
func.func @reshapes(%x: !torch.vtensor<[2,3,4],f32>, %y: !torch.vtensor<[2,1,3],f32>) -> (!torch.vtensor<[6,4],f32>, !torch.vtensor<[2,12],f32>, !torch.vtensor<[2,12],f32>, !torch.vtensor<[1,2,3,4],f32>, !torch.vtensor<[2,3],f32>) {
  %int-1 = torch.constant.int -1
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int4 = torch.constant.int 4
  %int12 = torch.constant.int 12
  %s64 = torch.prim.ListConstruct %int-1, %int4 : (!torch.int, !torch.int) -> !torch.list<int>
  %s212 = torch.prim.ListConstruct %int2, %int12 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.view %x, %s64 : !torch.vtensor<[2,3,4],f32>, !torch.list<int> -> !torch.vtensor<[6,4],f32>
  %1 = torch.aten.reshape %x, %s212 : !torch.vtensor<[2,3,4],f32>, !torch.list<int> -> !torch.vtensor<[2,12],f32>
  %2 = torch.aten.flatten.using_ints %x, %int1, %int-1 : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,12],f32>
  %3 = torch.aten.unsqueeze %x, %int0 : !torch.vtensor<[2,3,4],f32>, !torch.int -> !torch.vtensor<[1,2,3,4],f32>
  %4 = torch.aten.squeeze.dim %y, %int1 : !torch.vtensor<[2,1,3],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  return %0, %1, %2, %3, %4 : !torch.vtensor<[6,4],f32>, !torch.vtensor<[2,12],f32>, !torch.vtensor<[2,12],f32>, !torch.vtensor<[1,2,3,4],f32>, !torch.vtensor<[2,3],f32>
}

// transpose.int (0, -1), permute and t are gimlet.transpose with the
// permutation spelled out.
// CHECK-LABEL: func.func @transposes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[M:.*]]: tensor<2x3xf32>)
// CHECK: %[[T:.*]] = "gimlet.transpose"(%[[X]]) {permutation = array<i64: 2, 1, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
// CHECK: %[[P:.*]] = "gimlet.transpose"(%[[X]]) {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
// CHECK: %[[MT:.*]] = "gimlet.transpose"(%[[M]]) {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK: return %[[T]], %[[P]], %[[MT]]
// CHECK-NOT: torch
func.func @transposes(%x: !torch.vtensor<[2,3,4],f32>, %m: !torch.vtensor<[2,3],f32>) -> (!torch.vtensor<[4,3,2],f32>, !torch.vtensor<[3,4,2],f32>, !torch.vtensor<[3,2],f32>) {
  %int-1 = torch.constant.int -1
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %perm = torch.prim.ListConstruct %int1, %int2, %int0 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.transpose.int %x, %int0, %int-1 : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[4,3,2],f32>
  %1 = torch.aten.permute %x, %perm : !torch.vtensor<[2,3,4],f32>, !torch.list<int> -> !torch.vtensor<[3,4,2],f32>
  %2 = torch.aten.t %m : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[3,2],f32>
  return %0, %1, %2 : !torch.vtensor<[4,3,2],f32>, !torch.vtensor<[3,4,2],f32>, !torch.vtensor<[3,2],f32>
}

// broadcast_to (adding a leading dim) and expand (with -1) are gimlet.broadcast.
// CHECK-LABEL: func.func @broadcasts
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xf32>, %[[Y:.*]]: tensor<1x4xf32>)
// CHECK: %[[B:.*]] = "gimlet.broadcast"(%[[X]]) : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[E:.*]] = "gimlet.broadcast"(%[[Y]]) : (tensor<1x4xf32>) -> tensor<3x4xf32>
// CHECK: return %[[B]], %[[E]]
// CHECK-NOT: torch
func.func @broadcasts(%x: !torch.vtensor<[3,1],f32>, %y: !torch.vtensor<[1,4],f32>) -> (!torch.vtensor<[2,3,4],f32>, !torch.vtensor<[3,4],f32>) {
  %int-1 = torch.constant.int -1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %int4 = torch.constant.int 4
  %false = torch.constant.bool false
  %s234 = torch.prim.ListConstruct %int2, %int3, %int4 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %s3m1 = torch.prim.ListConstruct %int3, %int-1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.broadcast_to %x, %s234 : !torch.vtensor<[3,1],f32>, !torch.list<int> -> !torch.vtensor<[2,3,4],f32>
  %1 = torch.aten.expand %y, %s3m1, %false : !torch.vtensor<[1,4],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[3,4],f32>
  return %0, %1 : !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[3,4],f32>
}

// cat along dim 0 and dim -1 (normalised to 1); cat of one tensor is that tensor.
// CHECK-LABEL: func.func @cat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<4x3xf32>, %[[C:.*]]: tensor<2x5xf32>)
// CHECK: %[[AB:.*]] = "gimlet.concat"(%[[A]], %[[B]]) {axis = 0 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
// CHECK: %[[AC:.*]] = "gimlet.concat"(%[[A]], %[[C]]) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
// CHECK-NOT: gimlet.concat
// CHECK: return %[[AB]], %[[AC]], %[[A]]
// CHECK-NOT: torch
func.func @cat(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[4,3],f32>, %c: !torch.vtensor<[2,5],f32>) -> (!torch.vtensor<[6,3],f32>, !torch.vtensor<[2,8],f32>, !torch.vtensor<[2,3],f32>) {
  %int0 = torch.constant.int 0
  %int-1 = torch.constant.int -1
  %ab = torch.prim.ListConstruct %a, %b : (!torch.vtensor<[2,3],f32>, !torch.vtensor<[4,3],f32>) -> !torch.list<vtensor>
  %ac = torch.prim.ListConstruct %a, %c : (!torch.vtensor<[2,3],f32>, !torch.vtensor<[2,5],f32>) -> !torch.list<vtensor>
  %single = torch.prim.ListConstruct %a : (!torch.vtensor<[2,3],f32>) -> !torch.list<vtensor>
  %0 = torch.aten.cat %ab, %int0 : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[6,3],f32>
  %1 = torch.aten.cat %ac, %int-1 : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[2,8],f32>
  %2 = torch.aten.cat %single, %int0 : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[2,3],f32>
  return %0, %1, %2 : !torch.vtensor<[6,3],f32>, !torch.vtensor<[2,8],f32>, !torch.vtensor<[2,3],f32>
}

// cat of f32 and si64 casts the integer input to the result type first.
// CHECK-LABEL: func.func @cat_promote
// CHECK-SAME: (%[[A:.*]]: tensor<2xf32>, %[[B:.*]]: tensor<3xi64>)
// CHECK: %[[BF:.*]] = "gimlet.elementwise"(%[[B]]) {fn = "cast"} : (tensor<3xi64>) -> tensor<3xf32>
// CHECK: %[[R:.*]] = "gimlet.concat"(%[[A]], %[[BF]]) {axis = 0 : i64} : (tensor<2xf32>, tensor<3xf32>) -> tensor<5xf32>
// CHECK: return %[[R]]
// CHECK-NOT: torch
func.func @cat_promote(%a: !torch.vtensor<[2],f32>, %b: !torch.vtensor<[3],si64>) -> !torch.vtensor<[5],f32> {
  %int0 = torch.constant.int 0
  %ab = torch.prim.ListConstruct %a, %b : (!torch.vtensor<[2],f32>, !torch.vtensor<[3],si64>) -> !torch.list<vtensor>
  %0 = torch.aten.cat %ab, %int0 : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[5],f32>
  return %0 : !torch.vtensor<[5],f32>
}

// slice.Tensor clamps like PyTorch: a negative start (-3 → 7), an end beyond
// the size (100 → 6), step 2 from 1 (5 rows), and end = INT64_MAX.
// CHECK-LABEL: func.func @slices
// CHECK-SAME: (%[[X:.*]]: tensor<10x6xf32>)
// CHECK: %[[S0:.*]] = "gimlet.slice"(%[[X]]) {limits = array<i64: 10, 6>, starts = array<i64: 7, 0>, strides = array<i64: 1, 1>} : (tensor<10x6xf32>) -> tensor<3x6xf32>
// CHECK: %[[S1:.*]] = "gimlet.slice"(%[[X]]) {limits = array<i64: 10, 6>, starts = array<i64: 0, 2>, strides = array<i64: 1, 1>} : (tensor<10x6xf32>) -> tensor<10x4xf32>
// CHECK: %[[S2:.*]] = "gimlet.slice"(%[[X]]) {limits = array<i64: 10, 6>, starts = array<i64: 1, 0>, strides = array<i64: 2, 1>} : (tensor<10x6xf32>) -> tensor<5x6xf32>
// CHECK: %[[S3:.*]] = "gimlet.slice"(%[[X]]) {limits = array<i64: 10, 6>, starts = array<i64: 2, 0>, strides = array<i64: 1, 1>} : (tensor<10x6xf32>) -> tensor<8x6xf32>
// CHECK: return %[[S0]], %[[S1]], %[[S2]], %[[S3]]
// CHECK-NOT: torch
func.func @slices(%x: !torch.vtensor<[10,6],f32>) -> (!torch.vtensor<[3,6],f32>, !torch.vtensor<[10,4],f32>, !torch.vtensor<[5,6],f32>, !torch.vtensor<[8,6],f32>) {
  %int-3 = torch.constant.int -3
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int10 = torch.constant.int 10
  %int100 = torch.constant.int 100
  %none = torch.constant.none
  %max = torch.constant.int 9223372036854775807
  %0 = torch.aten.slice.Tensor %x, %int0, %int-3, %none, %int1 : !torch.vtensor<[10,6],f32>, !torch.int, !torch.int, !torch.none, !torch.int -> !torch.vtensor<[3,6],f32>
  %1 = torch.aten.slice.Tensor %x, %int1, %int2, %int100, %int1 : !torch.vtensor<[10,6],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[10,4],f32>
  %2 = torch.aten.slice.Tensor %x, %int0, %int1, %int10, %int2 : !torch.vtensor<[10,6],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[5,6],f32>
  %3 = torch.aten.slice.Tensor %x, %int0, %int2, %max, %int1 : !torch.vtensor<[10,6],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[8,6],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[3,6],f32>, !torch.vtensor<[10,4],f32>, !torch.vtensor<[5,6],f32>, !torch.vtensor<[8,6],f32>
}

// A negative step (which only torch-mlir's ONNX Slice conversion emits) has ONNX's meaning: the
// start clamps to size - 1 (20 → 9), the end to -1 (-100 → -1), and the taken indices are gathered.
// CHECK-LABEL: func.func @negative_step_slices
// CHECK-SAME: (%[[X:.*]]: tensor<10x6xf32>)
// CHECK: %[[I0:.*]] = "gimlet.constant"() {value = dense<[9, 6, 3, 0]> : tensor<4xi64>}
// CHECK: "gimlet.gather"(%[[X]], %[[I0]]) {axis = 0 : i64}
// CHECK: %[[I1:.*]] = "gimlet.constant"() {value = dense<[4, 3, 2]> : tensor<3xi64>}
// CHECK: "gimlet.gather"(%[[X]], %[[I1]]) {axis = 1 : i64}
func.func @negative_step_slices(%x: !torch.vtensor<[10,6],f32>) -> (!torch.vtensor<[4,6],f32>, !torch.vtensor<[10,3],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int20 = torch.constant.int 20
  %int-100 = torch.constant.int -100
  %int-3 = torch.constant.int -3
  %int-2 = torch.constant.int -2
  %int-1 = torch.constant.int -1
  %0 = torch.aten.slice.Tensor %x, %int0, %int20, %int-100, %int-3 : !torch.vtensor<[10,6],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[4,6],f32>
  %1 = torch.aten.slice.Tensor %x, %int1, %int-2, %int1, %int-1 : !torch.vtensor<[10,6],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[10,3],f32>
  return %0, %1 : !torch.vtensor<[4,6],f32>, !torch.vtensor<[10,3],f32>
}

// select.int (index -1 → 4) is a one-wide slice then a reshape dropping the
// dim; narrow(dim 0, start 1, length 2) is a slice.
// CHECK-LABEL: func.func @select_narrow
// CHECK-SAME: (%[[X:.*]]: tensor<4x5xf32>)
// CHECK: %[[S:.*]] = "gimlet.slice"(%[[X]]) {limits = array<i64: 4, 5>, starts = array<i64: 0, 4>, strides = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<4x1xf32>
// CHECK: %[[SEL:.*]] = "gimlet.reshape"(%[[S]]) : (tensor<4x1xf32>) -> tensor<4xf32>
// CHECK: %[[N:.*]] = "gimlet.slice"(%[[X]]) {limits = array<i64: 3, 5>, starts = array<i64: 1, 0>, strides = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<2x5xf32>
// CHECK: return %[[SEL]], %[[N]]
// CHECK-NOT: torch
func.func @select_narrow(%x: !torch.vtensor<[4,5],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[2,5],f32>) {
  %int-1 = torch.constant.int -1
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %0 = torch.aten.select.int %x, %int1, %int-1 : !torch.vtensor<[4,5],f32>, !torch.int, !torch.int -> !torch.vtensor<[4],f32>
  %1 = torch.aten.narrow %x, %int0, %int1, %int2 : !torch.vtensor<[4,5],f32>, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[2,5],f32>
  return %0, %1 : !torch.vtensor<[4],f32>, !torch.vtensor<[2,5],f32>
}

// constant_pad_nd: pads pair up from the last dim backwards ([1, 2] pads the
// last dim; [1, 1, 2, 0] also pads dim 0 by 2 before); the fill value is kept.
// Negative padding crops: a gimlet.slice (torch-mlir's own lowering of it fails in iree-compile).
// CHECK-LABEL: func.func @constant_pad
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[P0:.*]] = "gimlet.pad"(%[[X]]) {mode = "constant", pad_high = array<i64: 0, 2>, pad_low = array<i64: 0, 1>, value = 5.000000e-01 : f64} : (tensor<2x3xf32>) -> tensor<2x6xf32>
// CHECK: %[[P1:.*]] = "gimlet.pad"(%[[X]]) {mode = "constant", pad_high = array<i64: 0, 1>, pad_low = array<i64: 2, 1>, value = 5.000000e-01 : f64} : (tensor<2x3xf32>) -> tensor<4x5xf32>
// CHECK: %[[S:.*]] = "gimlet.slice"(%[[X]]) {limits = array<i64: 2, 3>, starts = array<i64: 0, 1>, strides = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
// CHECK-NOT: gimlet.foreign
// CHECK: return %[[P0]], %[[P1]], %[[S]]
func.func @constant_pad(%x: !torch.vtensor<[2,3],f32>) -> (!torch.vtensor<[2,6],f32>, !torch.vtensor<[4,5],f32>, !torch.vtensor<[2,2],f32>) {
  %int-1 = torch.constant.int -1
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %half = torch.constant.float 5.000000e-01
  %p12 = torch.prim.ListConstruct %int1, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p1120 = torch.prim.ListConstruct %int1, %int1, %int2, %int0 : (!torch.int, !torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %neg = torch.prim.ListConstruct %int-1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.constant_pad_nd %x, %p12, %half : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.float -> !torch.vtensor<[2,6],f32>
  %1 = torch.aten.constant_pad_nd %x, %p1120, %half : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.float -> !torch.vtensor<[4,5],f32>
  %2 = torch.aten.constant_pad_nd %x, %neg, %half : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.float -> !torch.vtensor<[2,2],f32>
  return %0, %1, %2 : !torch.vtensor<[2,6],f32>, !torch.vtensor<[4,5],f32>, !torch.vtensor<[2,2],f32>
}

// aten.pad with mode "reflect" and "replicate" (gimlet mode "edge").
// CHECK-LABEL: func.func @pad_modes
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x5xf32>)
// CHECK: %[[R:.*]] = "gimlet.pad"(%[[X]]) {mode = "reflect", pad_high = array<i64: 0, 0, 1>, pad_low = array<i64: 0, 0, 2>} : (tensor<1x2x5xf32>) -> tensor<1x2x8xf32>
// CHECK: %[[E:.*]] = "gimlet.pad"(%[[X]]) {mode = "edge", pad_high = array<i64: 0, 0, 1>, pad_low = array<i64: 0, 0, 2>} : (tensor<1x2x5xf32>) -> tensor<1x2x8xf32>
// CHECK: return %[[R]], %[[E]]
// CHECK-NOT: torch
func.func @pad_modes(%x: !torch.vtensor<[1,2,5],f32>) -> (!torch.vtensor<[1,2,8],f32>, !torch.vtensor<[1,2,8],f32>) {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %none = torch.constant.none
  %reflect = torch.constant.str "reflect"
  %replicate = torch.constant.str "replicate"
  %p = torch.prim.ListConstruct %int2, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.pad %x, %p, %reflect, %none : !torch.vtensor<[1,2,5],f32>, !torch.list<int>, !torch.str, !torch.none -> !torch.vtensor<[1,2,8],f32>
  %1 = torch.aten.pad %x, %p, %replicate, %none : !torch.vtensor<[1,2,5],f32>, !torch.list<int>, !torch.str, !torch.none -> !torch.vtensor<[1,2,8],f32>
  return %0, %1 : !torch.vtensor<[1,2,8],f32>, !torch.vtensor<[1,2,8],f32>
}

// index_select(x, dim, index) is gather(x, index, axis = dim), dim -1 → 1;
// embedding(weight, indices) is gather(weight, indices, axis = 0).
// CHECK-LABEL: func.func @gathers
// CHECK-SAME: (%[[X:.*]]: tensor<5x4xf32>, %[[I:.*]]: tensor<3xi64>, %[[W:.*]]: tensor<10x8xf32>, %[[IDS:.*]]: tensor<2x3xi64>)
// CHECK: %[[G0:.*]] = "gimlet.gather"(%[[X]], %[[I]]) {axis = 0 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
// CHECK: %[[G1:.*]] = "gimlet.gather"(%[[X]], %[[I]]) {axis = 1 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<5x3xf32>
// CHECK: %[[E:.*]] = "gimlet.gather"(%[[W]], %[[IDS]]) {axis = 0 : i64} : (tensor<10x8xf32>, tensor<2x3xi64>) -> tensor<2x3x8xf32>
// CHECK: return %[[G0]], %[[G1]], %[[E]]
// CHECK-NOT: torch
func.func @gathers(%x: !torch.vtensor<[5,4],f32>, %i: !torch.vtensor<[3],si64>, %w: !torch.vtensor<[10,8],f32>, %ids: !torch.vtensor<[2,3],si64>) -> (!torch.vtensor<[3,4],f32>, !torch.vtensor<[5,3],f32>, !torch.vtensor<[2,3,8],f32>) {
  %int0 = torch.constant.int 0
  %int-1 = torch.constant.int -1
  %false = torch.constant.bool false
  %0 = torch.aten.index_select %x, %int0, %i : !torch.vtensor<[5,4],f32>, !torch.int, !torch.vtensor<[3],si64> -> !torch.vtensor<[3,4],f32>
  %1 = torch.aten.index_select %x, %int-1, %i : !torch.vtensor<[5,4],f32>, !torch.int, !torch.vtensor<[3],si64> -> !torch.vtensor<[5,3],f32>
  %2 = torch.aten.embedding %w, %ids, %int-1, %false, %false : !torch.vtensor<[10,8],f32>, !torch.vtensor<[2,3],si64>, !torch.int, !torch.bool, !torch.bool -> !torch.vtensor<[2,3,8],f32>
  return %0, %1, %2 : !torch.vtensor<[3,4],f32>, !torch.vtensor<[5,3],f32>, !torch.vtensor<[2,3,8],f32>
}

// clone, contiguous and dropout with train = false are the identity.
// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @identities(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %none = torch.constant.none
  %int0 = torch.constant.int 0
  %p = torch.constant.float 1.000000e-01
  %false = torch.constant.bool false
  %0 = torch.aten.clone %x, %none : !torch.vtensor<[2,3],f32>, !torch.none -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.contiguous %0, %int0 : !torch.vtensor<[2,3],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.dropout %1, %p, %false : !torch.vtensor<[2,3],f32>, !torch.float, !torch.bool -> !torch.vtensor<[2,3],f32>
  return %2 : !torch.vtensor<[2,3],f32>
}

// dropout with train = true is not the identity and stays foreign.
// CHECK-LABEL: func.func @dropout_train
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[F:.*]] = "gimlet.foreign"(%[[X]])
// CHECK: %[[TRUE:.*]] = torch.constant.bool true
// CHECK: torch.aten.dropout {{.*}}, %[[TRUE]] :
// CHECK: "gimlet.yield"
// CHECK: return %[[F]]
func.func @dropout_train(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %p = torch.constant.float 1.000000e-01
  %true = torch.constant.bool true
  %0 = torch.aten.dropout %x, %p, %true : !torch.vtensor<[2,3],f32>, !torch.float, !torch.bool -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}

// x[:, i] (index.Tensor, a None then one index tensor) is a gather along axis 1.
// CHECK-LABEL: func.func @index_one
// CHECK-SAME: (%[[X:.*]]: tensor<5x4xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK: %[[G:.*]] = "gimlet.gather"(%[[X]], %[[I]]) {axis = 1 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<5x2x3xf32>
// CHECK: return %[[G]]
// CHECK-NOT: torch
func.func @index_one(%x: !torch.vtensor<[5,4],f32>, %i: !torch.vtensor<[2,3],si64>) -> !torch.vtensor<[5,2,3],f32> {
  %none = torch.constant.none
  %list = torch.prim.ListConstruct %none, %i : (!torch.none, !torch.vtensor<[2,3],si64>) -> !torch.list<optional<vtensor>>
  %0 = torch.aten.index.Tensor %x, %list : !torch.vtensor<[5,4],f32>, !torch.list<optional<vtensor>> -> !torch.vtensor<[5,2,3],f32>
  return %0 : !torch.vtensor<[5,2,3],f32>
}

// mask[i, j] with two broadcasting index tensors (transformers' attention mask form,
// index.Tensor_hacked_twin): each index wrapped if negative, folded into i·128 + j,
// and one gather from the indexed axes merged.
// CHECK-LABEL: func.func @index_two
// CHECK-SAME: (%[[X:.*]]: tensor<1x128x7xi1>, %[[I:.*]]: tensor<1x1x1x1xi64>, %[[J:.*]]: tensor<1x1x1x128xi64>)
// CHECK: %[[INEG:.*]] = "gimlet.elementwise"(%[[I]], %{{.*}}) {fn = "lt"}
// CHECK: %[[IWRAP:.*]] = "gimlet.elementwise"(%[[I]], %{{.*}}) {fn = "add"}
// CHECK: %[[II:.*]] = "gimlet.elementwise"(%[[INEG]], %[[IWRAP]], %[[I]]) {fn = "where"}
// CHECK: %[[STRIDE:.*]] = "gimlet.constant"() {value = dense<128> : tensor<i64>}
// CHECK: %[[ROW:.*]] = "gimlet.elementwise"(%[[II]], %[[STRIDE]]) {fn = "mul"}
// CHECK: %[[JNEG:.*]] = "gimlet.elementwise"(%[[J]], %{{.*}}) {fn = "lt"}
// CHECK: %[[JWRAP:.*]] = "gimlet.elementwise"(%[[J]], %{{.*}}) {fn = "add"}
// CHECK: %[[JJ:.*]] = "gimlet.elementwise"(%[[JNEG]], %[[JWRAP]], %[[J]]) {fn = "where"}
// CHECK: %[[LINEAR:.*]] = "gimlet.elementwise"(%[[ROW]], %[[JJ]]) {fn = "add"} : (tensor<1x1x1x1xi64>, tensor<1x1x1x128xi64>) -> tensor<1x1x1x128xi64>
// CHECK: %[[MERGED:.*]] = "gimlet.reshape"(%[[X]]) : (tensor<1x128x7xi1>) -> tensor<128x7xi1>
// CHECK: %[[G:.*]] = "gimlet.gather"(%[[MERGED]], %[[LINEAR]]) {axis = 0 : i64} : (tensor<128x7xi1>, tensor<1x1x1x128xi64>) -> tensor<1x1x1x128x7xi1>
// CHECK: return %[[G]]
// CHECK-NOT: torch
func.func @index_two(%x: !torch.vtensor<[1,128,7],i1>, %i: !torch.vtensor<[1,1,1,1],si64>, %j: !torch.vtensor<[1,1,1,128],si64>) -> !torch.vtensor<[1,1,1,128,7],i1> {
  %list = torch.prim.ListConstruct %i, %j : (!torch.vtensor<[1,1,1,1],si64>, !torch.vtensor<[1,1,1,128],si64>) -> !torch.list<vtensor>
  %0 = torch.aten.index.Tensor_hacked_twin %x, %list : !torch.vtensor<[1,128,7],i1>, !torch.list<vtensor> -> !torch.vtensor<[1,1,1,128,7],i1>
  return %0 : !torch.vtensor<[1,1,1,128,7],i1>
}

// x[i, :, j] indexes axes apart: torch puts the index shape first, so the indexed
// axes are transposed to the front before the merge and gather.
// CHECK-LABEL: func.func @index_apart
// CHECK-SAME: (%[[X:.*]]: tensor<5x4x3xf32>, %[[I:.*]]: tensor<2xi64>)
// CHECK: %[[T:.*]] = "gimlet.transpose"(%[[X]]) {permutation = array<i64: 0, 2, 1>} : (tensor<5x4x3xf32>) -> tensor<5x3x4xf32>
// CHECK: %[[MERGED:.*]] = "gimlet.reshape"(%[[T]]) : (tensor<5x3x4xf32>) -> tensor<15x4xf32>
// CHECK: %[[G:.*]] = "gimlet.gather"(%[[MERGED]], %{{.*}}) {axis = 0 : i64} : (tensor<15x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
// CHECK: return %[[G]]
// CHECK-NOT: torch
func.func @index_apart(%x: !torch.vtensor<[5,4,3],f32>, %i: !torch.vtensor<[2],si64>) -> !torch.vtensor<[2,4],f32> {
  %none = torch.constant.none
  %list = torch.prim.ListConstruct %i, %none, %i : (!torch.vtensor<[2],si64>, !torch.none, !torch.vtensor<[2],si64>) -> !torch.list<optional<vtensor>>
  %0 = torch.aten.index.Tensor %x, %list : !torch.vtensor<[5,4,3],f32>, !torch.list<optional<vtensor>> -> !torch.vtensor<[2,4],f32>
  return %0 : !torch.vtensor<[2,4],f32>
}

// Boolean (mask) indices give data-dependent shapes: foreign.
// CHECK-LABEL: func.func @index_mask
// CHECK: "gimlet.foreign"
// CHECK: torch.aten.index.Tensor
func.func @index_mask(%x: !torch.vtensor<[4],f32>, %m: !torch.vtensor<[4],i1>) -> !torch.vtensor<[?],f32> {
  %list = torch.prim.ListConstruct %m : (!torch.vtensor<[4],i1>) -> !torch.list<optional<vtensor>>
  %0 = torch.aten.index.Tensor %x, %list : !torch.vtensor<[4],f32>, !torch.list<optional<vtensor>> -> !torch.vtensor<[?],f32>
  return %0 : !torch.vtensor<[?],f32>
}

// torch.gather(x, 1, index): a gather from x flattened at index (wrapped if negative)
// plus the constant offset of each row.
// CHECK-LABEL: func.func @torch_gather
// CHECK-SAME: (%[[X:.*]]: tensor<2x5xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK: %[[NEG:.*]] = "gimlet.elementwise"(%[[I]], %{{.*}}) {fn = "lt"}
// CHECK: %[[WRAP:.*]] = "gimlet.elementwise"(%[[I]], %{{.*}}) {fn = "add"}
// CHECK: %[[II:.*]] = "gimlet.elementwise"(%[[NEG]], %[[WRAP]], %[[I]]) {fn = "where"}
// CHECK: %[[BASE:.*]] = "gimlet.constant"() {value = dense<{{\[}}[0, 0, 0], [5, 5, 5]]> : tensor<2x3xi64>}
// CHECK: %[[LINEAR:.*]] = "gimlet.elementwise"(%[[II]], %[[BASE]]) {fn = "add"}
// CHECK: %[[FLAT:.*]] = "gimlet.reshape"(%[[X]]) : (tensor<2x5xf32>) -> tensor<10xf32>
// CHECK: %[[G:.*]] = "gimlet.gather"(%[[FLAT]], %[[LINEAR]]) {axis = 0 : i64} : (tensor<10xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
// CHECK: return %[[G]]
// CHECK-NOT: torch
func.func @torch_gather(%x: !torch.vtensor<[2,5],f32>, %i: !torch.vtensor<[2,3],si64>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %false = torch.constant.bool false
  %0 = torch.aten.gather %x, %int1, %i, %false : !torch.vtensor<[2,5],f32>, !torch.int, !torch.vtensor<[2,3],si64>, !torch.bool -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}

// flip over dims [-1, 0]: one gather per axis, at the indices in reverse order.
// CHECK-LABEL: func.func @flip_two_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[I0:.*]] = "gimlet.constant"() {value = dense<[1, 0]> : tensor<2xi64>}
// CHECK: %[[G0:.*]] = "gimlet.gather"(%[[X]], %[[I0]]) {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
// CHECK: %[[I1:.*]] = "gimlet.constant"() {value = dense<[2, 1, 0]> : tensor<3xi64>}
// CHECK: %[[G1:.*]] = "gimlet.gather"(%[[G0]], %[[I1]]) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<2x3xf32>
// CHECK: return %[[G1]]
// CHECK-NOT: torch.aten.flip
func.func @flip_two_axes(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int-1 = torch.constant.int -1
  %int0 = torch.constant.int 0
  %dims = torch.prim.ListConstruct %int-1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.flip %x, %dims : !torch.vtensor<[2,3],f32>, !torch.list<int> -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}
