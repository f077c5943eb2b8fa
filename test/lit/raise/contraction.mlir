// RUN: gimlet-opt --gimlet-raise-torch --gimlet-verify %s | FileCheck %s

// Tests of gimlet-raise-torch on matrix products, convolutions and attention.

// aten.mm and aten.bmm are gimlet.matmul of their operands.
// CHECK-LABEL: func.func @mm
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[C:.*]]: tensor<5x2x3xf32>, %[[D:.*]]: tensor<5x3x4xf32>)
// CHECK: %[[MM:.*]] = "gimlet.matmul"(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[BMM:.*]] = "gimlet.matmul"(%[[C]], %[[D]]) : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
// CHECK: return %[[MM]], %[[BMM]]
// CHECK-NOT: torch
func.func @mm(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3,4],f32>, %c: !torch.vtensor<[5,2,3],f32>, %d: !torch.vtensor<[5,3,4],f32>) -> (!torch.vtensor<[2,4],f32>, !torch.vtensor<[5,2,4],f32>) {
  %0 = torch.aten.mm %a, %b : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32> -> !torch.vtensor<[2,4],f32>
  %1 = torch.aten.bmm %c, %d : !torch.vtensor<[5,2,3],f32>, !torch.vtensor<[5,3,4],f32> -> !torch.vtensor<[5,2,4],f32>
  return %0, %1 : !torch.vtensor<[2,4],f32>, !torch.vtensor<[5,2,4],f32>
}

// aten.matmul with 1-d operands (vector-matrix, matrix-vector, dot) and with
// broadcast batch dimensions ([2,1] against [5]) is one gimlet.matmul.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[V:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3x4xf32>, %[[N:.*]]: tensor<2x3xf32>, %[[X:.*]]: tensor<2x1x4x3xf32>, %[[Y:.*]]: tensor<5x3x6xf32>)
// CHECK: %[[VM:.*]] = "gimlet.matmul"(%[[V]], %[[M]]) : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
// CHECK: %[[MV:.*]] = "gimlet.matmul"(%[[N]], %[[V]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
// CHECK: %[[DOT:.*]] = "gimlet.matmul"(%[[V]], %[[V]]) : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
// CHECK: %[[BATCH:.*]] = "gimlet.matmul"(%[[X]], %[[Y]]) : (tensor<2x1x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x5x4x6xf32>
// CHECK: return %[[VM]], %[[MV]], %[[DOT]], %[[BATCH]]
// CHECK-NOT: torch
func.func @matmul(%v: !torch.vtensor<[3],f32>, %m: !torch.vtensor<[3,4],f32>, %n: !torch.vtensor<[2,3],f32>, %x: !torch.vtensor<[2,1,4,3],f32>, %y: !torch.vtensor<[5,3,6],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[2],f32>, !torch.vtensor<[],f32>, !torch.vtensor<[2,5,4,6],f32>) {
  %0 = torch.aten.matmul %v, %m : !torch.vtensor<[3],f32>, !torch.vtensor<[3,4],f32> -> !torch.vtensor<[4],f32>
  %1 = torch.aten.matmul %n, %v : !torch.vtensor<[2,3],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[2],f32>
  %2 = torch.aten.matmul %v, %v : !torch.vtensor<[3],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[],f32>
  %3 = torch.aten.matmul %x, %y : !torch.vtensor<[2,1,4,3],f32>, !torch.vtensor<[5,3,6],f32> -> !torch.vtensor<[2,5,4,6],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[4],f32>, !torch.vtensor<[2],f32>, !torch.vtensor<[],f32>, !torch.vtensor<[2,5,4,6],f32>
}

