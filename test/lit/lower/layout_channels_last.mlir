// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc" %s | FileCheck %s

// gimlet-lower-to-linalg with conv-layout=nhwc: the transposes around each
// channels-last convolution are sunk through pointwise ops (a bias, a relu, a
// residual add) and cancelled in pairs, so that a chain of convolutions stays
// NHWC from its first input to its last output; 2-d pools run NHWC too, and a
// strided 1×1 convolution is a matmul over the pixels it reads.

// The max pool's window loops are innermost, the channel loop last of the parallel ones.
// CHECK: #[[POOL_IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d3)>

// Bias, relu and the residual add run on NHWC values; the only activation
// transposes left are the first input's and the last output's.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x6x6xf32>, %{{.*}}: tensor<8x8x3x3xf32>, %[[B:.*]]: tensor<8xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<1x8x6x6xf32>) outs(%{{.*}} : tensor<1x6x6x8xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_hwcf
// CHECK: %[[BIASED:.*]] = linalg.generic {{.*}} ins(%[[C]], %[[B]] : tensor<1x6x6x8xf32>, tensor<8xf32>)
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[BIASED]] : tensor<1x6x6x8xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[RELU]], %[[BIASED]] : tensor<1x6x6x8xf32>, tensor<1x6x6x8xf32>)
// CHECK-NOT: permutation = [0, 2, 3, 1]
// CHECK-NOT: permutation = [0, 3, 1, 2]
// CHECK: tensor.pad %[[SUM]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[D:.*]] = linalg.conv_2d_nhwc_hwcf
// CHECK: %[[R:.*]] = linalg.transpose ins(%[[D]] : tensor<1x6x6x8xf32>) outs(%{{.*}} : tensor<1x8x6x6xf32>) permutation = [0, 3, 1, 2]
// CHECK: return %[[R]]
func.func @residual(%x: tensor<1x8x6x6xf32>, %w: tensor<8x8x3x3xf32>, %b: tensor<8xf32>, %v: tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32> {
  %c = "gimlet.conv"(%x, %w, %b) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  %r = "gimlet.elementwise"(%c) {fn = "relu"} : (tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  %s = "gimlet.elementwise"(%r, %c) {fn = "add"} : (tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  %d = "gimlet.conv"(%s, %v) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %d : tensor<1x8x6x6xf32>
}

// A max pool between convolutions pads and reduces the NHWC value directly;
// the strided 1×1 convolution after it is a strided extract_slice and a matmul
// with the [F, C] filter read transposed.
// CHECK-LABEL: func.func @pool_and_downsample
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.transpose
// CHECK: %[[P:.*]] = tensor.pad %[[C]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[POOLED:.*]] = linalg.generic {indexing_maps = [#[[POOL_IN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[P]], %{{.*}} : tensor<1x9x9x8xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x4x4x8xf32>)
// CHECK: %[[PIXELS:.*]] = tensor.extract_slice %[[POOLED]][0, 0, 0, 0] [1, 2, 2, 8] [1, 2, 2, 1] : tensor<1x4x4x8xf32> to tensor<1x2x2x8xf32>
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[PIXELS]] {{.*}} into tensor<4x8xf32>
// CHECK: %[[FILTER:.*]] = tensor.collapse_shape %{{.*}} : tensor<16x8x1x1xf32> into tensor<16x8xf32>
// CHECK: linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%[[ROWS]], %[[FILTER]] : tensor<4x8xf32>, tensor<16x8xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK-NOT: linalg.conv
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x2x2x16xf32>) outs(%{{.*}} : tensor<1x16x2x2xf32>) permutation = [0, 3, 1, 2]
func.func @pool_and_downsample(%x: tensor<1x8x7x7xf32>, %w: tensor<8x8x3x3xf32>, %d: tensor<16x8x1x1xf32>) -> tensor<1x16x2x2xf32> {
  %c = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x7x7xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x7x7xf32>
  %p = "gimlet.pool"(%c) {kind = "max", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x7x7xf32>) -> tensor<1x8x4x4xf32>
  %o = "gimlet.conv"(%p, %d) {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x2x2xf32>
  return %o : tensor<1x16x2x2xf32>
}
