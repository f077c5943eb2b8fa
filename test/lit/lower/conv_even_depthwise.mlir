// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc conv-even-depthwise=true" %s | FileCheck %s

// gimlet-lower-to-linalg with conv-even-depthwise=true (the CPU target's
// lowering on CPUs without AVX-512): a channels-last depthwise convolution of
// odd output width computes one column more and drops it, padding the input
// on the right with the zero columns that column reads and the padding lacks.

// 7 wide, padded 1 on each side: the 8th column reads input columns 7..9, so
// one more zero column on the right (9 → 10 wide); the result's first 7
// columns are kept, then the bias is added.
// CHECK-LABEL: func.func @odd
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 2, 0]
// CHECK: %[[C:.*]] = linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%[[P]], %{{.*}} : tensor<1x9x10x16xf32>, tensor<3x3x16xf32>) outs(%{{.*}} : tensor<1x7x8x16xf32>)
// CHECK: %[[S:.*]] = tensor.extract_slice %[[C]][0, 0, 0, 0] [1, 7, 7, 16] [1, 1, 1, 1] : tensor<1x7x8x16xf32> to tensor<1x7x7x16xf32>
// CHECK: linalg.generic {{.*}} ins(%[[S]], %{{.*}} : tensor<1x7x7x16xf32>, tensor<16xf32>)
func.func @odd(%x: tensor<1x16x7x7xf32>, %w: tensor<16x1x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x7x7xf32> {
  %0 = "gimlet.conv"(%x, %w, %b) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 16 : i64} : (tensor<1x16x7x7xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// Strided 2, 14 → 7 wide with padding 0 left, 1 right (MobileNetV2's
// downsampling): the 8th column reads input columns 14..16 of the 15, so two
// more zero columns on the right.
// CHECK-LABEL: func.func @strided
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 1, 3, 0]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} strides = dense<2> {{.*}} outs(%{{.*}} : tensor<1x7x8x16xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 7, 7, 16] [1, 1, 1, 1]
func.func @strided(%x: tensor<1x16x14x14xf32>, %w: tensor<16x1x3x3xf32>) -> tensor<1x16x7x7xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 1, 1>, dilations = array<i64: 1, 1>, groups = 16 : i64} : (tensor<1x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// Strided 2 over 15 columns with no padding: 7 wide, and the 8th column's
// input (14..16) needs two zero columns, the only padding.
// CHECK-LABEL: func.func @unpadded
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 2, 0]
// CHECK: outs(%{{.*}} : tensor<1x7x8x16xf32>)
func.func @unpadded(%x: tensor<1x16x15x15xf32>, %w: tensor<16x1x3x3xf32>) -> tensor<1x16x7x7xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 16 : i64} : (tensor<1x16x15x15xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// Even widths and dense convolutions are as without the option.
// CHECK-LABEL: func.func @even
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} outs(%{{.*}} : tensor<1x8x8x16xf32>)
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} outs(%{{.*}} : tensor<1x7x7x4xf32>)
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @even(%x: tensor<1x16x8x8xf32>, %w: tensor<16x1x3x3xf32>, %y: tensor<1x16x7x7xf32>, %v: tensor<4x16x3x3xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x4x7x7xf32>) {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 16 : i64} : (tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x8x8xf32>
  %1 = "gimlet.conv"(%y, %v) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x7x7xf32>, tensor<4x16x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %0, %1 : tensor<1x16x8x8xf32>, tensor<1x4x7x7xf32>
}
