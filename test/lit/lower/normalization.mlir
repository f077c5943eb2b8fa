// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s
// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s --check-prefix=NOGIMLET

// gimlet.layer_norm and gimlet.batch_norm decompose into reductions and elementwise generics.

// No gimlet op survives the lowering.
// NOGIMLET-NOT: gimlet

// CHECK-DAG: #[[ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[LAST_KEEP:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-DAG: #[[LAST:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[ID4:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CHANNEL:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>

// layer_norm over the last axis: d = x - mean(x); d · rsqrt(mean(d·d) + ε) · weight + bias.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x5xf32>, %[[W:[^:]+]]: tensor<5xf32>, %[[B:[^:]+]]: tensor<5xf32>)
// CHECK-DAG: %[[EPS:.*]] = arith.constant dense<9.99999974E-6> : tensor<f32>
// CHECK-DAG: %[[N:.*]] = arith.constant dense<5.000000e+00> : tensor<f32>
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[LAST_KEEP]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<2x3x5xf32>) outs(%{{.*}} : tensor<2x3x1xf32>)
// CHECK: arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %[[N]] : tensor<2x3x1xf32>, tensor<f32>)
// CHECK: arith.divf
// CHECK: %[[D:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MEAN]] : tensor<2x3x5xf32>, tensor<2x3x1xf32>)
// CHECK: arith.subf
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[D]], %[[D]] : tensor<2x3x5xf32>, tensor<2x3x5xf32>)
// CHECK: arith.mulf
// CHECK: %[[SQSUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[SQ]] : tensor<2x3x5xf32>)
// CHECK: arith.addf
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[SQSUM]], %[[N]] : tensor<2x3x1xf32>, tensor<f32>)
// CHECK: arith.divf
// CHECK: %[[VAREPS:.*]] = linalg.generic {{.*}} ins(%[[VAR]], %[[EPS]] : tensor<2x3x1xf32>, tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[VAREPS]] : tensor<2x3x1xf32>)
// CHECK: math.rsqrt %
// CHECK: %[[NORM:.*]] = linalg.generic {{.*}} ins(%[[D]], %[[INV]] : tensor<2x3x5xf32>, tensor<2x3x1xf32>)
// CHECK: arith.mulf
// CHECK: %[[SCALED:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[LAST]], #[[ID3]]], {{.*}}} ins(%[[NORM]], %[[W]] : tensor<2x3x5xf32>, tensor<5xf32>)
// CHECK: arith.mulf
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[LAST]], #[[ID3]]], {{.*}}} ins(%[[SCALED]], %[[B]] : tensor<2x3x5xf32>, tensor<5xf32>)
// CHECK: arith.addf
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<2x3x5xf32>, %w: tensor<5xf32>, %b: tensor<5xf32>) -> tensor<2x3x5xf32> {
  %0 = "gimlet.layer_norm"(%x, %w, %b) {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// layer_norm over the last two axes without parameters: both axes reduce, 15 elements each, no weight or bias.
// CHECK-LABEL: func.func @layer_norm_two_axes
// CHECK-DAG: %[[N:.*]] = arith.constant dense<1.500000e+01> : tensor<f32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<2x3x5xf32>) outs(%{{.*}} : tensor<2x1x1xf32>)
// CHECK: math.rsqrt %
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x3x5xf32>, tensor<2x1x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @layer_norm_two_axes(%x: tensor<2x3x5xf32>) -> tensor<2x3x5xf32> {
  %0 = "gimlet.layer_norm"(%x) {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// Inference batch_norm folds into y = x·a + b per channel: a = scale·rsqrt(var + ε), b = bias - mean·a,
// both reshaped to [C, 1, 1] to broadcast along axis 1.
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4x4xf32>, %[[SCALE:[^:]+]]: tensor<3xf32>, %[[BIAS:[^:]+]]: tensor<3xf32>, %[[MEAN:[^:]+]]: tensor<3xf32>, %[[VAR:[^:]+]]: tensor<3xf32>)
// CHECK-DAG: %[[EPS:.*]] = arith.constant dense<1.000000e-03> : tensor<f32>
// CHECK: %[[VE:.*]] = linalg.generic {{.*}} ins(%[[VAR]], %[[EPS]] : tensor<3xf32>, tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[RS:.*]] = linalg.generic {{.*}} ins(%[[VE]] : tensor<3xf32>)
// CHECK: math.rsqrt %
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%[[SCALE]], %[[RS]] : tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.mulf
// CHECK: %[[MA:.*]] = linalg.generic {{.*}} ins(%[[MEAN]], %[[A]] : tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.mulf
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[BIAS]], %[[MA]] : tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.subf
// CHECK-DAG: %[[A3:.*]] = tensor.expand_shape %[[A]] {{\[}}[0, 1, 2]] output_shape [3, 1, 1] : tensor<3xf32> into tensor<3x1x1xf32>
// CHECK-DAG: %[[B3:.*]] = tensor.expand_shape %[[B]] {{\[}}[0, 1, 2]] output_shape [3, 1, 1] : tensor<3xf32> into tensor<3x1x1xf32>
// CHECK: %[[XA:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[CHANNEL]], #[[ID4]]], {{.*}}} ins(%[[X]], %[[A3]] : tensor<2x3x4x4xf32>, tensor<3x1x1xf32>)
// CHECK: arith.mulf
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[CHANNEL]], #[[ID4]]], {{.*}}} ins(%[[XA]], %[[B3]] : tensor<2x3x4x4xf32>, tensor<3x1x1xf32>)
// CHECK: arith.addf
// CHECK: return %[[R]]
func.func @batch_norm(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = "gimlet.batch_norm"(%x, %s, %b, %m, %v) {epsilon = 1.0e-03 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}
