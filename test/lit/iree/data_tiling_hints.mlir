// RUN: gimlet-opt --split-input-file --gimlet-data-tiling-hints %s | FileCheck %s
// RUN: gimlet-opt --split-input-file --gimlet-data-tiling-hints="min-channels=2" %s | FileCheck %s --check-prefix=MIN2

// gimlet-data-tiling-hints on IR as IREE's global optimization leaves it (every
// contraction and convolution a linalg.generic): where a convolution reads fewer
// than 8 input channels, every other op IREE would data-tile gets
// iree.opt.data_tiling, so that IREE data-tiles those and leaves the thin one out.

#conv_input = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh * 2 + kh, ow * 2 + kw, c)>
#conv_filter = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#conv_output = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
#pool_input = affine_map<(n, oh, ow, c, kh, kw) -> (n, oh * 2 + kh, ow * 2 + kw, c)>
#pool_window = affine_map<(n, oh, ow, c, kh, kw) -> (kh, kw)>
#pool_output = affine_map<(n, oh, ow, c, kh, kw) -> (n, oh, ow, c)>
#same = affine_map<(m, n) -> (m, n)>

// CHECK-LABEL: func.func @stem_and_layers
// The stem, over 3 channels: no hint (attributes would print between outs(...) and the body).
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x9x9x3xf32>, tensor<3x3x3x16xf32>) outs(%{{.*}} : tensor<1x4x4x16xf32>) {{{$}}
// The next convolution, over 16 channels, the matmul: hinted.
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x9x9x16xf32>, tensor<3x3x16x16xf32>) {{.*}} attrs =  {iree.opt.data_tiling}
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4x16xf32>, tensor<16x8xf32>) {{.*}} attrs =  {iree.opt.data_tiling}
// A max pool and an elementwise op: never.
// CHECK-NOT: iree.opt.data_tiling
// CHECK: return
// With min-channels=2, nothing is thin: IREE is left to choose.
// MIN2-LABEL: func.func @stem_and_layers
// MIN2-NOT: iree.opt.data_tiling
// MIN2: return
func.func @stem_and_layers(%image: tensor<1x9x9x3xf32>, %stem: tensor<3x3x3x16xf32>, %features: tensor<1x9x9x16xf32>, %weights: tensor<3x3x16x16xf32>, %a: tensor<4x16xf32>, %b: tensor<16x8xf32>) -> (tensor<1x4x4x16xf32>, tensor<1x4x4x16xf32>, tensor<4x8xf32>, tensor<1x4x4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  %0 = linalg.generic {indexing_maps = [#conv_input, #conv_filter, #conv_output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%image, %stem : tensor<1x9x9x3xf32>, tensor<3x3x3x16xf32>) outs(%init : tensor<1x4x4x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x16xf32>
  %1 = linalg.generic {indexing_maps = [#conv_input, #conv_filter, #conv_output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%features, %weights : tensor<1x9x9x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<1x4x4x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x16xf32>
  %empty2 = tensor.empty() : tensor<4x8xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%empty2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%init2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %3 = linalg.generic {indexing_maps = [#pool_input, #pool_window, #pool_output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%features, %window : tensor<1x9x9x16xf32>, tensor<3x3xf32>) outs(%init : tensor<1x4x4x16xf32>) {
  ^bb0(%x: f32, %unused: f32, %acc: f32):
    %m = arith.maximumf %acc, %x : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x16xf32>
  %4 = linalg.generic {indexing_maps = [#same, #same], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<4x8xf32>) outs(%empty2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %0, %1, %4, %3 : tensor<1x4x4x16xf32>, tensor<1x4x4x16xf32>, tensor<4x8xf32>, tensor<1x4x4x16xf32>
}

// -----

// No thin convolution: nothing is hinted, and IREE chooses as it would alone.
#conv_input = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#conv_filter = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#conv_output = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
// CHECK-LABEL: func.func @no_thin_convolution
// CHECK-NOT: iree.opt.data_tiling
// CHECK: return
func.func @no_thin_convolution(%features: tensor<1x6x6x16xf32>, %weights: tensor<3x3x16x16xf32>) -> tensor<1x4x4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  %0 = linalg.generic {indexing_maps = [#conv_input, #conv_filter, #conv_output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%features, %weights : tensor<1x6x6x16xf32>, tensor<3x3x16x16xf32>) outs(%init : tensor<1x4x4x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x16xf32>
  return %0 : tensor<1x4x4x16xf32>
}

// -----

// A convolution whose input channels are not known until run time is not taken for a thin one.
#conv_input = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#conv_filter = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#conv_output = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
// CHECK-LABEL: func.func @dynamic_channels
// CHECK-NOT: iree.opt.data_tiling
// CHECK: return
func.func @dynamic_channels(%features: tensor<1x6x6x?xf32>, %weights: tensor<3x3x?x16xf32>, %a: tensor<4x16xf32>, %b: tensor<16x8xf32>) -> (tensor<1x4x4x16xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  %0 = linalg.generic {indexing_maps = [#conv_input, #conv_filter, #conv_output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%features, %weights : tensor<1x6x6x?xf32>, tensor<3x3x?x16xf32>) outs(%init : tensor<1x4x4x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x16xf32>
  %empty2 = tensor.empty() : tensor<4x8xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%empty2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%init2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0, %1 : tensor<1x4x4x16xf32>, tensor<4x8xf32>
}

// -----

// A thin convolution beside contractions IREE does not data-tile: a max-plus product (no
// multiply-add body) and one over two reduction dimensions. The plain matmul is hinted; they are not.
#conv_input = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#conv_filter = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#conv_output = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
#lhs2 = affine_map<(m, n, k0, k1) -> (m, k0, k1)>
#rhs2 = affine_map<(m, n, k0, k1) -> (k0, k1, n)>
#out2 = affine_map<(m, n, k0, k1) -> (m, n)>
// CHECK-LABEL: func.func @unsupported_contractions
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x6x6x1xf32>, tensor<3x3x1x4xf32>)
// CHECK-NOT: iree.opt.data_tiling
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4x16xf32>, tensor<16x8xf32>) {{.*}} attrs =  {iree.opt.data_tiling}
// CHECK-NOT: iree.opt.data_tiling
// CHECK: return
func.func @unsupported_contractions(%image: tensor<1x6x6x1xf32>, %stem: tensor<3x3x1x4xf32>, %a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x2x8xf32>, %d: tensor<2x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %0 = linalg.generic {indexing_maps = [#conv_input, #conv_filter, #conv_output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%image, %stem : tensor<1x6x6x1xf32>, tensor<3x3x1x4xf32>) outs(%init : tensor<1x4x4x4xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x4xf32>
  %empty2 = tensor.empty() : tensor<4x8xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%empty2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%init2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.addf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %2 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%init2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %3 = linalg.generic {indexing_maps = [#lhs2, #rhs2, #out2], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%c, %d : tensor<4x2x8xf32>, tensor<2x8x8xf32>) outs(%init2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<1x4x4x4xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Named ops count as their generic forms do: a thin named convolution, a named matmul (hinted)
// and a named convolution over 16 channels (hinted).
// CHECK-LABEL: func.func @named_ops
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: iree.opt.data_tiling
// CHECK-SAME: tensor<1x6x6x1xf32>
// CHECK: linalg.matmul {iree.opt.data_tiling}
// CHECK: linalg.conv_2d_nhwc_hwcf {iree.opt.data_tiling, {{.*}}} ins(%{{.*}} : tensor<1x6x6x16xf32>
func.func @named_ops(%image: tensor<1x6x6x1xf32>, %stem: tensor<3x3x1x4xf32>, %a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %features: tensor<1x6x6x16xf32>, %weights: tensor<3x3x16x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<4x8xf32>, tensor<1x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%image, %stem : tensor<1x6x6x1xf32>, tensor<3x3x1x4xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %empty2 = tensor.empty() : tensor<4x8xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%empty2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%init2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%features, %weights : tensor<1x6x6x16xf32>, tensor<3x3x16x4xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0, %1, %2 : tensor<1x4x4x4xf32>, tensor<4x8xf32>, tensor<1x4x4x4xf32>
}

// -----

// A thin convolution (3 channels) and nothing else IREE could data-tile: the matmul carries gimlet's tiles
// (compilation_info), which IREE does not data-tile. The hint goes on the function, so that IREE
// data-tiles none of its ops (unhinted, it would data-tile all of them, the thin one too).
// CHECK-LABEL: func.func @thin_and_tiled
// CHECK-SAME: attributes {iree.opt.data_tiling}
// CHECK-NOT: iree.opt.data_tiling
// CHECK: return
// MIN2-LABEL: func.func @thin_and_tiled
// MIN2-NOT: iree.opt.data_tiling
// MIN2: return
func.func @thin_and_tiled(%image: tensor<1x6x6x3xf32>, %stem: tensor<3x3x3x4xf32>, %a: tensor<4x16xf32>, %b: tensor<16x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%image, %stem : tensor<1x6x6x3xf32>, tensor<3x3x3x4xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %empty2 = tensor.empty() : tensor<4x8xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%empty2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = linalg.matmul {compilation_info = #iree_codegen.compilation_info<lowering_config = #iree_cpu.lowering_config<distribution = [4, 64, 0], vector_common_parallel = [4, 16, 0], vector_reduction = [0, 0, 4]>, translation_info = #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>>>} ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%init2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<4x8xf32>
}
