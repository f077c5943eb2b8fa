// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc" %s | FileCheck %s

// gimlet-lower-to-linalg with conv-layout=nhwc (the CPU target's layout): 2-d
// convolutions of one group and depthwise ones run channels-last between
// transposes, as do grouped ones: with up to 8 groups as a convolution per
// group, with more as a batch_matmul over each group's patches; non-2-d
// convolutions keep the model's layout; one of fewer than 8 input channels (an
// image stem) is a convolution like the others.

// Group g of @grouped_and_1d reads channels 2g + c (the map prints first).
// CHECK: #[[GROUP_INPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2 + d4, d3 + d5, d0 * 2 + d6)>

// One group: input NCHW → NHWC, filter FCHW → HWCF, result NHWC → NCHW.
// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x8xf32>, %[[W:.*]]: tensor<4x8x3x3xf32>)
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[X]] : tensor<1x8x8x8xf32>) outs(%{{.*}} : tensor<1x8x8x8xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<4x8x3x3xf32>) outs(%{{.*}} : tensor<3x3x8x4xf32>) permutation = [2, 3, 1, 0]
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[XT]], %[[WT]] : tensor<1x8x8x8xf32>, tensor<3x3x8x4xf32>) outs(%{{.*}} : tensor<1x6x6x4xf32>)
// CHECK: %[[R:.*]] = linalg.transpose ins(%[[C]] : tensor<1x6x6x4xf32>) outs(%{{.*}} : tensor<1x4x6x6xf32>) permutation = [0, 3, 1, 2]
// CHECK: return %[[R]]
func.func @dense(%x: tensor<1x8x8x8xf32>, %w: tensor<4x8x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// Depthwise (groups = channels, one filter each), strided: the [C, 1, KH, KW]
// filter becomes [KH, KW, C].
// CHECK-LABEL: func.func @depthwise
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x4x8x8xf32>) outs(%{{.*}} : tensor<1x8x8x4xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
// CHECK: linalg.transpose ins(%[[F]] : tensor<4x3x3xf32>) outs(%{{.*}} : tensor<3x3x4xf32>) permutation = [1, 2, 0]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x8x8x4xf32>, tensor<3x3x4xf32>) outs(%{{.*}} : tensor<1x3x3x4xf32>)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x3x3x4xf32>) outs(%{{.*}} : tensor<1x4x3x3xf32>) permutation = [0, 3, 1, 2]
func.func @depthwise(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// Nine groups of two channels: group g's patches of the NHWC input, [G, N·OH·OW, KH·KW·C/G],
// times its filters as [G, KH·KW·C/G, F/G] (from [F, C/G, KH, KW] split as [G, F/G, ...]); the
// [G, N·OH·OW, F/G] product becomes NHWC [N, OH, OW, G·F/G] (g-major, as ONNX numbers output
// channels), then NCHW. A 1-d convolution stays NCW.
// CHECK-LABEL: func.func @grouped_and_1d
// CHECK-SAME: (%[[X:.*]]: tensor<1x18x8x8xf32>, %[[W:.*]]: tensor<18x2x3x3xf32>
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[X]] : tensor<1x18x8x8xf32>) outs(%{{.*}} : tensor<1x8x8x18xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[PATCHES:.*]] = linalg.generic {indexing_maps = [#[[GROUP_INPUT]], #{{.*}}]{{.*}} ins(%[[XT]] : tensor<1x8x8x18xf32>) outs(%{{.*}} : tensor<9x1x6x6x3x3x2xf32>)
// CHECK: %[[WG:.*]] = tensor.expand_shape %[[W]] {{.*}} output_shape [9, 2, 2, 3, 3]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[WG]] : tensor<9x2x2x3x3xf32>) outs(%{{.*}} : tensor<9x3x3x2x2xf32>) permutation = [0, 3, 4, 2, 1]
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[PATCHES]] {{\[\[}}0], [1, 2, 3], [4, 5, 6]] : tensor<9x1x6x6x3x3x2xf32> into tensor<9x36x18xf32>
// CHECK: %[[FILTERS:.*]] = tensor.collapse_shape %[[WT]] {{\[\[}}0], [1, 2, 3], [4]] : tensor<9x3x3x2x2xf32> into tensor<9x18x2xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.batch_matmul ins(%[[ROWS]], %[[FILTERS]] : tensor<9x36x18xf32>, tensor<9x18x2xf32>) outs(%{{.*}} : tensor<9x36x2xf32>)
// CHECK: linalg.transpose ins(%[[PRODUCT]] : tensor<9x36x2xf32>) outs(%{{.*}} : tensor<36x9x2xf32>) permutation = [1, 0, 2]
// CHECK: %[[NHWC:.*]] = tensor.expand_shape %{{.*}} output_shape [1, 6, 6, 18] : tensor<648xf32> into tensor<1x6x6x18xf32>
// CHECK: linalg.transpose ins(%[[NHWC]] : tensor<1x6x6x18xf32>) outs(%{{.*}} : tensor<1x18x6x6xf32>) permutation = [0, 3, 1, 2]
// CHECK: linalg.conv_1d_ncw_fcw
// CHECK-NOT: linalg.conv_2d
func.func @grouped_and_1d(%x: tensor<1x18x8x8xf32>, %w: tensor<18x2x3x3xf32>, %s: tensor<1x3x8xf32>, %v: tensor<2x3x3xf32>) -> (tensor<1x18x6x6xf32>, tensor<1x2x6xf32>) {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 9 : i64} : (tensor<1x18x8x8xf32>, tensor<18x2x3x3xf32>) -> tensor<1x18x6x6xf32>
  %1 = "gimlet.conv"(%s, %v) {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 1 : i64} : (tensor<1x3x8xf32>, tensor<2x3x3xf32>) -> tensor<1x2x6xf32>
  return %0, %1 : tensor<1x18x6x6xf32>, tensor<1x2x6xf32>
}

