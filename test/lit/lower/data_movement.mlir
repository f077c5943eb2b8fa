// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s
// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s --check-prefix=NOGIMLET

// Constants and data movement → arith.constant, tensor ops, linalg.transpose and index-computing generics.

// No gimlet op survives the lowering.
// NOGIMLET-NOT: gimlet

// CHECK-DAG: #[[GATHER_IDX:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[ID4:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BCAST_IN:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>

// A constant becomes an arith.constant of the same value.
// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = "gimlet.constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// gather along axis 1 with [2, 3] indices: a generic over the [4, 2, 3, 6] result reads the index at (d1, d2),
// adds the axis size (5) to negative indices, and extracts data[d0, index, d3].
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<4x5x6xf32>, %[[IDX:[^:]+]]: tensor<2x3xi64>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK: linalg.generic {indexing_maps = [#[[GATHER_IDX]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[IDX]] : tensor<2x3xi64>) outs(%{{.*}} : tensor<4x2x3x6xf32>)
// CHECK-NEXT: ^bb0(%[[I:[^:]+]]: i64, %{{[^:]+}}: f32):
// CHECK-NEXT: %[[POS:.*]] = arith.index_cast %[[I]] : i64 to index
// CHECK-NEXT: %[[NEG:.*]] = arith.cmpi slt, %[[POS]], %[[C0]] : index
// CHECK-NEXT: %[[WRAPPED:.*]] = arith.addi %[[POS]], %[[C5]] : index
// CHECK-NEXT: %[[SEL:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[POS]] : index
// CHECK-NEXT: %[[L0:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[L3:.*]] = linalg.index 3 : index
// CHECK-NEXT: %[[E:.*]] = tensor.extract %[[DATA]][%[[L0]], %[[SEL]], %[[L3]]] : tensor<4x5x6xf32>
// CHECK-NEXT: linalg.yield %[[E]] : f32
func.func @gather(%x: tensor<4x5x6xf32>, %i: tensor<2x3xi64>) -> tensor<4x2x3x6xf32> {
  %0 = "gimlet.gather"(%x, %i) {axis = 1 : i64} : (tensor<4x5x6xf32>, tensor<2x3xi64>) -> tensor<4x2x3x6xf32>
  return %0 : tensor<4x2x3x6xf32>
}

// Constant indices spaced evenly upwards (PyTorch's select and unbind) take a strided extract_slice;
// negative ones count from the end. Indices out of range, unevenly spaced or repeated keep the generic.
// CHECK-LABEL: func.func @gather_constant_indices
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<3x5x8xf32>)
// CHECK: %[[ONE:.*]] = tensor.extract_slice %[[DATA]][2, 0, 0] [1, 5, 8] [1, 1, 1] : tensor<3x5x8xf32> to tensor<1x5x8xf32>
// CHECK: %[[SELECTED:.*]] = tensor.collapse_shape %[[ONE]] {{\[}}[0, 1], [2]] : tensor<1x5x8xf32> into tensor<5x8xf32>
// CHECK: %[[EVERY_OTHER:.*]] = tensor.extract_slice %[[DATA]][0, 1, 0] [3, 2, 8] [1, 2, 1] : tensor<3x5x8xf32> to tensor<3x2x8xf32>
// CHECK: %[[UNEVEN:.*]] = linalg.generic
// CHECK: %[[OUTSIDE:.*]] = linalg.generic
// CHECK: return %[[SELECTED]], %[[EVERY_OTHER]], %[[UNEVEN]], %[[OUTSIDE]]
func.func @gather_constant_indices(%x: tensor<3x5x8xf32>) -> (tensor<5x8xf32>, tensor<3x2x8xf32>, tensor<3x2x8xf32>, tensor<1x5x8xf32>) {
  %last = "gimlet.constant"() {value = dense<-1> : tensor<i64>} : () -> tensor<i64>
  %0 = "gimlet.gather"(%x, %last) {axis = 0 : i64} : (tensor<3x5x8xf32>, tensor<i64>) -> tensor<5x8xf32>
  %odd = "gimlet.constant"() {value = dense<[1, 3]> : tensor<2xi64>} : () -> tensor<2xi64>
  %1 = "gimlet.gather"(%x, %odd) {axis = 1 : i64} : (tensor<3x5x8xf32>, tensor<2xi64>) -> tensor<3x2x8xf32>
  %repeated = "gimlet.constant"() {value = dense<[4, 4]> : tensor<2xi64>} : () -> tensor<2xi64>
  %2 = "gimlet.gather"(%x, %repeated) {axis = 1 : i64} : (tensor<3x5x8xf32>, tensor<2xi64>) -> tensor<3x2x8xf32>
  %outside = "gimlet.constant"() {value = dense<[3]> : tensor<1xi64>} : () -> tensor<1xi64>
  %3 = "gimlet.gather"(%x, %outside) {axis = 0 : i64} : (tensor<3x5x8xf32>, tensor<1xi64>) -> tensor<1x5x8xf32>
  return %0, %1, %2, %3 : tensor<5x8xf32>, tensor<3x2x8xf32>, tensor<3x2x8xf32>, tensor<1x5x8xf32>
}

// A reshape that merges leading dimensions is one tensor.collapse_shape; one that splits them an expand_shape.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x5x6xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<4x5x6xf32> into tensor<20x6xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[X]] {{\[}}[0, 1], [2], [3]] output_shape [2, 2, 5, 6] : tensor<4x5x6xf32> into tensor<2x2x5x6xf32>
// CHECK: return %[[C]], %[[E]]
func.func @reshape(%x: tensor<4x5x6xf32>) -> (tensor<20x6xf32>, tensor<2x2x5x6xf32>) {
  %0 = "gimlet.reshape"(%x) : (tensor<4x5x6xf32>) -> tensor<20x6xf32>
  %1 = "gimlet.reshape"(%x) : (tensor<4x5x6xf32>) -> tensor<2x2x5x6xf32>
  return %0, %1 : tensor<20x6xf32>, tensor<2x2x5x6xf32>
}

// transpose is linalg.transpose with the same permutation.
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x5x6xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<6x4x5xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<4x5x6xf32>) outs(%[[INIT]] : tensor<6x4x5xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<4x5x6xf32>) -> tensor<6x4x5xf32> {
  %0 = "gimlet.transpose"(%x) {permutation = array<i64: 2, 0, 1>} : (tensor<4x5x6xf32>) -> tensor<6x4x5xf32>
  return %0 : tensor<6x4x5xf32>
}

