// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s
// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s --check-prefix=NOGIMLET

// gimlet.reduce → linalg.generic with reduction loops; gimlet.softmax → reductions and elementwise
// generics; gimlet.pool → tensor.pad and a linalg.generic over the windows.

// No gimlet op survives the lowering.
// NOGIMLET-NOT: gimlet

// CHECK-DAG: #[[ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEEP_D1:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[KEEP_D0_D2:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[TO_SCALAR:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ROWS_KEEP:map[0-9]*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[WIN_IN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[WIN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[WIN_OUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[DIVISOR:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>

// sum over axes 0 and 2: those loops reduce, the output reads d1 only, the accumulator starts at 0.
// CHECK-LABEL: func.func @reduce_sum
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[KEEP_D1]]], iterator_types = ["reduction", "parallel", "reduction"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[^:]+]]: f32, %[[ACC:[^:]+]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "sum", axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// mean with keepdims: the kept axis is written at index 0, then the sum is divided by the count (3).
// CHECK-LABEL: func.func @reduce_mean_keepdims
// CHECK-DAG: %[[COUNT:.*]] = arith.constant dense<3.000000e+00> : tensor<f32>
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[KEEP_D0_D2]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x1x4xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[COUNT]] : tensor<2x1x4xf32>, tensor<f32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.divf
func.func @reduce_mean_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = "gimlet.reduce"(%x) {kind = "mean", axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// Float max and min start from -inf and +inf and combine with maximumf / minimumf; reducing every axis gives a 0-d tensor.
// CHECK-LABEL: func.func @reduce_max_min_float
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[POS_INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: linalg.fill ins(%[[POS_INF]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[TO_SCALAR]]], iterator_types = ["reduction", "reduction"]}
// CHECK: arith.minimumf
func.func @reduce_max_min_float(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<f32>) {
  %0 = "gimlet.reduce"(%x) {kind = "max", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = "gimlet.reduce"(%x) {kind = "min", axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<f32>
  return %0, %1 : tensor<2xf32>, tensor<f32>
}

// Integer max, min and prod start from the type's extremes and 1, and use signed ops.
// CHECK-LABEL: func.func @reduce_integer
// CHECK-DAG: %[[LOWEST:.*]] = arith.constant -2147483648 : i32
// CHECK-DAG: %[[HIGHEST:.*]] = arith.constant 2147483647 : i32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: linalg.fill ins(%[[LOWEST]] : i32)
// CHECK: arith.maxsi
// CHECK: linalg.fill ins(%[[HIGHEST]] : i32)
// CHECK: arith.minsi
// CHECK: linalg.fill ins(%[[ONE]] : i32)
// CHECK: arith.muli
func.func @reduce_integer(%x: tensor<2x3xi32>) -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) {
  %0 = "gimlet.reduce"(%x) {kind = "max", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi32>
  %1 = "gimlet.reduce"(%x) {kind = "min", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi32>
  %2 = "gimlet.reduce"(%x) {kind = "prod", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi32>
  return %0, %1, %2 : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>
}

// Bool max (any) starts from false and min (all) from true, with unsigned max and min.
// CHECK-LABEL: func.func @reduce_bool
// CHECK-DAG: %[[FALSE:.*]] = arith.constant false
// CHECK-DAG: %[[TRUE:.*]] = arith.constant true
// CHECK: linalg.fill ins(%[[FALSE]] : i1)
// CHECK: arith.maxui
// CHECK: linalg.fill ins(%[[TRUE]] : i1)
// CHECK: arith.minui
func.func @reduce_bool(%x: tensor<2x3xi1>) -> (tensor<2xi1>, tensor<2xi1>) {
  %0 = "gimlet.reduce"(%x) {kind = "max", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi1>) -> tensor<2xi1>
  %1 = "gimlet.reduce"(%x) {kind = "min", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi1>) -> tensor<2xi1>
  return %0, %1 : tensor<2xi1>, tensor<2xi1>
}

// softmax = exp(x - max) / sum(exp(x - max)) along the axis, with the reductions keeping the axis as size 1.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x5xf32>)
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[MAX_INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<2x1xf32>)
// CHECK: %[[PEAK:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS_KEEP]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x5xf32>) outs(%[[MAX_INIT]] : tensor<2x1xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SHIFTED:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS_KEEP]], #[[ID2]]], {{.*}}} ins(%[[X]], %[[PEAK]] : tensor<2x5xf32>, tensor<2x1xf32>)
// CHECK: arith.subf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[SHIFTED]] : tensor<2x5xf32>)
// CHECK: math.exp %
// CHECK: %[[SUM_INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x1xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS_KEEP]]], iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<2x5xf32>) outs(%[[SUM_INIT]] : tensor<2x1xf32>)
// CHECK: arith.addf
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<2x5xf32>, tensor<2x1xf32>)
// CHECK: arith.divf
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.softmax"(%x) {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// log-softmax = (x - max) - log(sum(exp(x - max))); no division.
// CHECK-LABEL: func.func @log_softmax
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.maximumf
// CHECK: %[[SHIFTED:.*]] = linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK: math.exp %
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.addf
// CHECK: %[[LOG:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x5xf32>)
// CHECK: math.log %
// CHECK: linalg.generic {{.*}} ins(%[[SHIFTED]], %[[LOG]] : tensor<2x5xf32>, tensor<1x5xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NOT: arith.divf
// CHECK: return
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "gimlet.softmax"(%x) {axis = 0 : i64, log = true} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// Max pooling pads with -inf and reduces windows: loops (n, c, oh, ow, kh, kw), the input read at
// o·stride + k, a [3, 3] window tensor giving the window loops their extent.
// CHECK-LABEL: func.func @max_pool
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x2x7x7xf32>)
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PADDED:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG_INF]] : f32
// CHECK: %[[WINDOW:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<1x2x4x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[WIN_IN]], #[[WIN]], #[[WIN_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PADDED]], %[[WINDOW]] : tensor<1x2x9x9xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x2x4x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[^:]+]]: f32, %{{[^:]+}}: f32, %[[ACC:[^:]+]]: f32):
// CHECK-NEXT: arith.maximumf %[[ACC]], %[[IN]] : f32
func.func @max_pool(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// Average pooling without counting the padding: zero padding, a window sum, then division by the number of
// input elements each window covers ([[4, 6], [6, 9]] for a 3x3 window, stride 2, low padding 1 on a 4x4 input).
// CHECK-LABEL: func.func @avg_pool_exclude_pad
// CHECK-DAG: %[[COUNTS:.*]] = arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[WIN_IN]], #[[WIN]], #[[WIN_OUT]]]
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#{{map[0-9]*}}, #[[DIVISOR]], #{{map[0-9]*}}], {{.*}}} ins(%[[SUM]], %[[COUNTS]] : tensor<1x2x2x2xf32>, tensor<2x2xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.divf
func.func @avg_pool_exclude_pad(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %0 = "gimlet.pool"(%x) {kind = "avg", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>, count_include_pad = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// Counting the padding, every window of the same example divides by 9: a scalar divisor.
// CHECK-LABEL: func.func @avg_pool_include_pad
// CHECK-DAG: %[[NINE:.*]] = arith.constant dense<9.000000e+00> : tensor<f32>
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[NINE]] : tensor<1x2x2x2xf32>, tensor<f32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.divf
func.func @avg_pool_include_pad(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %0 = "gimlet.pool"(%x) {kind = "avg", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>, count_include_pad = true} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// In ceil mode the last window runs past the input: pooling pads the high side by one more element
// than the op's padding (here none) so the window loop stays in bounds.
// CHECK-LABEL: func.func @max_pool_ceil_mode
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: } : tensor<1x2x7x7xf32> to tensor<1x2x8x8xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x8x8xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x2x4x4xf32>)
func.func @max_pool_ceil_mode(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// max over f16 is computed in f32 and truncated back: LLVM turns a 16-bit
// maximumf into a call to fmaxf, which IREE's CPU modules do not link.
// CHECK-LABEL: func.func @max_f16
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.*]]: f16, %[[ACC:.*]]: f16):
// CHECK: %[[A:.*]] = arith.extf %[[ACC]] : f16 to f32
// CHECK: %[[B:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK: %[[M:.*]] = arith.maximumf %[[A]], %[[B]] : f32
// CHECK: %[[T:.*]] = arith.truncf %[[M]] : f32 to f16
// CHECK: linalg.yield %[[T]] : f16
func.func @max_f16(%x: tensor<2x3xf16>) -> tensor<2xf16> {
  %0 = "gimlet.reduce"(%x) {kind = "max", axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf16>) -> tensor<2xf16>
  return %0 : tensor<2xf16>
}

