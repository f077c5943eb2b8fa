// RUN: gimlet-opt --gimlet-lower-to-linalg="matmul-narrow-tiles=true" %s | FileCheck %s
// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s --check-prefix=UNTILED

// gimlet-lower-to-linalg with matmul-narrow-tiles=true (the CPU target's lowering on CPUs without
// AVX-512): an f32 matrix product of 2 to 4 rows carries register tiles for IREE
// (compilation_info): 2×32 columns at two rows, 4×16 at three and four. Products of one row or
// more than four, of fewer columns than a vector tile, of weights over 1 MiB or of 16-bit floats
// keep IREE's own.

// CHECK-DAG: #[[TWO:.*]] = #iree_cpu.lowering_config<cache_parallel = [2, 64, 0], distribution = [2, 64, 0], vector_common_parallel = [2, 32, 0], vector_reduction = [0, 0, 4]>
// CHECK-DAG: #[[FOUR:.*]] = #iree_cpu.lowering_config<cache_parallel = [4, 64, 0], distribution = [4, 64, 0], vector_common_parallel = [4, 16, 0], vector_reduction = [0, 0, 4]>
// CHECK-DAG: #[[THREE:.*]] = #iree_cpu.lowering_config<cache_parallel = [3, 64, 0], distribution = [3, 64, 0], vector_common_parallel = [4, 16, 0], vector_reduction = [0, 0, 4]>
// CHECK-DAG: #[[PIPELINE:.*]] = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>, {enable_loop_peeling}>
// CHECK-DAG: #[[TWO_INFO:.*]] = #iree_codegen.compilation_info<lowering_config = #[[TWO]], translation_info = #[[PIPELINE]]>
// CHECK-DAG: #[[THREE_INFO:.*]] = #iree_codegen.compilation_info<lowering_config = #[[THREE]], translation_info = #[[PIPELINE]]>
// CHECK-DAG: #[[FOUR_INFO:.*]] = #iree_codegen.compilation_info<lowering_config = #[[FOUR]], translation_info = #[[PIPELINE]]>
// UNTILED-NOT: compilation_info

// CHECK-LABEL: func.func @two_rows
// CHECK: linalg.matmul {compilation_info = #[[TWO_INFO]]} ins(%{{.*}}, %{{.*}} : tensor<2x64xf32>, tensor<64x128xf32>)
func.func @two_rows(%x: tensor<2x64xf32>, %w: tensor<64x128xf32>) -> tensor<2x128xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<2x64xf32>, tensor<64x128xf32>) -> tensor<2x128xf32>
  return %0 : tensor<2x128xf32>
}

// A batch of rows folds into the product's rows first: [1, 3, K]·[K, N] is 3 rows.
// CHECK-LABEL: func.func @three_rows_folded
// CHECK: linalg.matmul {compilation_info = #[[THREE_INFO]]} ins(%{{.*}}, %{{.*}} : tensor<3x64xf32>, tensor<64x16xf32>)
func.func @three_rows_folded(%x: tensor<1x3x64xf32>, %w: tensor<64x16xf32>) -> tensor<1x3x16xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<1x3x64xf32>, tensor<64x16xf32>) -> tensor<1x3x16xf32>
  return %0 : tensor<1x3x16xf32>
}

// CHECK-LABEL: func.func @four_rows
// CHECK: linalg.matmul {compilation_info = #[[FOUR_INFO]]} ins(%{{.*}}, %{{.*}} : tensor<4x128xf32>, tensor<128x64xf32>)
func.func @four_rows(%x: tensor<4x128xf32>, %w: tensor<128x64xf32>) -> tensor<4x64xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<4x128xf32>, tensor<128x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// CHECK-LABEL: func.func @one_row
// CHECK: linalg.matmul ins(
func.func @one_row(%x: tensor<1x64xf32>, %w: tensor<64x128xf32>) -> tensor<1x128xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<1x64xf32>, tensor<64x128xf32>) -> tensor<1x128xf32>
  return %0 : tensor<1x128xf32>
}

// CHECK-LABEL: func.func @eight_rows
// CHECK: linalg.matmul ins(
func.func @eight_rows(%x: tensor<8x64xf32>, %w: tensor<64x128xf32>) -> tensor<8x128xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<8x64xf32>, tensor<64x128xf32>) -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// Weights of 2 MiB, more than 1 MiB: IREE's data tiling streams them faster.
// CHECK-LABEL: func.func @large_weights
// CHECK: linalg.matmul ins(
func.func @large_weights(%x: tensor<4x1024xf32>, %w: tensor<1024x512xf32>) -> tensor<4x512xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<4x1024xf32>, tensor<1024x512xf32>) -> tensor<4x512xf32>
  return %0 : tensor<4x512xf32>
}

// Ten columns, fewer than the 16 of a vector tile (the mlp example's output layer).
// CHECK-LABEL: func.func @few_columns
// CHECK: linalg.matmul ins(
func.func @few_columns(%x: tensor<4x64xf32>, %w: tensor<64x10xf32>) -> tensor<4x10xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<4x64xf32>, tensor<64x10xf32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// Two rows need 32 columns.
// CHECK-LABEL: func.func @two_rows_few_columns
// CHECK: linalg.matmul ins(
func.func @two_rows_few_columns(%x: tensor<2x64xf32>, %w: tensor<64x16xf32>) -> tensor<2x16xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<2x64xf32>, tensor<64x16xf32>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// CHECK-LABEL: func.func @half_precision
// CHECK: linalg.matmul ins(
func.func @half_precision(%x: tensor<4x64xf16>, %w: tensor<64x128xf16>) -> tensor<4x128xf16> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<4x64xf16>, tensor<64x128xf16>) -> tensor<4x128xf16>
  return %0 : tensor<4x128xf16>
}
