// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s
// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s --check-prefix=NOGIMLET

// gimlet.matmul → linalg.matmul / linalg.batch_matmul; gimlet.conv → linalg conv ops (a linalg.generic where
// linalg has no named op); gimlet.attention → transpose, matmuls and a softmax.

// No gimlet op survives the lowering.
// NOGIMLET-NOT: gimlet

// CHECK-DAG: #[[BCAST_LHS:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
// CHECK-DAG: #[[BCAST_RHS:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// CHECK-DAG: #[[ID4:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[G1D_IN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5 * 3)>
// CHECK-DAG: #[[G1D_W:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[G1D_OUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>

// A plain matrix product: linalg.matmul into a zero-filled accumulator.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<3x4xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[ACC]] : tensor<2x4xf32>)
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// [B, S, K]·[K, N] folds the batch into rows: collapse to [B·S, K], one linalg.matmul, expand back.
// CHECK-LABEL: func.func @matmul_fold_batch
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x5x3xf32>, %[[B:[^:]+]]: tensor<3x4xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<2x5x3xf32> into tensor<10x3xf32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[ROWS]], %[[B]] : tensor<10x3xf32>, tensor<3x4xf32>) outs(%{{.*}} : tensor<10x4xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1], [2]] output_shape [2, 5, 4] : tensor<10x4xf32> into tensor<2x5x4xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK: return %[[R]]
func.func @matmul_fold_batch(%a: tensor<2x5x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x5x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// Batch dimensions [2, 1] and [6] broadcast to [2, 6]: each operand is broadcast, collapsed to 12 batches,
// and multiplied by linalg.batch_matmul.
// CHECK-LABEL: func.func @batch_matmul_broadcast
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x1x5x3xf32>, %[[B:[^:]+]]: tensor<6x3x4xf32>)
// CHECK: %[[AB:.*]] = linalg.generic {indexing_maps = [#[[BCAST_LHS]], #[[ID4]]], {{.*}}} ins(%[[A]] : tensor<2x1x5x3xf32>) outs(%{{.*}} : tensor<2x6x5x3xf32>)
// CHECK: %[[AC:.*]] = tensor.collapse_shape %[[AB]] {{\[}}[0, 1], [2], [3]] : tensor<2x6x5x3xf32> into tensor<12x5x3xf32>
// CHECK: %[[BB:.*]] = linalg.generic {indexing_maps = [#[[BCAST_RHS]], #[[ID4]]], {{.*}}} ins(%[[B]] : tensor<6x3x4xf32>) outs(%{{.*}} : tensor<2x6x3x4xf32>)
// CHECK: %[[BC:.*]] = tensor.collapse_shape %[[BB]] {{\[}}[0, 1], [2], [3]] : tensor<2x6x3x4xf32> into tensor<12x3x4xf32>
// CHECK: %[[P:.*]] = linalg.batch_matmul ins(%[[AC]], %[[BC]] : tensor<12x5x3xf32>, tensor<12x3x4xf32>) outs(%{{.*}} : tensor<12x5x4xf32>)
// CHECK: tensor.expand_shape %[[P]] {{\[}}[0, 1], [2], [3]] output_shape [2, 6, 5, 4] : tensor<12x5x4xf32> into tensor<2x6x5x4xf32>
func.func @batch_matmul_broadcast(%a: tensor<2x1x5x3xf32>, %b: tensor<6x3x4xf32>) -> tensor<2x6x5x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<2x1x5x3xf32>, tensor<6x3x4xf32>) -> tensor<2x6x5x4xf32>
  return %0 : tensor<2x6x5x4xf32>
}