// broadcast is a copying generic whose input map drops the new leading dimension and reads the size-1 one at 0.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[X:[^:]+]]: tensor<5x1xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[BCAST_IN]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<5x1xf32>) outs(%{{.*}} : tensor<3x5x6xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @broadcast(%x: tensor<5x1xf32>) -> tensor<3x5x6xf32> {
  %0 = "gimlet.broadcast"(%x) : (tensor<5x1xf32>) -> tensor<3x5x6xf32>
  return %0 : tensor<3x5x6xf32>
}

// concat inserts each input into an empty result at its running offset along the axis (0, 5, 6).
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x5xf32>, %[[Y:[^:]+]]: tensor<4x1xf32>, %[[Z:[^:]+]]: tensor<4x2xf32>)
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[S0:.*]] = tensor.insert_slice %[[X]] into %[[EMPTY]][0, 0] [4, 5] [1, 1] : tensor<4x5xf32> into tensor<4x8xf32>
// CHECK: %[[S1:.*]] = tensor.insert_slice %[[Y]] into %[[S0]][0, 5] [4, 1] [1, 1] : tensor<4x1xf32> into tensor<4x8xf32>
// CHECK: %[[S2:.*]] = tensor.insert_slice %[[Z]] into %[[S1]][0, 6] [4, 2] [1, 1] : tensor<4x2xf32> into tensor<4x8xf32>
// CHECK: return %[[S2]]
func.func @concat(%x: tensor<4x5xf32>, %y: tensor<4x1xf32>, %z: tensor<4x2xf32>) -> tensor<4x8xf32> {
  %0 = "gimlet.concat"(%x, %y, %z) {axis = 1 : i64} : (tensor<4x5xf32>, tensor<4x1xf32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// A strided slice is one tensor.extract_slice with the starts, result sizes and strides.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x5x6xf32>)
// CHECK: tensor.extract_slice %[[X]][1, 0, 1] [2, 3, 2] [1, 2, 3] : tensor<4x5x6xf32> to tensor<2x3x2xf32>
func.func @slice(%x: tensor<4x5x6xf32>) -> tensor<2x3x2xf32> {
  %0 = "gimlet.slice"(%x) {starts = array<i64: 1, 0, 1>, limits = array<i64: 3, 5, 5>, strides = array<i64: 1, 2, 3>} : (tensor<4x5x6xf32>) -> tensor<2x3x2xf32>
  return %0 : tensor<2x3x2xf32>
}

// Constant padding is tensor.pad yielding the value, in the input's element type.
// CHECK-LABEL: func.func @pad_constant
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x5xf32>, %[[I:[^:]+]]: tensor<3xi32>)
// CHECK-DAG: %[[V:.*]] = arith.constant -1.500000e+00 : f32
// CHECK-DAG: %[[SEVEN:.*]] = arith.constant 7 : i32
// CHECK: tensor.pad %[[X]] low[0, 1] high[0, 2]
// CHECK-NEXT: ^bb0(%{{[^:]+}}: index, %{{[^:]+}}: index):
// CHECK-NEXT: tensor.yield %[[V]] : f32
// CHECK-NEXT: } : tensor<4x5xf32> to tensor<4x8xf32>
// CHECK: tensor.pad %[[I]] low[2] high[0]
// CHECK-NEXT: ^bb0(%{{[^:]+}}: index):
// CHECK-NEXT: tensor.yield %[[SEVEN]] : i32
// CHECK-NEXT: } : tensor<3xi32> to tensor<5xi32>
func.func @pad_constant(%x: tensor<4x5xf32>, %i: tensor<3xi32>) -> (tensor<4x8xf32>, tensor<5xi32>) {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 0, 1>, pad_high = array<i64: 0, 2>, mode = "constant", value = -1.5 : f64} : (tensor<4x5xf32>) -> tensor<4x8xf32>
  %1 = "gimlet.pad"(%i) {pad_low = array<i64: 2>, pad_high = array<i64: 0>, mode = "constant", value = 7.0 : f64} : (tensor<3xi32>) -> tensor<5xi32>
  return %0, %1 : tensor<4x8xf32>, tensor<5xi32>
}

