// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc conv-windows=true" %s | FileCheck %s

// gimlet-lower-to-linalg with conv-windows=true (the CPU target's lowering on
// CPUs without AVX-512): a dense channels-last convolution with a kernel
// larger than 1×1 over at least 8 input channels is one matmul. Window (i, j)
// is the slice of the padded NHWC input that kernel tap (i, j) reads, with the
// convolution's strides; the windows, concatenated along the channels in tap
// order, are the rows [N·OH·OW, KH·KW·C]; the filter [F, C, KH, KW] is read as
// [F, KH·KW·C].

// Strided and padded: taps (0, 0), (0, 1) ... (2, 2), each [1, 5, 5, 8], at
// channel offsets 0, 8 ... 64 of the [1, 5, 5, 72] patches.
// CHECK-LABEL: func.func @strided
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x9x9xf32>, %[[W:.*]]: tensor<4x8x3x3xf32>)
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[X]] : tensor<1x8x9x9xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: %[[P:.*]] = tensor.pad %[[XT]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[T00:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 5, 5, 8] [1, 2, 2, 1] : tensor<1x11x11x8xf32> to tensor<1x5x5x8xf32>
// CHECK: %[[T01:.*]] = tensor.extract_slice %[[P]][0, 0, 1, 0] [1, 5, 5, 8] [1, 2, 2, 1]
// CHECK: %[[T22:.*]] = tensor.extract_slice %[[P]][0, 2, 2, 0] [1, 5, 5, 8] [1, 2, 2, 1]
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[T00]] into %{{.*}}[0, 0, 0, 0] [1, 5, 5, 8] [1, 1, 1, 1] : tensor<1x5x5x8xf32> into tensor<1x5x5x72xf32>
// CHECK: tensor.insert_slice %[[T01]] into %[[I0]][0, 0, 0, 8]
// CHECK: %[[I8:.*]] = tensor.insert_slice %[[T22]] into %{{.*}}[0, 0, 0, 64]
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[I8]] {{\[\[}}0, 1, 2], [3]] : tensor<1x5x5x72xf32> into tensor<25x72xf32>
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<4x8x3x3xf32>) outs(%{{.*}} : tensor<4x3x3x8xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[FILTERS:.*]] = tensor.collapse_shape %[[WT]] {{\[\[}}0], [1, 2, 3]] : tensor<4x3x3x8xf32> into tensor<4x72xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.matmul {{.*}} ins(%[[ROWS]], %[[FILTERS]] : tensor<25x72xf32>, tensor<4x72xf32>) outs(%{{.*}} : tensor<25x4xf32>)
// CHECK: %[[NHWC:.*]] = tensor.expand_shape %[[PRODUCT]] {{.*}} output_shape [1, 5, 5, 4]
// CHECK: linalg.transpose ins(%[[NHWC]] : tensor<1x5x5x4xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK-NOT: linalg.conv_2d
func.func @strided(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x9x9xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// Dilated 2×2: tap (i, j) starts at (2i, 2j).
// CHECK-LABEL: func.func @dilated
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x6x6x8xf32> to tensor<1x4x4x8xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 2, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 2, 0, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 2, 2, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK: linalg.matmul {{.*}} : tensor<16x32xf32>, tensor<2x32xf32>)
func.func @dilated(%x: tensor<1x8x6x6xf32>, %w: tensor<2x8x2x2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, groups = 1 : i64} : (tensor<1x8x6x6xf32>, tensor<2x8x2x2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// A 1×1 convolution and one over fewer than 8 input channels (an image stem)
// stay convolutions.
// CHECK-LABEL: func.func @pointwise_and_stem
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x6x6x8xf32>, tensor<1x1x8x4xf32>)
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x6x6x3xf32>, tensor<3x3x3x4xf32>)
// CHECK-NOT: linalg.matmul
func.func @pointwise_and_stem(%x: tensor<1x8x6x6xf32>, %w: tensor<4x8x1x1xf32>, %s: tensor<1x3x6x6xf32>, %v: tensor<4x3x3x3xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>) {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %1 = "gimlet.conv"(%s, %v) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0, %1 : tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>
}
