// RUN: gimlet-opt --gimlet-raise-torch --gimlet-verify %s | FileCheck %s

// Tests of gimlet-raise-torch on elementwise aten ops: each becomes one
// gimlet.elementwise (plus 0-d gimlet.constant operands for scalars and casts
// where torch promotes), and no torch op is left behind.

// add.Tensor then relu: a broadcasting binary op feeding a unary one.
// CHECK-LABEL: func.func @relu_add
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[SUM:.*]] = "gimlet.elementwise"(%[[X]], %[[Y]]) {fn = "add"} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[R:.*]] = "gimlet.elementwise"(%[[SUM]]) {fn = "relu"}
// CHECK: return %[[R]]
// CHECK-NOT: torch
func.func @relu_add(%x: !torch.vtensor<[2,3],f32>, %y: !torch.vtensor<[3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %0 = torch.aten.add.Tensor %x, %y, %int1 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.relu %0 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  return %1 : !torch.vtensor<[2,3],f32>
}

// Unary functions keep the operand type and name the function in `fn`.
// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[EXP:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "exp"} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[SIG:.*]] = "gimlet.elementwise"(%[[EXP]]) {fn = "sigmoid"} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[TANH:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "tanh"} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[ERF:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "erf"} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[EXP]], %[[SIG]], %[[TANH]], %[[ERF]]
// CHECK-NOT: torch
func.func @unary(%x: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %0 = torch.aten.exp %x : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %1 = torch.aten.sigmoid %0 : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %2 = torch.aten.tanh %x : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  %3 = torch.aten.erf %x : !torch.vtensor<[4],f32> -> !torch.vtensor<[4],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// gelu carries its approximation: "none" (erf form) and "tanh".
// CHECK-LABEL: func.func @gelu
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[EXACT:.*]] = "gimlet.elementwise"(%[[X]]) {approximate = "none", fn = "gelu"} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[TANH:.*]] = "gimlet.elementwise"(%[[X]]) {approximate = "tanh", fn = "gelu"} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[EXACT]], %[[TANH]]
// CHECK-NOT: torch
func.func @gelu(%x: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %none = torch.constant.str "none"
  %tanh = torch.constant.str "tanh"
  %0 = torch.aten.gelu %x, %none : !torch.vtensor<[4],f32>, !torch.str -> !torch.vtensor<[4],f32>
  %1 = torch.aten.gelu %x, %tanh : !torch.vtensor<[4],f32>, !torch.str -> !torch.vtensor<[4],f32>
  return %0, %1 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// Binary tensor ops broadcast their operands as they are, in torch's operand order.
// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x1xf32>)
// CHECK: %[[MUL:.*]] = "gimlet.elementwise"(%[[X]], %[[Y]]) {fn = "mul"} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
// CHECK: %[[DIV:.*]] = "gimlet.elementwise"(%[[MUL]], %[[X]]) {fn = "div"}
// CHECK: %[[MAX:.*]] = "gimlet.elementwise"(%[[DIV]], %[[Y]]) {fn = "max"}
// CHECK: %[[POW:.*]] = "gimlet.elementwise"(%[[MAX]], %[[X]]) {fn = "pow"}
// CHECK: %[[SUB:.*]] = "gimlet.elementwise"(%[[POW]], %[[Y]]) {fn = "sub"} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
// CHECK: return %[[SUB]]
// CHECK-NOT: torch
func.func @binary(%x: !torch.vtensor<[2,3],f32>, %y: !torch.vtensor<[2,1],f32>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %0 = torch.aten.mul.Tensor %x, %y : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,1],f32> -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.div.Tensor %0, %x : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.maximum %1, %y : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,1],f32> -> !torch.vtensor<[2,3],f32>
  %3 = torch.aten.pow.Tensor_Tensor %2, %x : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %4 = torch.aten.sub.Tensor %3, %y, %int1 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,1],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  return %4 : !torch.vtensor<[2,3],f32>
}

