// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc conv-pointwise-tiles=avx2" %s | FileCheck %s

// gimlet-lower-to-linalg with conv-pointwise-tiles=avx2 (the CPU target's
// lowering on CPUs without AVX-512): an f32 1×1 convolution of stride 1 is a
// contraction that carries its register tiles for IREE (compilation_info),
// reading its filter transposed to [C, F].

// An expansion whose result a padded depthwise convolution reads stays a
// contraction over the pixels (4×16 vector tiles along the columns), over
// [N·H, W, C] so that IREE finds no unit batch loop to fold (and drop the
// tiles with); the projection after it is a matmul over the pixel rows (6×16).
// CHECK-DAG: #[[PIXEL_TILES:.*]] = #iree_cpu.lowering_config<cache_parallel = [4, 16, 64, 0], distribution = [4, 16, 64, 0], vector_common_parallel = [1, 4, 16, 0], vector_reduction = [0, 0, 0, 4]>
// CHECK-DAG: #[[ROW_TILES:.*]] = #iree_cpu.lowering_config<cache_parallel = [24, 48, 0], distribution = [24, 48, 0], vector_common_parallel = [6, 16, 0], vector_reduction = [0, 0, 4]>
// CHECK-DAG: #[[PIPELINE:.*]] = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>, {enable_loop_peeling}>
// CHECK-DAG: #[[PIXELS:.*]] = #iree_codegen.compilation_info<lowering_config = #[[PIXEL_TILES]], translation_info = #[[PIPELINE]]>
// CHECK-DAG: #[[ROWS:.*]] = #iree_codegen.compilation_info<lowering_config = #[[ROW_TILES]], translation_info = #[[PIPELINE]]>
// CHECK-DAG: #[[SHARED_COLS16:.*]] = #iree_cpu.lowering_config<cache_parallel = [54, 16, 0], distribution = [54, 16, 0], vector_common_parallel = [6, 16, 0], vector_reduction = [0, 0, 4]>
// CHECK-DAG: #[[SHARED_COLS32:.*]] = #iree_cpu.lowering_config<cache_parallel = [54, 32, 0], distribution = [54, 32, 0], vector_common_parallel = [6, 16, 0], vector_reduction = [0, 0, 4]>
// CHECK-DAG: #[[EXPAND:.*]] = #iree_codegen.compilation_info<lowering_config = #[[SHARED_COLS32]], translation_info = #[[PIPELINE]]>
// CHECK-DAG: #[[PROJECT:.*]] = #iree_codegen.compilation_info<lowering_config = #[[SHARED_COLS16]], translation_info = #[[PIPELINE]]>
// CHECK-LABEL: func.func @block
// CHECK: %[[WE:.*]] = linalg.transpose ins(%{{.*}} : tensor<96x16xf32>) outs(%{{.*}} : tensor<16x96xf32>) permutation = [1, 0]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[WE]] : tensor<14x14x16xf32>, tensor<16x96xf32>) outs(%{{.*}} : tensor<14x14x96xf32>) attrs = {compilation_info = #[[PIXELS]]}
// CHECK: tensor.pad
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: %[[WP:.*]] = linalg.transpose ins(%{{.*}} : tensor<24x96xf32>) outs(%{{.*}} : tensor<96x24xf32>) permutation = [1, 0]
// CHECK: linalg.matmul {compilation_info = #[[ROWS]]} ins(%{{.*}}, %[[WP]] : tensor<196x96xf32>, tensor<96x24xf32>) outs(%{{.*}} : tensor<196x24xf32>)
func.func @block(%x: tensor<1x16x14x14xf32>, %we: tensor<96x16x1x1xf32>, %be: tensor<96xf32>, %wd: tensor<96x1x3x3xf32>, %wp: tensor<24x96x1x1xf32>) -> tensor<1x24x14x14xf32> {
  %0 = "gimlet.conv"(%x, %we, %be) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x14x14xf32>, tensor<96x16x1x1xf32>, tensor<96xf32>) -> tensor<1x96x14x14xf32>
  %1 = "gimlet.elementwise"(%0) {fn = "clamp", min = 0.0 : f64, max = 6.0 : f64} : (tensor<1x96x14x14xf32>) -> tensor<1x96x14x14xf32>
  %2 = "gimlet.conv"(%1, %wd) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 96 : i64} : (tensor<1x96x14x14xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x14x14xf32>
  %3 = "gimlet.conv"(%2, %wp) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x96x14x14xf32>, tensor<24x96x1x1xf32>) -> tensor<1x24x14x14xf32>
  return %3 : tensor<1x24x14x14xf32>
}

