// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc conv-pointwise-tiles=avx512" %s | FileCheck %s
// RUN: gimlet-opt --gimlet-lower-to-linalg="conv-layout=nhwc conv-pointwise-tiles=avx512 workers=2" %s | FileCheck %s --check-prefix=WORKERS

// gimlet-lower-to-linalg with conv-pointwise-tiles=avx512 (the CPU target's
// lowering on CPUs with AVX-512): an f32 1×1 convolution of stride 1 whose
// features are whole 32-float vector pairs, and which runs as a matmul over its
// pixel rows, carries 7×32 vector tiles for IREE; the others are left to IREE's
// data tiling, and no expansion is computed over a padded grid.

// CHECK-DAG: #[[ROW_TILES:.*]] = #iree_cpu.lowering_config<cache_parallel = [28, 64, 0], distribution = [28, 64, 0], vector_common_parallel = [7, 32, 0], vector_reduction = [0, 0, 4]>
// CHECK-DAG: #[[SHARED_TILES:.*]] = #iree_cpu.lowering_config<cache_parallel = [49, 32, 0], distribution = [49, 32, 0], vector_common_parallel = [7, 32, 0], vector_reduction = [0, 0, 4]>
// CHECK-DAG: #[[PIPELINE:.*]] = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>, {enable_loop_peeling}>
// CHECK-DAG: #[[ROWS:.*]] = #iree_codegen.compilation_info<lowering_config = #[[ROW_TILES]], translation_info = #[[PIPELINE]]>
// CHECK-DAG: #[[SHARED:.*]] = #iree_codegen.compilation_info<lowering_config = #[[SHARED_TILES]], translation_info = #[[PIPELINE]]>

// A projection to 64 features is tiled; one to 24 is not.
// With workers=2 its 196 rows go in 4 workgroups of 49, not 7 of 28, which
// IREE would hand 4 to one thread and 3 to the other.
// WORKERS-DAG: #[[ROWS49:.*]] = #iree_cpu.lowering_config<cache_parallel = [49, 64, 0], distribution = [49, 64, 0], vector_common_parallel = [7, 32, 0], vector_reduction = [0, 0, 4]>
// WORKERS-DAG: #[[BALANCED:.*]] = #iree_codegen.compilation_info<lowering_config = #[[ROWS49]],
// WORKERS-DAG: #[[WIDE:.*]] = #iree_cpu.lowering_config<cache_parallel = [49, 96, 0], distribution = [49, 96, 0], vector_common_parallel = [7, 32, 0], vector_reduction = [0, 0, 4]>
// WORKERS-DAG: #[[PANEL:.*]] = #iree_cpu.lowering_config<cache_parallel = [49, 32, 0], distribution = [49, 32, 0], vector_common_parallel = [7, 32, 0], vector_reduction = [0, 0, 4]>
// WORKERS-DAG: #[[EXPAND:.*]] = #iree_codegen.compilation_info<lowering_config = #[[WIDE]],
// WORKERS-DAG: #[[PROJECT:.*]] = #iree_codegen.compilation_info<lowering_config = #[[PANEL]],
// WORKERS-LABEL: func.func @projections
// WORKERS: linalg.matmul {compilation_info = #[[BALANCED]]} ins(%{{.*}}, %{{.*}} : tensor<196x192xf32>, tensor<192x64xf32>)
// CHECK-LABEL: func.func @projections
// CHECK: %[[W64:.*]] = linalg.transpose ins(%{{.*}} : tensor<64x192xf32>) outs(%{{.*}} : tensor<192x64xf32>) permutation = [1, 0]
// CHECK: linalg.matmul {compilation_info = #[[ROWS]]} ins(%{{.*}}, %[[W64]] : tensor<196x192xf32>, tensor<192x64xf32>)
// CHECK-NOT: compilation_info
// CHECK: return
func.func @projections(%x: tensor<1x192x14x14xf32>, %w64: tensor<64x192x1x1xf32>, %w24: tensor<24x192x1x1xf32>) -> (tensor<1x64x14x14xf32>, tensor<1x24x14x14xf32>) {
  %0 = "gimlet.conv"(%x, %w64) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x192x14x14xf32>, tensor<64x192x1x1xf32>) -> tensor<1x64x14x14xf32>
  %1 = "gimlet.conv"(%x, %w24) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x192x14x14xf32>, tensor<24x192x1x1xf32>) -> tensor<1x24x14x14xf32>
  return %0, %1 : tensor<1x64x14x14xf32>, tensor<1x24x14x14xf32>
}