// Logical ops of i1 tensors.
// CHECK-LABEL: func.func @logical
// CHECK-SAME: (%[[A:.*]]: tensor<4xi1>, %[[B:.*]]: tensor<4xi1>)
// CHECK: %[[AND:.*]] = "gimlet.elementwise"(%[[A]], %[[B]]) {fn = "and"} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK: %[[NOT:.*]] = "gimlet.elementwise"(%[[AND]]) {fn = "not"} : (tensor<4xi1>) -> tensor<4xi1>
// CHECK: return %[[NOT]]
// CHECK-NOT: torch
func.func @logical(%a: !torch.vtensor<[4],i1>, %b: !torch.vtensor<[4],i1>) -> !torch.vtensor<[4],i1> {
  %0 = torch.aten.logical_and %a, %b : !torch.vtensor<[4],i1>, !torch.vtensor<[4],i1> -> !torch.vtensor<[4],i1>
  %1 = torch.aten.logical_not %0 : !torch.vtensor<[4],i1> -> !torch.vtensor<[4],i1>
  return %1 : !torch.vtensor<[4],i1>
}

// A scalar operand becomes a 0-d gimlet.constant of the result's element type,
// an int scalar included (2 → 2.0 : f32).
// CHECK-LABEL: func.func @scalar_operands
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[C0:.*]] = "gimlet.constant"() {value = dense<2.500000e+00> : tensor<f32>} : () -> tensor<f32>
// CHECK: %[[ADD:.*]] = "gimlet.elementwise"(%[[X]], %[[C0]]) {fn = "add"} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: %[[C1:.*]] = "gimlet.constant"() {value = dense<3.000000e+00> : tensor<f32>} : () -> tensor<f32>
// CHECK: %[[MUL:.*]] = "gimlet.elementwise"(%[[ADD]], %[[C1]]) {fn = "mul"} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: %[[C2:.*]] = "gimlet.constant"() {value = dense<2.000000e+00> : tensor<f32>} : () -> tensor<f32>
// CHECK: %[[POW:.*]] = "gimlet.elementwise"(%[[MUL]], %[[C2]]) {fn = "pow"} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: return %[[POW]]
// CHECK-NOT: torch
func.func @scalar_operands(%x: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %f = torch.constant.float 2.500000e+00
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %0 = torch.aten.add.Scalar %x, %f, %int1 : !torch.vtensor<[4],f32>, !torch.float, !torch.int -> !torch.vtensor<[4],f32>
  %1 = torch.aten.mul.Scalar %0, %int3 : !torch.vtensor<[4],f32>, !torch.int -> !torch.vtensor<[4],f32>
  %2 = torch.aten.pow.Tensor_Scalar %1, %int2 : !torch.vtensor<[4],f32>, !torch.int -> !torch.vtensor<[4],f32>
  return %2 : !torch.vtensor<[4],f32>
}

// add/sub with alpha != 1 scale the second operand first: x + 0.5·y, x - 3·y.
// CHECK-LABEL: func.func @alpha
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK: %[[HALF:.*]] = "gimlet.constant"() {value = dense<5.000000e-01> : tensor<f32>}
// CHECK: %[[SCALED:.*]] = "gimlet.elementwise"(%[[Y]], %[[HALF]]) {fn = "mul"}
// CHECK: %[[ADD:.*]] = "gimlet.elementwise"(%[[X]], %[[SCALED]]) {fn = "add"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[THREE:.*]] = "gimlet.constant"() {value = dense<3.000000e+00> : tensor<f32>}
// CHECK: %[[SCALED3:.*]] = "gimlet.elementwise"(%[[Y]], %[[THREE]]) {fn = "mul"}
// CHECK: %[[SUB:.*]] = "gimlet.elementwise"(%[[X]], %[[SCALED3]]) {fn = "sub"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[ADD]], %[[SUB]]
// CHECK-NOT: torch
func.func @alpha(%x: !torch.vtensor<[4],f32>, %y: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %f = torch.constant.float 5.000000e-01
  %int3 = torch.constant.int 3
  %0 = torch.aten.add.Tensor %x, %y, %f : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],f32>
  %1 = torch.aten.sub.Tensor %x, %y, %int3 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.int -> !torch.vtensor<[4],f32>
  return %0, %1 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// rsub(x, s, alpha) = s - alpha·x: the scalar is the first operand of sub.