// linear(x, w, b) = x·wᵀ + b: a transpose of the weight, a matmul and, with a
// bias, an add; without a bias there is no add.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x3xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[WT:.*]] = "gimlet.transpose"(%[[W]]) {permutation = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
// CHECK: %[[P:.*]] = "gimlet.matmul"(%[[X]], %[[WT]]) : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<2x5x4xf32>
// CHECK: %[[Y:.*]] = "gimlet.elementwise"(%[[P]], %[[B]]) {fn = "add"} : (tensor<2x5x4xf32>, tensor<4xf32>) -> tensor<2x5x4xf32>
// CHECK: %[[WT2:.*]] = "gimlet.transpose"(%[[W]]) {permutation = array<i64: 1, 0>}
// CHECK: %[[P2:.*]] = "gimlet.matmul"(%[[X]], %[[WT2]])
// CHECK-NOT: gimlet.elementwise
// CHECK: return %[[Y]], %[[P2]]
// CHECK-NOT: torch
func.func @linear(%x: !torch.vtensor<[2,5,3],f32>, %w: !torch.vtensor<[4,3],f32>, %b: !torch.vtensor<[4],f32>) -> (!torch.vtensor<[2,5,4],f32>, !torch.vtensor<[2,5,4],f32>) {
  %none = torch.constant.none
  %0 = torch.aten.linear %x, %w, %b : !torch.vtensor<[2,5,3],f32>, !torch.vtensor<[4,3],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[2,5,4],f32>
  %1 = torch.aten.linear %x, %w, %none : !torch.vtensor<[2,5,3],f32>, !torch.vtensor<[4,3],f32>, !torch.none -> !torch.vtensor<[2,5,4],f32>
  return %0, %1 : !torch.vtensor<[2,5,4],f32>, !torch.vtensor<[2,5,4],f32>
}

// addmm(bias, a, b) with beta = alpha = 1 is bias + a·b; beta = 2 has no
// gimlet form and stays foreign.
// CHECK-LABEL: func.func @addmm
// CHECK-SAME: (%[[BIAS:.*]]: tensor<4xf32>, %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK: %[[P:.*]] = "gimlet.matmul"(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[Y:.*]] = "gimlet.elementwise"(%[[P]], %[[BIAS]]) {fn = "add"} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: %[[F:.*]] = "gimlet.foreign"(%[[BIAS]], %[[A]], %[[B]])
// CHECK: torch.aten.addmm
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (tensor<4xf32>, tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[Y]], %[[F]]
func.func @addmm(%bias: !torch.vtensor<[4],f32>, %a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[3,4],f32>) -> (!torch.vtensor<[2,4],f32>, !torch.vtensor<[2,4],f32>) {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %0 = torch.aten.addmm %bias, %a, %b, %int1, %int1 : !torch.vtensor<[4],f32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,4],f32>
  %1 = torch.aten.addmm %bias, %a, %b, %int2, %int1 : !torch.vtensor<[4],f32>, !torch.vtensor<[2,3],f32>, !torch.vtensor<[3,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[2,4],f32>
  return %0, %1 : !torch.vtensor<[2,4],f32>, !torch.vtensor<[2,4],f32>
}

// 2-d convolution with a bias, per-dimension stride, padding and dilation and
// 2 groups: padding becomes low then high padding per spatial dimension.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x9x10xf32>, %[[W:.*]]: tensor<8x2x3x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[Y:.*]] = "gimlet.conv"(%[[X]], %[[W]], %[[B]]) {dilations = array<i64: 1, 2>, groups = 2 : i64, padding = array<i64: 1, 0, 1, 0>, strides = array<i64: 2, 1>} : (tensor<1x4x9x10xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x5x6xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: torch
func.func @conv2d(%x: !torch.vtensor<[1,4,9,10],f32>, %w: !torch.vtensor<[8,2,3,3],f32>, %b: !torch.vtensor<[8],f32>) -> !torch.vtensor<[1,8,5,6],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %stride = torch.prim.ListConstruct %int2, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %padding = torch.prim.ListConstruct %int1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %dilation = torch.prim.ListConstruct %int1, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %outpad = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %b, %stride, %padding, %dilation, %false, %outpad, %int2 : !torch.vtensor<[1,4,9,10],f32>, !torch.vtensor<[8,2,3,3],f32>, !torch.vtensor<[8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[1,8,5,6],f32>
  return %0 : !torch.vtensor<[1,8,5,6],f32>
}