// Reflect padding is a generic over the result that mirrors each index: j = last - |last - |i - low||
// (low = 1, last = 3 along axis 0; low = 0, last = 4 along axis 1), then extracts from the input.
// CHECK-LABEL: func.func @pad_reflect
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x5xf32>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {indexing_maps = [#[[ID2]]], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<6x5xf32>)
// CHECK-NEXT: ^bb0(%{{[^:]+}}: f32):
// CHECK-NEXT: %[[I0:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[S0:.*]] = arith.subi %[[I0]], %[[C1]] : index
// CHECK: %[[A0:.*]] = arith.maxsi %[[S0]], %{{.*}} : index
// CHECK-NEXT: %[[D0:.*]] = arith.subi %[[C3]], %[[A0]] : index
// CHECK: %[[M0:.*]] = arith.maxsi %[[D0]], %{{.*}} : index
// CHECK-NEXT: %[[J0:.*]] = arith.subi %[[C3]], %[[M0]] : index
// CHECK: %[[I1:.*]] = linalg.index 1 : index
// CHECK: %[[A1:.*]] = arith.maxsi %[[I1]], %{{.*}} : index
// CHECK-NEXT: %[[D1:.*]] = arith.subi %[[C4]], %[[A1]] : index
// CHECK: %[[M1:.*]] = arith.maxsi %[[D1]], %{{.*}} : index
// CHECK-NEXT: %[[J1:.*]] = arith.subi %[[C4]], %[[M1]] : index
// CHECK-NEXT: %[[E:.*]] = tensor.extract %[[X]][%[[J0]], %[[J1]]] : tensor<4x5xf32>
// CHECK-NEXT: linalg.yield %[[E]] : f32
func.func @pad_reflect(%x: tensor<4x5xf32>) -> tensor<6x5xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 1, 0>, pad_high = array<i64: 1, 0>, mode = "reflect"} : (tensor<4x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// Edge padding clamps each index to [0, size - 1] after subtracting the low padding (3 along axis 1).
// CHECK-LABEL: func.func @pad_edge
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x5xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x9xf32>)
// CHECK: %[[I0:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[L0:.*]] = arith.maxsi %[[I0]], %[[C0]] : index
// CHECK-NEXT: %[[J0:.*]] = arith.minsi %[[L0]], %[[C3]] : index
// CHECK-NEXT: %[[I1:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[S1:.*]] = arith.subi %[[I1]], %[[C3]] : index
// CHECK-NEXT: %[[L1:.*]] = arith.maxsi %[[S1]], %[[C0]] : index
// CHECK-NEXT: %[[J1:.*]] = arith.minsi %[[L1]], %[[C4]] : index
// CHECK-NEXT: tensor.extract %[[X]][%[[J0]], %[[J1]]] : tensor<4x5xf32>
func.func @pad_edge(%x: tensor<4x5xf32>) -> tensor<4x9xf32> {
  %0 = "gimlet.pad"(%x) {pad_low = array<i64: 0, 3>, pad_high = array<i64: 0, 1>, mode = "edge"} : (tensor<4x5xf32>) -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}