// CHECK-LABEL: func.func @rsub
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ONE:.*]] = "gimlet.constant"() {value = dense<1.000000e+00> : tensor<f32>}
// CHECK: %[[R0:.*]] = "gimlet.elementwise"(%[[ONE]], %[[X]]) {fn = "sub"} : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[SEVEN:.*]] = "gimlet.constant"() {value = dense<7.000000e+00> : tensor<f32>}
// CHECK: %[[TWO:.*]] = "gimlet.constant"() {value = dense<2.000000e+00> : tensor<f32>}
// CHECK: %[[SCALED:.*]] = "gimlet.elementwise"(%[[X]], %[[TWO]]) {fn = "mul"}
// CHECK: %[[R1:.*]] = "gimlet.elementwise"(%[[SEVEN]], %[[SCALED]]) {fn = "sub"} : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[R0]], %[[R1]]
// CHECK-NOT: torch
func.func @rsub(%x: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %one = torch.constant.float 1.000000e+00
  %seven = torch.constant.float 7.000000e+00
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %0 = torch.aten.rsub.Scalar %x, %one, %int1 : !torch.vtensor<[4],f32>, !torch.float, !torch.int -> !torch.vtensor<[4],f32>
  %1 = torch.aten.rsub.Scalar %x, %seven, %int2 : !torch.vtensor<[4],f32>, !torch.float, !torch.int -> !torch.vtensor<[4],f32>
  return %0, %1 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// Comparisons give i1; a scalar operand takes the tensor's element type.
// CHECK-LABEL: func.func @compare
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi64>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>)
// CHECK: %[[LT:.*]] = "gimlet.elementwise"(%[[X]], %[[Y]]) {fn = "lt"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK: %[[F:.*]] = "gimlet.constant"() {value = dense<2.500000e+00> : tensor<f32>}
// CHECK: %[[GT:.*]] = "gimlet.elementwise"(%[[X]], %[[F]]) {fn = "gt"} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
// CHECK: %[[N:.*]] = "gimlet.constant"() {value = dense<3> : tensor<i64>}
// CHECK: %[[EQ:.*]] = "gimlet.elementwise"(%[[I]], %[[N]]) {fn = "eq"} : (tensor<4xi64>, tensor<i64>) -> tensor<4xi1>
// CHECK: return %[[LT]], %[[GT]], %[[EQ]]
// CHECK-NOT: torch
func.func @compare(%x: !torch.vtensor<[4],f32>, %y: !torch.vtensor<[4],f32>, %i: !torch.vtensor<[4],si64>) -> (!torch.vtensor<[4],i1>, !torch.vtensor<[4],i1>, !torch.vtensor<[4],i1>) {
  %f = torch.constant.float 2.500000e+00
  %int3 = torch.constant.int 3
  %0 = torch.aten.lt.Tensor %x, %y : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[4],i1>
  %1 = torch.aten.gt.Scalar %x, %f : !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],i1>
  %2 = torch.aten.eq.Scalar %i, %int3 : !torch.vtensor<[4],si64>, !torch.int -> !torch.vtensor<[4],i1>
  return %0, %1, %2 : !torch.vtensor<[4],i1>, !torch.vtensor<[4],i1>, !torch.vtensor<[4],i1>
}