// softmax over f16 runs in f32 and is rounded to f16 once, at the end.
// CHECK-LABEL: func.func @softmax_f16
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf16>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: math.exp %{{.*}} : f32
// CHECK: arith.divf %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: return %{{.*}} : tensor<2x3xf16>
func.func @softmax_f16(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %0 = "gimlet.softmax"(%x) {axis = 1 : i64, log = false} : (tensor<2x3xf16>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// The windows of a 2/2 pool over 5 columns read only the first 4: the input is
// sliced to them (IREE infers loop ranges from operand extents).
// CHECK-LABEL: func.func @pool_unread_tail
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : tensor<1x1x5x5xf32> to tensor<1x1x4x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[S]], %{{.*}} : tensor<1x1x4x4xf32>, tensor<2x2xf32>)
func.func @pool_unread_tail(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32> {
  %0 = "gimlet.pool"(%x) {kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// Ceil mode whose last window would start in the high padding: that window is
// dropped (one output), and the input is padded only as far as the window reads.
// CHECK-LABEL: func.func @pool_ceil_window_on_pad
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x3x3x3xf32>, tensor<3x3xf32>)
func.func @pool_ceil_window_on_pad(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32> {
  %0 = "gimlet.pool"(%x) {kind = "avg", kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true, count_include_pad = true} : (tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}
