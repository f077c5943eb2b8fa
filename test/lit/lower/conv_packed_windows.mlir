// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc conv-packed-windows=true" %s | FileCheck %s

// gimlet-lower-to-linalg with conv-packed-windows=true (the CPU target's
// lowering on CPUs with AVX-512): an f32 dense convolution over at most 7×7
// output pixels, with features in whole panels of 32, is a matmul over its
// patches, gathered in one op, times its filter packed as
// [F/32, KH·KW·C, 32], carrying 14×32 vector tiles for IREE; a larger image,
// or features that are not whole panels, keep IREE's convolution.

// CHECK-DAG: #[[TILES:.*]] = #iree_cpu.lowering_config<cache_parallel = [49, 1, 32, 0], distribution = [49, 1, 32, 0], vector_common_parallel = [14, 1, 32, 0], vector_reduction = [0, 0, 0, 4]>
// CHECK-DAG: #[[BATCH_TILES:.*]] = #iree_cpu.lowering_config<cache_parallel = [98, 1, 32, 0], {{.*}}vector_common_parallel = [14, 1, 32, 0]
// CHECK-DAG: #[[INFO:.*]] = #iree_codegen.compilation_info<lowering_config = #[[TILES]], translation_info
// CHECK-DAG: #[[BATCH_INFO:.*]] = #iree_codegen.compilation_info<lowering_config = #[[BATCH_TILES]], translation_info
// CHECK-DAG: #[[PATCH:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4, d5)>
// CHECK-DAG: #[[STRIDED:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[PANELS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>

// A 3×3 convolution over a padded 7×7 image: patches [49, 9·64], the filter in
// two panels of 32 features.
// CHECK-LABEL: func.func @seven_by_seven
// CHECK: linalg.generic {indexing_maps = [#[[PATCH]], {{.*}}]{{.*}} ins(%{{.*}} : tensor<1x9x9x64xf32>) outs(%{{.*}} : tensor<1x7x7x3x3x64xf32>)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x32x64x3x3xf32>) outs(%{{.*}} : tensor<2x3x3x64x32xf32>) permutation = [0, 3, 4, 2, 1]
// CHECK: linalg.generic {indexing_maps = [#[[ROWS]], #[[PANELS]], #[[OUT]]], {{.*}}} ins(%{{.*}}, %{{.*}} : tensor<49x576xf32>, tensor<2x576x32xf32>) outs(%{{.*}} : tensor<49x2x32xf32>) attrs = {compilation_info = #[[INFO]]}
// CHECK-NOT: linalg.conv
// CHECK: return
func.func @seven_by_seven(%x: tensor<1x64x7x7xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x7x7xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x64x7x7xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x7x7xf32>
  return %0 : tensor<1x64x7x7xf32>
}

// Strided, on a batch of two: the patches read every other pixel, and the
// workgroups take both images' 98 rows.
// CHECK-LABEL: func.func @strided_batch
// CHECK: linalg.generic {indexing_maps = [#[[STRIDED]], {{.*}}]{{.*}} outs(%{{.*}} : tensor<2x7x7x3x3x16xf32>)
// CHECK: ins(%{{.*}}, %{{.*}} : tensor<98x144xf32>, tensor<1x144x32xf32>) outs(%{{.*}} : tensor<98x1x32xf32>) attrs = {compilation_info = #[[BATCH_INFO]]}
func.func @strided_batch(%x: tensor<2x16x14x14xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<2x32x7x7xf32> {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x16x14x14xf32>, tensor<32x16x3x3xf32>) -> tensor<2x32x7x7xf32>
  return %0 : tensor<2x32x7x7xf32>
}

// An 8×8 output, 48 features, or 4 input channels: IREE's convolution.
// CHECK-LABEL: func.func @not_packed
// CHECK-NOT: compilation_info
// CHECK-COUNT-3: linalg.conv_2d_nhwc_hwcf
// CHECK: return
func.func @not_packed(%x: tensor<1x64x8x8xf32>, %w: tensor<64x64x3x3xf32>, %w48: tensor<48x64x3x3xf32>, %thin: tensor<1x4x7x7xf32>, %w4: tensor<32x4x3x3xf32>) -> (tensor<1x64x8x8xf32>, tensor<1x48x8x8xf32>, tensor<1x32x7x7xf32>) {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x8x8xf32>
  %1 = "gimlet.conv"(%x, %w48) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<48x64x3x3xf32>) -> tensor<1x48x8x8xf32>
  %2 = "gimlet.conv"(%thin, %w4) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x7x7xf32>, tensor<32x4x3x3xf32>) -> tensor<1x32x7x7xf32>
  return %0, %1, %2 : tensor<1x64x8x8xf32>, tensor<1x48x8x8xf32>, tensor<1x32x7x7xf32>
}