// An expansion a padded depthwise convolution reads would run over its pixels:
// it stays IREE's, and the pad stays after it.
// CHECK-LABEL: func.func @padded_next
// CHECK-NOT: compilation_info
// CHECK-NOT: arith.select
// CHECK: tensor.pad
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x30x30x96xf32>, tensor<3x3x96xf32>)
func.func @padded_next(%x: tensor<1x16x28x28xf32>, %we: tensor<96x16x1x1xf32>, %wd: tensor<96x1x3x3xf32>) -> tensor<1x96x28x28xf32> {
  %0 = "gimlet.conv"(%x, %we) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x28x28xf32>, tensor<96x16x1x1xf32>) -> tensor<1x96x28x28xf32>
  %1 = "gimlet.conv"(%0, %wd) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 96 : i64} : (tensor<1x96x28x28xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x28x28xf32>
  return %1 : tensor<1x96x28x28xf32>
}

// With few rows (7×7 pixels) and a filter larger than 256 KiB, one workgroup
// takes all 49 rows, seven tiles of 7, in columns of 32; the expansion too,
// though padded next.
// With workers=2 the expansion's 30 panels of 32 features go three to a
// workgroup, 10 that IREE hands one at a time to the two threads (30 would go
// in reservations of 8); the projection's 5 panels cannot be split evenly and
// stay one to a workgroup.
// WORKERS-LABEL: func.func @last_stage
// WORKERS: linalg.matmul {compilation_info = #[[EXPAND]]} ins(%{{.*}}, %{{.*}} : tensor<49x160xf32>, tensor<160x960xf32>)
// WORKERS: linalg.matmul {compilation_info = #[[PROJECT]]} ins(%{{.*}}, %{{.*}} : tensor<49x960xf32>, tensor<960x160xf32>)
// CHECK-LABEL: func.func @last_stage
// CHECK: linalg.matmul {compilation_info = #[[SHARED]]} ins(%{{.*}}, %{{.*}} : tensor<49x160xf32>, tensor<160x960xf32>) outs(%{{.*}} : tensor<49x960xf32>)
// CHECK: tensor.pad
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: linalg.matmul {compilation_info = #[[SHARED]]} ins(%{{.*}}, %{{.*}} : tensor<49x960xf32>, tensor<960x160xf32>) outs(%{{.*}} : tensor<49x160xf32>)
func.func @last_stage(%x: tensor<1x160x7x7xf32>, %we: tensor<960x160x1x1xf32>, %wd: tensor<960x1x3x3xf32>, %wp: tensor<160x960x1x1xf32>) -> tensor<1x160x7x7xf32> {
  %0 = "gimlet.conv"(%x, %we) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x160x7x7xf32>, tensor<960x160x1x1xf32>) -> tensor<1x960x7x7xf32>
  %1 = "gimlet.conv"(%0, %wd) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 960 : i64} : (tensor<1x960x7x7xf32>, tensor<960x1x3x3xf32>) -> tensor<1x960x7x7xf32>
  %2 = "gimlet.conv"(%1, %wp) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x960x7x7xf32>, tensor<160x960x1x1xf32>) -> tensor<1x160x7x7xf32>
  return %2 : tensor<1x160x7x7xf32>
}
