// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc conv-winograd=true" %s | FileCheck %s

// gimlet-lower-to-linalg with conv-winograd=true (the CPU target's lowering on
// CPUs without AVX-512): a dense 3×3 convolution of stride 1 is computed by
// Winograd's F(4×4, 3×3) over whole 4×4 output tiles, then sliced and biased.

// 14×15 outputs are 4×4 tiles of 4×4, which read 18×18 input: the 16×17 padded
// input gets two more zero rows and one more column. The input transform reads
// six stride-4 slices of rows, then six of columns; the product contracts the
// tiles [6, 6, 16, C] with the transformed filters [6, 6, C, F]; the output
// transform writes 16×16, of which 14×15 is kept before the bias is added.
// CHECK-LABEL: func.func @tiles
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 3, 2, 0]
// CHECK-COUNT-6: tensor.extract_slice %[[P]][0, {{[0-5]}}, 0, 0] [1, 4, 18, 16] [1, 4, 1, 1]
// CHECK: %[[ROWS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<6x1x4x18x16xf32>)
// CHECK-COUNT-6: tensor.extract_slice %[[ROWS]][0, 0, 0, {{[0-5]}}, 0] [6, 1, 4, 4, 16] [1, 1, 1, 4, 1]
// CHECK: %[[TILES:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<6x6x1x4x4x16xf32>)
// CHECK: %[[V:.*]] = tensor.collapse_shape %[[TILES]] {{.*}} into tensor<6x6x16x16xf32>
// CHECK: %[[U:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %arg1 : tensor<6x3xf32>, tensor<6x3xf32>, tensor<24x16x3x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[V]], %[[U]] : tensor<6x6x16x16xf32>, tensor<6x6x16x24xf32>)
// CHECK: %[[Y:.*]] = tensor.collapse_shape %{{.*}} into tensor<1x16x16x24xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[Y]][0, 0, 0, 0] [1, 14, 15, 24] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[S]], %arg2 : tensor<1x14x15x24xf32>, tensor<24xf32>)
func.func @tiles(%x: tensor<1x16x14x15xf32>, %w: tensor<24x16x3x3xf32>, %b: tensor<24xf32>) -> tensor<1x24x14x15xf32> {
  %0 = "gimlet.conv"(%x, %w, %b) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x14x15xf32>, tensor<24x16x3x3xf32>, tensor<24xf32>) -> tensor<1x24x14x15xf32>
  return %0 : tensor<1x24x14x15xf32>
}

// Strided, or fewer than 14×14 outputs: a convolution as before.
// CHECK-LABEL: func.func @strided
// CHECK-NOT: tensor<6x6x
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} strides = dense<2>
func.func @strided(%x: tensor<1x16x28x28xf32>, %w: tensor<24x16x3x3xf32>) -> tensor<1x24x14x14xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x28x28xf32>, tensor<24x16x3x3xf32>) -> tensor<1x24x14x14xf32>
  return %0 : tensor<1x24x14x14xf32>
}

// CHECK-LABEL: func.func @small
// CHECK-NOT: tensor<6x6x
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @small(%x: tensor<1x16x7x7xf32>, %w: tensor<24x16x3x3xf32>) -> tensor<1x24x7x7xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x7x7xf32>, tensor<24x16x3x3xf32>) -> tensor<1x24x7x7xf32>
  return %0 : tensor<1x24x7x7xf32>
}