// Comparisons promote as torch does: an int tensor against a float scalar
// compares as f32 (2.5 is not truncated to 2), a bool tensor against an int
// scalar compares as i64 (2 is not truncated to false), and an int tensor
// against a float tensor compares as f32.
// CHECK-LABEL: func.func @compare_promotion
// CHECK-SAME: (%[[I:.*]]: tensor<4xi32>, %[[B:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>)
// CHECK: %[[F:.*]] = "gimlet.constant"() {value = dense<2.500000e+00> : tensor<f32>}
// CHECK: %[[IF:.*]] = "gimlet.elementwise"(%[[I]]) {fn = "cast"} : (tensor<4xi32>) -> tensor<4xf32>
// CHECK: %[[LT:.*]] = "gimlet.elementwise"(%[[IF]], %[[F]]) {fn = "lt"} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
// CHECK: %[[TWO:.*]] = "gimlet.constant"() {value = dense<2> : tensor<i64>}
// CHECK: %[[BI:.*]] = "gimlet.elementwise"(%[[B]]) {fn = "cast"} : (tensor<4xi1>) -> tensor<4xi64>
// CHECK: %[[EQ:.*]] = "gimlet.elementwise"(%[[BI]], %[[TWO]]) {fn = "eq"} : (tensor<4xi64>, tensor<i64>) -> tensor<4xi1>
// CHECK: %[[IF2:.*]] = "gimlet.elementwise"(%[[I]]) {fn = "cast"} : (tensor<4xi32>) -> tensor<4xf32>
// CHECK: %[[GE:.*]] = "gimlet.elementwise"(%[[IF2]], %[[X]]) {fn = "ge"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK: return %[[LT]], %[[EQ]], %[[GE]]
// CHECK-NOT: torch
func.func @compare_promotion(%i: !torch.vtensor<[4],si32>, %b: !torch.vtensor<[4],i1>, %x: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],i1>, !torch.vtensor<[4],i1>, !torch.vtensor<[4],i1>) {
  %f = torch.constant.float 2.500000e+00
  %int2 = torch.constant.int 2
  %0 = torch.aten.lt.Scalar %i, %f : !torch.vtensor<[4],si32>, !torch.float -> !torch.vtensor<[4],i1>
  %1 = torch.aten.eq.Scalar %b, %int2 : !torch.vtensor<[4],i1>, !torch.int -> !torch.vtensor<[4],i1>
  %2 = torch.aten.ge.Tensor %i, %x : !torch.vtensor<[4],si32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[4],i1>
  return %0, %1, %2 : !torch.vtensor<[4],i1>, !torch.vtensor<[4],i1>, !torch.vtensor<[4],i1>
}

// where.self selects between broadcasting tensors with an i1 condition.
// CHECK-LABEL: func.func @where
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<1xf32>)
// CHECK: %[[W:.*]] = "gimlet.elementwise"(%[[C]], %[[X]], %[[Y]]) {fn = "where"} : (tensor<4xi1>, tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
// CHECK: return %[[W]]
// CHECK-NOT: torch
func.func @where(%c: !torch.vtensor<[4],i1>, %x: !torch.vtensor<[4],f32>, %y: !torch.vtensor<[1],f32>) -> !torch.vtensor<[4],f32> {
  %0 = torch.aten.where.self %c, %x, %y : !torch.vtensor<[4],i1>, !torch.vtensor<[4],f32>, !torch.vtensor<[1],f32> -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// clamp, clamp with no lower bound, clamp_min and hardtanh: fn "clamp" with
// only the bounds that are given.
// CHECK-LABEL: func.func @clamp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[BOTH:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "clamp", max = 6.000000e+00 : f64, min = -1.000000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[HI:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "clamp", max = 6.000000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[LO:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "clamp", min = -1.000000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[HT:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "clamp", max = 1.000000e+00 : f64, min = -1.000000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[BOTH]], %[[HI]], %[[LO]], %[[HT]]
// CHECK-NOT: torch
func.func @clamp(%x: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) {
  %none = torch.constant.none
  %lo = torch.constant.float -1.000000e+00
  %hi = torch.constant.float 6.000000e+00
  %one = torch.constant.float 1.000000e+00
  %0 = torch.aten.clamp %x, %lo, %hi : !torch.vtensor<[4],f32>, !torch.float, !torch.float -> !torch.vtensor<[4],f32>
  %1 = torch.aten.clamp %x, %none, %hi : !torch.vtensor<[4],f32>, !torch.none, !torch.float -> !torch.vtensor<[4],f32>
  %2 = torch.aten.clamp_min %x, %lo : !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],f32>
  %3 = torch.aten.hardtanh %x, %lo, %one : !torch.vtensor<[4],f32>, !torch.float, !torch.float -> !torch.vtensor<[4],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
}