// 1-d convolution without a bias: two operands, one spatial dimension.
// CHECK-LABEL: func.func @conv1d
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x10xf32>, %[[W:.*]]: tensor<4x3x3xf32>)
// CHECK: %[[Y:.*]] = "gimlet.conv"(%[[X]], %[[W]]) {dilations = array<i64: 1>, groups = 1 : i64, padding = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x10xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: torch
func.func @conv1d(%x: !torch.vtensor<[2,3,10],f32>, %w: !torch.vtensor<[4,3,3],f32>) -> !torch.vtensor<[2,4,10],f32> {
  %none = torch.constant.none
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %false = torch.constant.bool false
  %ones = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %none, %ones, %ones, %ones, %false, %zeros, %int1 : !torch.vtensor<[2,3,10],f32>, !torch.vtensor<[4,3,3],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[2,4,10],f32>
  return %0 : !torch.vtensor<[2,4,10],f32>
}

// 3-d convolution with stride 2.
// CHECK-LABEL: func.func @conv3d
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4x4xf32>, %[[W:.*]]: tensor<3x2x2x2x2xf32>)
// CHECK: %[[Y:.*]] = "gimlet.conv"(%[[X]], %[[W]]) {dilations = array<i64: 1, 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>) -> tensor<1x3x2x2x2xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: torch
func.func @conv3d(%x: !torch.vtensor<[1,2,4,4,4],f32>, %w: !torch.vtensor<[3,2,2,2,2],f32>) -> !torch.vtensor<[1,3,2,2,2],f32> {
  %none = torch.constant.none
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %stride = torch.prim.ListConstruct %int2, %int2, %int2 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0, %int0 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %ones = torch.prim.ListConstruct %int1, %int1, %int1 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %none, %stride, %zeros, %ones, %false, %zeros, %int1 : !torch.vtensor<[1,2,4,4,4],f32>, !torch.vtensor<[3,2,2,2,2],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[1,3,2,2,2],f32>
  return %0 : !torch.vtensor<[1,3,2,2,2],f32>
}

// Transposed convolution has no gimlet op: it stays foreign, whole, with its
// constants cloned into the region.
// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x5x5xf32>, %[[W:.*]]: tensor<4x2x3x3xf32>)
// CHECK-NOT: gimlet.conv
// CHECK: %[[F:.*]] = "gimlet.foreign"(%[[X]], %[[W]])
// CHECK: %[[TRUE:.*]] = torch.constant.bool true
// CHECK: torch.aten.convolution {{.*}}, %[[TRUE]], {{.*}} -> !torch.vtensor<[1,2,10,10],f32>
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32>
// CHECK: return %[[F]]
func.func @conv_transpose(%x: !torch.vtensor<[1,4,5,5],f32>, %w: !torch.vtensor<[4,2,3,3],f32>) -> !torch.vtensor<[1,2,10,10],f32> {
  %none = torch.constant.none
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %true = torch.constant.bool true
  %stride = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.convolution %x, %w, %none, %stride, %ones, %ones, %true, %ones, %int1 : !torch.vtensor<[1,4,5,5],f32>, !torch.vtensor<[4,2,3,3],f32>, !torch.none, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.list<int>, !torch.int -> !torch.vtensor<[1,2,10,10],f32>
  return %0 : !torch.vtensor<[1,2,10,10],f32>
}