// A matrix-vector product treats the vector as a [K, 1] matrix and drops that dimension again.
// CHECK-LABEL: func.func @matvec
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xf32>, %[[V:[^:]+]]: tensor<3xf32>)
// CHECK: %[[COL:.*]] = tensor.expand_shape %[[V]] {{\[}}[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[A]], %[[COL]] : tensor<2x3xf32>, tensor<3x1xf32>)
// CHECK: tensor.collapse_shape %[[P]] {{\[}}[0, 1]] : tensor<2x1xf32> into tensor<2xf32>
func.func @matvec(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> tensor<2xf32> {
  %0 = "gimlet.matmul"(%a, %v) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// A product of one row takes its left operand through a compute barrier, which keeps IREE's
// data-tiling pack of it out of the dispatch that makes it without splitting the call's work
// (LowerMatmul).
// CHECK-LABEL: func.func @one_row
// CHECK-SAME: (%[[A:[^:]+]]: tensor<1x3xf32>, %[[B:[^:]+]]: tensor<3x4xf32>)
// CHECK-NOT: util.optimization_barrier
// CHECK: %[[KEPT:.*]] = iree_tensor_ext.compute_barrier.start %[[A]] : tensor<1x3xf32> -> tensor<1x3xf32>
// CHECK: linalg.matmul ins(%[[KEPT]], %[[B]] : tensor<1x3xf32>, tensor<3x4xf32>)
func.func @one_row(%a: tensor<1x3xf32>, %b: tensor<3x4xf32>) -> tensor<1x4xf32> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<1x3xf32>, tensor<3x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// A 16-bit matmul accumulates in f32 and is rounded to f16 once, at the end.
// CHECK-LABEL: func.func @matmul_f16
// CHECK-SAME: (%[[A:[^:]+]]: tensor<4x8xf16>, %[[B:[^:]+]]: tensor<8x3xf16>)
// CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf16>, tensor<8x3xf16>) outs(%[[ACC]] : tensor<4x3xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<4x3xf32>) outs(%{{.*}} : tensor<4x3xf16>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.truncf %{{.*}} : f32 to f16
// CHECK: return %[[R]]
func.func @matmul_f16(%a: tensor<4x8xf16>, %b: tensor<8x3xf16>) -> tensor<4x3xf16> {
  %0 = "gimlet.matmul"(%a, %b) : (tensor<4x8xf16>, tensor<8x3xf16>) -> tensor<4x3xf16>
  return %0 : tensor<4x3xf16>
}

// A 2-d convolution with groups = 1: padding becomes tensor.pad with zeros, the product
// linalg.conv_2d_nchw_fchw with the strides and dilations, the bias a broadcasting add.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x9x9xf32>, %[[W:[^:]+]]: tensor<8x4x3x3xf32>, %[[BIAS:[^:]+]]: tensor<8xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PADDED:.*]] = tensor.pad %[[X]] low[0, 0, 1, 0] high[0, 0, 0, 1]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<1x4x9x9xf32> to tensor<1x4x10x10xf32>
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<1x8x4x2xf32>)
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>} ins(%[[PADDED]], %[[W]] : tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>) outs(%[[ACC]] : tensor<1x8x4x2xf32>)
// CHECK: %[[B3:.*]] = tensor.expand_shape %[[BIAS]] {{\[}}[0, 1, 2]] output_shape [8, 1, 1] : tensor<8xf32> into tensor<8x1x1xf32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[CONV]], %[[B3]] : tensor<1x8x4x2xf32>, tensor<8x1x1xf32>)
// CHECK: arith.addf
// CHECK: return %[[R]]
func.func @conv2d(%x: tensor<1x4x9x9xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x4x2xf32> {
  %0 = "gimlet.conv"(%x, %w, %b) {strides = array<i64: 2, 3>, padding = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>, groups = 1 : i64} : (tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x2xf32>
  return %0 : tensor<1x8x4x2xf32>
}

// Without padding there is no tensor.pad; without bias no add.
// CHECK-LABEL: func.func @conv2d_unpadded
// CHECK-NOT: tensor.pad
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @conv2d_unpadded(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// Depthwise (groups = channels = filters, one channel per filter) takes the grouped path: IREE 3.13
// miscompiles linalg.depthwise_conv_2d_nchw_chw for Vulkan, conv_2d_ngchw_gfchw is right everywhere.
// CHECK-LABEL: func.func @depthwise
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x6x6xf32>, %[[W:[^:]+]]: tensor<4x1x3x3xf32>)
// CHECK-DAG: %[[XG:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3], [4]] output_shape [1, 4, 1, 6, 6]
// CHECK-DAG: %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[}}[0], [1], [2, 3], [4]] output_shape [4, 1, 1, 3, 3]
// CHECK: %[[C:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[XG]], %[[WG]] : tensor<1x4x1x6x6xf32>, tensor<4x1x1x3x3xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[}}[0], [1], [2, 3], [4]] : tensor<1x4x1x2x2xf32> into tensor<1x4x2x2xf32>
// CHECK-NOT: depthwise
func.func @depthwise(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// A grouped 2-d convolution splits channels and filters into groups for linalg.conv_2d_ngchw_gfchw.
// CHECK-LABEL: func.func @grouped
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x6x6xf32>, %[[W:[^:]+]]: tensor<6x2x3x3xf32>)
// CHECK-DAG: %[[XG:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 6, 6] : tensor<1x4x6x6xf32> into tensor<1x2x2x6x6xf32>
// CHECK-DAG: %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[G:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[XG]], %[[WG]] : tensor<1x2x2x6x6xf32>, tensor<2x3x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x3x2x4xf32>)
// CHECK: tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x2x4xf32> into tensor<1x6x2x4xf32>
func.func @grouped(%x: tensor<1x4x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x2x4xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 1>, groups = 2 : i64} : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x2x4xf32>
  return %0 : tensor<1x6x2x4xf32>
}

// A grouped 1-d convolution has no named linalg op: a linalg.generic over (n, g, f, out, c, k) whose input
// map applies the stride (2) and dilation (3), reducing over c and k.
// CHECK-LABEL: func.func @grouped_1d
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[G1D_IN]], #[[G1D_W]], #[[G1D_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<2x2x2x12xf32>, tensor<2x3x2x3xf32>) outs(%{{.*}} : tensor<2x2x3x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[^:]+]]: f32, %[[WT:[^:]+]]: f32, %[[ACC:[^:]+]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[IN]], %[[WT]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[M]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2], [3]] : tensor<2x2x3x3xf32> into tensor<2x6x3xf32>
// CHECK-NOT: linalg.conv
// CHECK: return
func.func @grouped_1d(%x: tensor<2x4x12xf32>, %w: tensor<6x2x3xf32>) -> tensor<2x6x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 3>, groups = 2 : i64} : (tensor<2x4x12xf32>, tensor<6x2x3xf32>) -> tensor<2x6x3xf32>
  return %0 : tensor<2x6x3xf32>
}