// leaky_relu keeps its negative slope as `alpha`.
// CHECK-LABEL: func.func @leaky_relu
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[R:.*]] = "gimlet.elementwise"(%[[X]]) {alpha = 1.000000e-01 : f64, fn = "leaky_relu"} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[R]]
// CHECK-NOT: torch
func.func @leaky_relu(%x: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %a = torch.constant.float 1.000000e-01
  %0 = torch.aten.leaky_relu %x, %a : !torch.vtensor<[4],f32>, !torch.float -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// to.dtype and _to_copy are casts to the torch result's element type (f16, si32 → i32).
// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>) -> (tensor<4xf16>, tensor<4xi32>)
// CHECK: %[[H:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "cast"} : (tensor<4xf32>) -> tensor<4xf16>
// CHECK: %[[I:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "cast"} : (tensor<4xf32>) -> tensor<4xi32>
// CHECK: return %[[H]], %[[I]]
// CHECK-NOT: torch
func.func @cast(%x: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[4],f16>, !torch.vtensor<[4],si32>) {
  %int5 = torch.constant.int 5
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %none = torch.constant.none
  %0 = torch.aten.to.dtype %x, %int5, %false, %false, %none : !torch.vtensor<[4],f32>, !torch.int, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[4],f16>
  %1 = torch.aten._to_copy %x, %int3, %none, %none, %none, %false, %none : !torch.vtensor<[4],f32>, !torch.int, !torch.none, !torch.none, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[4],si32>
  return %0, %1 : !torch.vtensor<[4],f16>, !torch.vtensor<[4],si32>
}

// A cast to the operand's own type is no op at all.
// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: gimlet.elementwise
// CHECK: return %[[X]] : tensor<4xf32>
func.func @cast_same_type(%x: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %int6 = torch.constant.int 6
  %false = torch.constant.bool false
  %none = torch.constant.none
  %0 = torch.aten.to.dtype %x, %int6, %false, %false, %none : !torch.vtensor<[4],f32>, !torch.int, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// Mixed types: si64 + f32 casts the integer operand to f32 before adding.
// CHECK-LABEL: func.func @promote
// CHECK-SAME: (%[[I:.*]]: tensor<4xi64>, %[[X:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[IF:.*]] = "gimlet.elementwise"(%[[I]]) {fn = "cast"} : (tensor<4xi64>) -> tensor<4xf32>
// CHECK: %[[SUM:.*]] = "gimlet.elementwise"(%[[IF]], %[[X]]) {fn = "add"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[SUM]]
// CHECK-NOT: torch
func.func @promote(%i: !torch.vtensor<[4],si64>, %x: !torch.vtensor<[4],f32>) -> !torch.vtensor<[4],f32> {
  %int1 = torch.constant.int 1
  %0 = torch.aten.add.Tensor %i, %x, %int1 : !torch.vtensor<[4],si64>, !torch.vtensor<[4],f32>, !torch.int -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// Integer true division: div of two si64 tensors gives f32, both operands cast.
// CHECK-LABEL: func.func @int_div
// CHECK-SAME: (%[[A:.*]]: tensor<4xi64>, %[[B:.*]]: tensor<4xi64>) -> tensor<4xf32>
// CHECK: %[[AF:.*]] = "gimlet.elementwise"(%[[A]]) {fn = "cast"} : (tensor<4xi64>) -> tensor<4xf32>
// CHECK: %[[BF:.*]] = "gimlet.elementwise"(%[[B]]) {fn = "cast"} : (tensor<4xi64>) -> tensor<4xf32>
// CHECK: %[[Q:.*]] = "gimlet.elementwise"(%[[AF]], %[[BF]]) {fn = "div"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[Q]]
// CHECK-NOT: torch
func.func @int_div(%a: !torch.vtensor<[4],si64>, %b: !torch.vtensor<[4],si64>) -> !torch.vtensor<[4],f32> {
  %0 = torch.aten.div.Tensor %a, %b : !torch.vtensor<[4],si64>, !torch.vtensor<[4],si64> -> !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[4],f32>
}

// gimlet's pow and floor take floats only: pow and floor of si64 tensors (which
// torch computes as integers) stay foreign, whereas pow of si64 by a float
// exponent computes in f32 (the torch result type) after a cast.
// CHECK-LABEL: func.func @integer_float_fns
// CHECK-SAME: (%[[I:.*]]: tensor<4xi64>)
// CHECK: %[[F:.*]]:2 = "gimlet.foreign"(%[[I]])
// CHECK: torch.aten.pow.Tensor_Scalar {{.*}} -> !torch.vtensor<[4],si64>
// CHECK: torch.aten.floor
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (tensor<4xi64>) -> (tensor<4xi64>, tensor<4xi64>)
// CHECK-DAG: %[[HALF:.*]] = "gimlet.constant"() {value = dense<5.000000e-01> : tensor<f32>}
// CHECK-DAG: %[[IF:.*]] = "gimlet.elementwise"(%[[I]]) {fn = "cast"} : (tensor<4xi64>) -> tensor<4xf32>
// CHECK: %[[P:.*]] = "gimlet.elementwise"(%[[IF]], %[[HALF]]) {fn = "pow"} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: return %[[F]]#0, %[[F]]#1, %[[P]]
func.func @integer_float_fns(%i: !torch.vtensor<[4],si64>) -> (!torch.vtensor<[4],si64>, !torch.vtensor<[4],si64>, !torch.vtensor<[4],f32>) {
  %int2 = torch.constant.int 2
  %half = torch.constant.float 5.000000e-01
  %0 = torch.aten.pow.Tensor_Scalar %i, %int2 : !torch.vtensor<[4],si64>, !torch.int -> !torch.vtensor<[4],si64>
  %1 = torch.aten.floor %i : !torch.vtensor<[4],si64> -> !torch.vtensor<[4],si64>
  %2 = torch.aten.pow.Tensor_Scalar %i, %half : !torch.vtensor<[4],si64>, !torch.float -> !torch.vtensor<[4],f32>
  return %0, %1, %2 : !torch.vtensor<[4],si64>, !torch.vtensor<[4],si64>, !torch.vtensor<[4],f32>
}

// Python's `&` and `|` of bool tensors (__and__.Tensor, __or__.Tensor; torch.export keeps
// transformers' attention masks so) are the logical and/or, broadcasting.
// CHECK-LABEL: func.func @dunder_and_or
// CHECK-SAME: (%[[A:.*]]: tensor<2x1xi1>, %[[B:.*]]: tensor<1x3xi1>)
// CHECK: %[[AND:.*]] = "gimlet.elementwise"(%[[A]], %[[B]]) {fn = "and"} : (tensor<2x1xi1>, tensor<1x3xi1>) -> tensor<2x3xi1>
// CHECK: %[[OR:.*]] = "gimlet.elementwise"(%[[A]], %[[B]]) {fn = "or"} : (tensor<2x1xi1>, tensor<1x3xi1>) -> tensor<2x3xi1>
// CHECK: return %[[AND]], %[[OR]]
// CHECK-NOT: torch
func.func @dunder_and_or(%a: !torch.vtensor<[2,1],i1>, %b: !torch.vtensor<[1,3],i1>) -> (!torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>) {
  %0 = torch.aten.__and__.Tensor %a, %b : !torch.vtensor<[2,1],i1>, !torch.vtensor<[1,3],i1> -> !torch.vtensor<[2,3],i1>
  %1 = torch.aten.__or__.Tensor %a, %b : !torch.vtensor<[2,1],i1>, !torch.vtensor<[1,3],i1> -> !torch.vtensor<[2,3],i1>
  return %0, %1 : !torch.vtensor<[2,3],i1>, !torch.vtensor<[2,3],i1>
}

// `&` of integers is bitwise: gimlet has no op for it, so it stays foreign.
// CHECK-LABEL: func.func @dunder_and_integers
// CHECK: "gimlet.foreign"
// CHECK: torch.aten.__and__.Tensor
func.func @dunder_and_integers(%a: !torch.vtensor<[4],si64>, %b: !torch.vtensor<[4],si64>) -> !torch.vtensor<[4],si64> {
  %0 = torch.aten.__and__.Tensor %a, %b : !torch.vtensor<[4],si64>, !torch.vtensor<[4],si64> -> !torch.vtensor<[4],si64>
  return %0 : !torch.vtensor<[4],si64>
}

// tril and triu select with a constant mask over the last two axes (broadcast over
// the batch axis) and zero: tril keeps j - i <= k, triu keeps j - i >= k.
// CHECK-LABEL: func.func @triangular
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[LOWER:.*]] = "gimlet.constant"() {value = dense<{{\[}}[true, false, false, false], [true, true, false, false], [true, true, true, false]]> : tensor<3x4xi1>}
// CHECK: %[[ZERO:.*]] = "gimlet.constant"() {value = dense<0.000000e+00> : tensor<f32>}
// CHECK: %[[TRIL:.*]] = "gimlet.elementwise"(%[[LOWER]], %[[X]], %[[ZERO]]) {fn = "where"} : (tensor<3x4xi1>, tensor<2x3x4xf32>, tensor<f32>) -> tensor<2x3x4xf32>
// CHECK: %[[UPPER:.*]] = "gimlet.constant"() {value = dense<{{\[}}[false, true, true, true], [false, false, true, true], [false, false, false, true]]> : tensor<3x4xi1>}
// CHECK: %[[TRIU:.*]] = "gimlet.elementwise"(%[[UPPER]], %[[X]], %{{.*}}) {fn = "where"}
// CHECK: return %[[TRIL]], %[[TRIU]]
// CHECK-NOT: torch
func.func @triangular(%x: !torch.vtensor<[2,3,4],f32>) -> (!torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,4],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %0 = torch.aten.tril %x, %int0 : !torch.vtensor<[2,3,4],f32>, !torch.int -> !torch.vtensor<[2,3,4],f32>
  %1 = torch.aten.triu %x, %int1 : !torch.vtensor<[2,3,4],f32>, !torch.int -> !torch.vtensor<[2,3,4],f32>
  return %0, %1 : !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,4],f32>
}