// scaled_dot_product_attention: causal with an explicit scale; a boolean mask
// is passed as is; a float mask (broadcasting over heads) too; dropout != 0
// stays foreign.
// CHECK-LABEL: func.func @sdpa
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x16xf32>, %[[K:.*]]: tensor<2x4x6x16xf32>, %[[V:.*]]: tensor<2x4x6x32xf32>, %[[BM:.*]]: tensor<8x6xi1>, %[[FM:.*]]: tensor<2x1x8x6xf32>)
// CHECK: %[[CAUSAL:.*]] = "gimlet.attention"(%[[Q]], %[[K]], %[[V]]) {causal = true, scale = 1.250000e-01 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>) -> tensor<2x4x8x32xf32>
// CHECK: %[[BOOL:.*]] = "gimlet.attention"(%[[Q]], %[[K]], %[[V]], %[[BM]]) {causal = false} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<8x6xi1>) -> tensor<2x4x8x32xf32>
// CHECK: %[[FLOAT:.*]] = "gimlet.attention"(%[[Q]], %[[K]], %[[V]], %[[FM]]) {causal = false} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<2x1x8x6xf32>) -> tensor<2x4x8x32xf32>
// CHECK: %[[DROP:.*]] = "gimlet.foreign"(%[[Q]], %[[K]], %[[V]])
// CHECK: torch.constant.float 1.000000e-01
// CHECK: torch.aten.scaled_dot_product_attention
// CHECK: "gimlet.yield"
// CHECK: return %[[CAUSAL]], %[[BOOL]], %[[FLOAT]], %[[DROP]]
func.func @sdpa(%q: !torch.vtensor<[2,4,8,16],f32>, %k: !torch.vtensor<[2,4,6,16],f32>, %v: !torch.vtensor<[2,4,6,32],f32>, %bm: !torch.vtensor<[8,6],i1>, %fm: !torch.vtensor<[2,1,8,6],f32>) -> (!torch.vtensor<[2,4,8,32],f32>, !torch.vtensor<[2,4,8,32],f32>, !torch.vtensor<[2,4,8,32],f32>, !torch.vtensor<[2,4,8,32],f32>) {
  %none = torch.constant.none
  %f0 = torch.constant.float 0.000000e+00
  %fd = torch.constant.float 1.000000e-01
  %scale = torch.constant.float 1.250000e-01
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %0 = torch.aten.scaled_dot_product_attention %q, %k, %v, %none, %f0, %true, %scale, %false : !torch.vtensor<[2,4,8,16],f32>, !torch.vtensor<[2,4,6,16],f32>, !torch.vtensor<[2,4,6,32],f32>, !torch.none, !torch.float, !torch.bool, !torch.float, !torch.bool -> !torch.vtensor<[2,4,8,32],f32>
  %1 = torch.aten.scaled_dot_product_attention %q, %k, %v, %bm, %f0, %false, %none, %false : !torch.vtensor<[2,4,8,16],f32>, !torch.vtensor<[2,4,6,16],f32>, !torch.vtensor<[2,4,6,32],f32>, !torch.vtensor<[8,6],i1>, !torch.float, !torch.bool, !torch.none, !torch.bool -> !torch.vtensor<[2,4,8,32],f32>
  %2 = torch.aten.scaled_dot_product_attention %q, %k, %v, %fm, %f0, %false, %none, %false : !torch.vtensor<[2,4,8,16],f32>, !torch.vtensor<[2,4,6,16],f32>, !torch.vtensor<[2,4,6,32],f32>, !torch.vtensor<[2,1,8,6],f32>, !torch.float, !torch.bool, !torch.none, !torch.bool -> !torch.vtensor<[2,4,8,32],f32>
  %3 = torch.aten.scaled_dot_product_attention %q, %k, %v, %none, %fd, %false, %none, %false : !torch.vtensor<[2,4,8,16],f32>, !torch.vtensor<[2,4,6,16],f32>, !torch.vtensor<[2,4,6,32],f32>, !torch.none, !torch.float, !torch.bool, !torch.none, !torch.bool -> !torch.vtensor<[2,4,8,32],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[2,4,8,32],f32>, !torch.vtensor<[2,4,8,32],f32>, !torch.vtensor<[2,4,8,32],f32>, !torch.vtensor<[2,4,8,32],f32>
}