// 1-d and 3-d convolutions with groups = 1 use linalg.conv_1d_ncw_fcw and linalg.conv_3d_ncdhw_fcdhw.
// CHECK-LABEL: func.func @conv1d_conv3d
// CHECK: linalg.conv_1d_ncw_fcw {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%{{.*}}, %{{.*}} : tensor<2x4x10xf32>, tensor<6x4x3xf32>)
// CHECK: linalg.conv_3d_ncdhw_fcdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<[1, 2, 1]> : tensor<3xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x2x5x5x5xf32>, tensor<3x2x2x2x2xf32>)
func.func @conv1d_conv3d(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>, %y: tensor<1x2x5x5x5xf32>, %v: tensor<3x2x2x2x2xf32>) -> (tensor<2x6x8xf32>, tensor<1x3x4x2x4xf32>) {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 1 : i64} : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  %1 = "gimlet.conv"(%y, %v) {strides = array<i64: 1, 2, 1>, padding = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>, groups = 1 : i64} : (tensor<1x2x5x5x5xf32>, tensor<3x2x2x2x2xf32>) -> tensor<1x3x4x2x4xf32>
  return %0, %1 : tensor<2x6x8xf32>, tensor<1x3x4x2x4xf32>
}

// Attention decomposes: k is transposed, q·kᵀ is a batch matmul scaled by the given scale, the i1 mask
// selects -inf, softmax is max / subtract / exp / sum / divide, and a second batch matmul applies v.
// CHECK-LABEL: func.func @attention_masked
// CHECK-SAME: (%[[Q:[^:]+]]: tensor<2x4x8xf32>, %[[K:[^:]+]]: tensor<2x6x8xf32>, %[[V:[^:]+]]: tensor<2x6x5xf32>, %[[M:[^:]+]]: tensor<4x6xi1>)
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant dense<0xFF800000> : tensor<f32>
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[KT:.*]] = linalg.transpose ins(%[[K]] : tensor<2x6x8xf32>) outs(%{{.*}} : tensor<2x8x6xf32>) permutation = [0, 2, 1]
// CHECK: %[[QK:.*]] = linalg.batch_matmul ins(%[[Q]], %[[KT]] : tensor<2x4x8xf32>, tensor<2x8x6xf32>)
// CHECK: %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[QK]], %[[SCALE]] : tensor<2x4x6xf32>, tensor<f32>)
// CHECK: arith.mulf
// CHECK: %[[MASKED:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[SCALED]], %[[NEG_INF]] : tensor<4x6xi1>, tensor<2x4x6xf32>, tensor<f32>)
// CHECK: arith.select
// CHECK: %[[PEAK:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[MASKED]] : tensor<2x4x6xf32>) outs(%{{.*}} : tensor<2x4x1xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SHIFTED:.*]] = linalg.generic {{.*}} ins(%[[MASKED]], %[[PEAK]] : tensor<2x4x6xf32>, tensor<2x4x1xf32>)
// CHECK: arith.subf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[SHIFTED]] : tensor<2x4x6xf32>)
// CHECK: math.exp %
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[EXP]] : tensor<2x4x6xf32>) outs(%{{.*}} : tensor<2x4x1xf32>)
// CHECK: arith.addf
// CHECK: %[[PROBS:.*]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<2x4x6xf32>, tensor<2x4x1xf32>)
// CHECK: arith.divf
// CHECK: %[[R:.*]] = linalg.batch_matmul ins(%[[PROBS]], %[[V]] : tensor<2x4x6xf32>, tensor<2x6x5xf32>) outs(%{{.*}} : tensor<2x4x5xf32>)
// CHECK: return %[[R]]
func.func @attention_masked(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x5xf32>, %m: tensor<4x6xi1>) -> tensor<2x4x5xf32> {
  %0 = "gimlet.attention"(%q, %k, %v, %m) {scale = 0.5 : f64} : (tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x5xf32>, tensor<4x6xi1>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// Causal attention without a scale: 1/√E = 1/√8 scales the scores and a lower-triangular 0 / -inf constant
// (aligned top-left, as PyTorch does) is added to them.
// CHECK-LABEL: func.func @attention_causal
// CHECK-DAG: %[[CAUSAL:.*]] = arith.constant dense<{{\[}}[0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000]]> : tensor<3x5xf32>
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<0.353553{{[0-9]*}}> : tensor<f32>
// CHECK: %[[QK:.*]] = linalg.matmul
// CHECK: %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[QK]], %[[SCALE]] : tensor<3x5xf32>, tensor<f32>)
// CHECK: linalg.generic {{.*}} ins(%[[SCALED]], %[[CAUSAL]] : tensor<3x5xf32>, tensor<3x5xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
func.func @attention_causal(%q: tensor<3x8xf32>, %k: tensor<5x8xf32>, %v: tensor<5x8xf32>) -> tensor<3x8xf32> {
  %0 = "gimlet.attention"(%q, %k, %v) {causal = true} : (tensor<3x8xf32>, tensor<5x8xf32>, tensor<5x8xf32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}