// Two groups of two channels, strided: a convolution per group. Group g reads input channels
// [2g, 2g + 2) of the NHWC input and filters [2g, 2g + 2) of the [KH, KW, C/G, F] filter; the
// results are concatenated along the channels (inserted side by side).
// CHECK-LABEL: func.func @per_group
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[W:.*]]: tensor<4x2x3x3xf32>)
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[X]] : tensor<1x4x8x8xf32>) outs(%{{.*}} : tensor<1x8x8x4xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<4x2x3x3xf32>) outs(%{{.*}} : tensor<3x3x2x4xf32>) permutation = [2, 3, 1, 0]
// CHECK: %[[X0:.*]] = tensor.extract_slice %[[XT]][0, 0, 0, 0] [1, 8, 8, 2] [1, 1, 1, 1]
// CHECK: %[[W0:.*]] = tensor.extract_slice %[[WT]][0, 0, 0, 0] [3, 3, 2, 2] [1, 1, 1, 1]
// CHECK: %[[C0:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[X0]], %[[W0]] : tensor<1x8x8x2xf32>, tensor<3x3x2x2xf32>) outs(%{{.*}} : tensor<1x3x3x2xf32>)
// CHECK: %[[X1:.*]] = tensor.extract_slice %[[XT]][0, 0, 0, 2] [1, 8, 8, 2] [1, 1, 1, 1]
// CHECK: %[[W1:.*]] = tensor.extract_slice %[[WT]][0, 0, 0, 2] [3, 3, 2, 2] [1, 1, 1, 1]
// CHECK: %[[C1:.*]] = linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[X1]], %[[W1]] : tensor<1x8x8x2xf32>, tensor<3x3x2x2xf32>) outs(%{{.*}} : tensor<1x3x3x2xf32>)
// CHECK: %[[LOW:.*]] = tensor.insert_slice %[[C0]] into %{{.*}}[0, 0, 0, 0] [1, 3, 3, 2] [1, 1, 1, 1] : tensor<1x3x3x2xf32> into tensor<1x3x3x4xf32>
// CHECK: %[[BOTH:.*]] = tensor.insert_slice %[[C1]] into %[[LOW]][0, 0, 0, 2] [1, 3, 3, 2] [1, 1, 1, 1] : tensor<1x3x3x2xf32> into tensor<1x3x3x4xf32>
// CHECK: linalg.transpose ins(%[[BOTH]] : tensor<1x3x3x4xf32>) outs(%{{.*}} : tensor<1x4x3x3xf32>) permutation = [0, 3, 1, 2]
// CHECK-NOT: linalg.batch_matmul
// CHECK: return
func.func @per_group(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// Padding is applied after the transpose, to the NHWC input: IREE cancels
// transposes between convolutions only when no pad stands between them.
// CHECK-LABEL: func.func @padded
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x8xf32>
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[X]] : tensor<1x8x8x8xf32>) outs(%{{.*}} : tensor<1x8x8x8xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[P:.*]] = tensor.pad %[[XT]] low[0, 1, 2, 0] high[0, 1, 2, 0]
// CHECK: } : tensor<1x8x8x8xf32> to tensor<1x10x12x8xf32>
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[P]], %{{.*}} : tensor<1x10x12x8xf32>, tensor<3x3x8x4xf32>)
func.func @padded(%x: tensor<1x8x8x8xf32>, %w: tensor<4x8x3x3xf32>) -> tensor<1x4x8x10xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 1, 2, 1, 2>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x8x10xf32>
  return %0 : tensor<1x4x8x10xf32>
}

// Three input channels (an image stem), stride 2, padded: a convolution like any other (the
// CPU target keeps it out of data tiling after IREE's global optimization).
// CHECK-LABEL: func.func @thin_channels
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[X]] : tensor<1x3x8x8xf32>) outs(%{{.*}} : tensor<1x8x8x3xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[P:.*]] = tensor.pad %[[XT]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<4x3x3x3xf32>) outs(%{{.*}} : tensor<3x3x3x4xf32>) permutation = [2, 3, 1, 0]
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[WT]] : tensor<1x10x10x3xf32>, tensor<3x3x3x4xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>)
// CHECK: %[[R:.*]] = linalg.transpose ins(%[[C]] : tensor<1x4x4x4xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>) permutation = [0, 3, 1, 2]
// CHECK-NOT: linalg.batch_matmul
// CHECK: return %[[R]] : tensor<1x4x4x4xf32>
func.func @thin_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}