// At 28×28 the padded grid adds 15% pixels (ComputePaddedOutput): the
// expansion pads its input instead, as NHWC (the transposes between it and the
// projection before it cancel across the pad), runs as a matmul over the 30×30
// rows, zeroes their border, and the depthwise convolution reads it unpadded.
// The projection, now padded next, is a contraction over pixels.
// CHECK-LABEL: func.func @padded_grid
// CHECK: %[[PROJECTED:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<28x28x16xf32>) attrs = {compilation_info = #[[PIXELS]]}
// CHECK: %[[IMAGE:.*]] = tensor.expand_shape %[[PROJECTED]] {{.*}} into tensor<1x28x28x16xf32>
// CHECK-NOT: linalg.transpose ins(%[[IMAGE]]
// CHECK: tensor.pad %[[IMAGE]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: } : tensor<1x28x28x16xf32> to tensor<1x30x30x16xf32>
// CHECK: linalg.matmul {compilation_info = #[[ROWS]]} ins(%{{.*}}, %{{.*}} : tensor<900x16xf32>, tensor<16x96xf32>)
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK-NOT: tensor.pad
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x30x30x96xf32>, tensor<3x3x96xf32>) outs(%{{.*}} : tensor<1x28x28x96xf32>)
func.func @padded_grid(%x: tensor<1x16x28x28xf32>, %wp: tensor<16x16x1x1xf32>, %we: tensor<96x16x1x1xf32>, %be: tensor<96xf32>, %wd: tensor<96x1x3x3xf32>) -> tensor<1x96x28x28xf32> {
  %0 = "gimlet.conv"(%x, %wp) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x28x28xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x28x28xf32>
  %1 = "gimlet.conv"(%0, %we, %be) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x28x28xf32>, tensor<96x16x1x1xf32>, tensor<96xf32>) -> tensor<1x96x28x28xf32>
  %2 = "gimlet.elementwise"(%1) {fn = "clamp", min = 0.0 : f64, max = 6.0 : f64} : (tensor<1x96x28x28xf32>) -> tensor<1x96x28x28xf32>
  %3 = "gimlet.conv"(%2, %wd) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 96 : i64} : (tensor<1x96x28x28xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x28x28xf32>
  return %3 : tensor<1x96x28x28xf32>
}

// A value between the two convolutions with another user keeps the pad after the expansion.
// CHECK-LABEL: func.func @shared_expansion
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<28x28x96xf32>) attrs = {compilation_info = #[[PIXELS]]}
// CHECK: tensor.pad
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @shared_expansion(%x: tensor<1x16x28x28xf32>, %we: tensor<96x16x1x1xf32>, %wd: tensor<96x1x3x3xf32>) -> (tensor<1x96x28x28xf32>, tensor<1x96x28x28xf32>) {
  %0 = "gimlet.conv"(%x, %we) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x28x28xf32>, tensor<96x16x1x1xf32>) -> tensor<1x96x28x28xf32>
  %1 = "gimlet.conv"(%0, %wd) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 96 : i64} : (tensor<1x96x28x28xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x28x28xf32>
  return %0, %1 : tensor<1x96x28x28xf32>, tensor<1x96x28x28xf32>
}

// With few rows (7×7 pixels) and a filter larger than 256 KiB, one workgroup
// takes all rows (49, as 54: nine 6-row tiles; attributes above), so that the
// filter is read once; the expansion is such a matmul too, though padded next.
// CHECK-LABEL: func.func @last_stage
// CHECK: linalg.matmul {compilation_info = #[[EXPAND]]} ins(%{{.*}}, %{{.*}} : tensor<49x160xf32>, tensor<160x960xf32>) outs(%{{.*}} : tensor<49x960xf32>)
// CHECK: tensor.pad
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: linalg.matmul {compilation_info = #[[PROJECT]]} ins(%{{.*}}, %{{.*}} : tensor<49x960xf32>, tensor<960x160xf32>) outs(%{{.*}} : tensor<49x160xf32>)
func.func @last_stage(%x: tensor<1x160x7x7xf32>, %we: tensor<960x160x1x1xf32>, %wd: tensor<960x1x3x3xf32>, %wp: tensor<160x960x1x1xf32>) -> tensor<1x160x7x7xf32> {
  %0 = "gimlet.conv"(%x, %we) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x160x7x7xf32>, tensor<960x160x1x1xf32>) -> tensor<1x960x7x7xf32>
  %1 = "gimlet.conv"(%0, %wd) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 960 : i64} : (tensor<1x960x7x7xf32>, tensor<960x1x3x3xf32>) -> tensor<1x960x7x7xf32>
  %2 = "gimlet.conv"(%1, %wp) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x960x7x7xf32>, tensor<160x960x1x1xf32>) -> tensor<1x160x7x7xf32>
  return %2 : tensor<1x160x7x7xf32>
}

// Strided, padded, f16 and larger-kernel convolutions are as without the option.
// CHECK-LABEL: func.func @others
// CHECK-NOT: compilation_info
// CHECK: return
func.func @others(%x: tensor<1x16x14x14xf32>, %w: tensor<8x16x1x1xf32>, %h: tensor<1x16x14x14xf16>, %wh: tensor<8x16x1x1xf16>, %w3: tensor<8x16x3x3xf32>) -> (tensor<1x8x7x7xf32>, tensor<1x8x16x16xf32>, tensor<1x8x14x14xf16>, tensor<1x8x12x12xf32>) {
  %0 = "gimlet.conv"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x14x14xf32>, tensor<8x16x1x1xf32>) -> tensor<1x8x7x7xf32>
  %1 = "gimlet.conv"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x14x14xf32>, tensor<8x16x1x1xf32>) -> tensor<1x8x16x16xf32>
  %2 = "gimlet.conv"(%h, %wh) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x14x14xf16>, tensor<8x16x1x1xf16>) -> tensor<1x8x14x14xf16>
  %3 = "gimlet.conv"(%x, %w3) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x14x14xf32>, tensor<8x16x3x3xf32>) -> tensor<1x8x12x12xf32>
  return %0, %1, %2, %3 : tensor<1x8x7x7xf32>, tensor<1x8x16x16xf32>, tensor<1x8x14x14xf16>, tensor<1x8x12x12xf32>
}