// tril of a bool tensor below the diagonal (k = -1) selects false outside the mask.
// CHECK-LABEL: func.func @tril_bool
// CHECK-SAME: (%[[X:.*]]: tensor<3x3xi1>)
// CHECK: %[[MASK:.*]] = "gimlet.constant"() {value = dense<{{\[}}[false, false, false], [true, false, false], [true, true, false]]> : tensor<3x3xi1>}
// CHECK: %[[FALSE:.*]] = "gimlet.constant"() {value = dense<false> : tensor<i1>}
// CHECK: %[[R:.*]] = "gimlet.elementwise"(%[[MASK]], %[[X]], %[[FALSE]]) {fn = "where"} : (tensor<3x3xi1>, tensor<3x3xi1>, tensor<i1>) -> tensor<3x3xi1>
// CHECK: return %[[R]]
func.func @tril_bool(%x: !torch.vtensor<[3,3],i1>) -> !torch.vtensor<[3,3],i1> {
  %int-1 = torch.constant.int -1
  %0 = torch.aten.tril %x, %int-1 : !torch.vtensor<[3,3],i1>, !torch.int -> !torch.vtensor<[3,3],i1>
  return %0 : !torch.vtensor<[3,3],i1>
}

// ONNX BitCast has no torch-mlir conversion and reaches gimlet as torch.operator "onnx.BitCast";
// the result type names the target, unsigned included (bits are moved, not interpreted), and bool
// to uint8 is the 0/1 conversion (ONNX stores a bool in a byte).
// CHECK-LABEL: func.func @onnx_bitcast
// CHECK: "gimlet.elementwise"(%{{.*}}) {fn = "bitcast"} : (tensor<3xf32>) -> tensor<3xi32>
// CHECK: "gimlet.elementwise"(%{{.*}}) {fn = "bitcast"} : (tensor<3xi16>) -> tensor<3xi16>
// CHECK: "gimlet.elementwise"(%{{.*}}) {fn = "cast"} : (tensor<3xi1>) -> tensor<3xi8>
// CHECK-NOT: torch.operator
func.func @onnx_bitcast(%x: !torch.vtensor<[3],f32>, %u: !torch.vtensor<[3],ui16>, %b: !torch.vtensor<[3],i1>) -> (!torch.vtensor<[3],si32>, !torch.vtensor<[3],si16>, !torch.vtensor<[3],ui8>) {
  %0 = torch.operator "onnx.BitCast"(%x) {torch.onnx.to = 6 : si64} : (!torch.vtensor<[3],f32>) -> !torch.vtensor<[3],si32>
  %1 = torch.operator "onnx.BitCast"(%u) {torch.onnx.to = 5 : si64} : (!torch.vtensor<[3],ui16>) -> !torch.vtensor<[3],si16>
  %2 = torch.operator "onnx.BitCast"(%b) {torch.onnx.to = 2 : si64} : (!torch.vtensor<[3],i1>) -> !torch.vtensor<[3],ui8>
  return %0, %1, %2 : !torch.vtensor<[3],si32>, !torch.vtensor<[3],si16>, !torch.vtensor<[3],ui8>
}
