// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s
// RUN: gimlet-opt --gimlet-lower-to-linalg %s | FileCheck %s --check-prefix=NOGIMLET

// gimlet.elementwise → one linalg.generic per op whose body computes fn with arith and math ops.

// No gimlet op survives the lowering.
// NOGIMLET-NOT: gimlet

// The indexing maps, printed once at the top of the module.
// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:map[0-9]*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SCALAR:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID1:map[0-9]*]] = affine_map<(d0) -> (d0)>

// relu: a parallel generic whose body is arith.maximumf with 0.0.
// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: %[[MAX:.*]] = arith.maximumf %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[MAX]] : f32
// CHECK: return %[[R]] : tensor<2x3xf32>
func.func @relu(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "relu"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Broadcasting add of [2, 1] and [3]: the size-1 dimension reads index 0, the missing one is dropped.
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x1xf32>, %[[Y:[^:]+]]: tensor<3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[Y]] : tensor<2x1xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:[^:]+]]: f32, %[[B:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: arith.addf %[[A]], %[[B]] : f32
func.func @add_broadcast(%x: tensor<2x1xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %y) {fn = "add"} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// gelu: math.erf of x·√½ by default; math.tanh of √(2/π)·(x + 0.044715·x³) with approximate = "tanh".
// CHECK-LABEL: func.func @gelu
// CHECK-DAG: %[[RSQRT2:.*]] = arith.constant 0.707106{{[0-9]*}} : f32
// CHECK-DAG: %[[COEF:.*]] = arith.constant 4.471500e-02 : f32
// CHECK-DAG: %[[SQRT2PI:.*]] = arith.constant 0.797884{{[0-9]*}} : f32
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.mulf %[[IN]], %[[RSQRT2]] : f32
// CHECK-NEXT: math.erf %[[S]] : f32
// CHECK-NOT: math.tanh
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN2:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK: arith.mulf %{{.*}}, %[[COEF]] : f32
// CHECK: %[[INNER:.*]] = arith.mulf %{{.*}}, %[[SQRT2PI]] : f32
// CHECK-NEXT: math.tanh %[[INNER]] : f32
// CHECK-NOT: math.erf
// CHECK: return
func.func @gelu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "gimlet.elementwise"(%x) {fn = "gelu"} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "gimlet.elementwise"(%x) {fn = "gelu", approximate = "tanh"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// A float comparison is arith.cmpf into an i1 tensor; where is arith.select, its 0-d operand read through an empty map.
// CHECK-LABEL: func.func @compare_where
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3xf32>, %[[Y:[^:]+]]: tensor<2x3xf32>, %[[Z:[^:]+]]: tensor<f32>)
// CHECK: %[[MASK:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[Y]] : tensor<2x3xf32>, tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xi1>)
// CHECK-NEXT: ^bb0(%[[A:[^:]+]]: f32, %[[B:[^:]+]]: f32, %{{[^:]+}}: i1):
// CHECK-NEXT: %[[C:.*]] = arith.cmpf olt, %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[C]] : i1
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[SCALAR]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[MASK]], %[[X]], %[[Z]] : tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>)
// CHECK-NEXT: ^bb0(%[[P:[^:]+]]: i1, %[[T:[^:]+]]: f32, %[[F:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: arith.select %[[P]], %[[T]], %[[F]] : f32
func.func @compare_where(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>, %z: tensor<f32>) -> tensor<2x3xf32> {
  %0 = "gimlet.elementwise"(%x, %y) {fn = "lt"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %1 = "gimlet.elementwise"(%0, %x, %z) {fn = "where"} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// Integer relu, comparison and division use signed integer ops.
// CHECK-LABEL: func.func @integer
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: arith.maxsi %{{.*}}, %[[ZERO]] : i32
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : i32
// CHECK: arith.divsi %{{.*}}, %{{.*}} : i32
func.func @integer(%x: tensor<4xi32>, %y: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi1>, tensor<4xi32>) {
  %0 = "gimlet.elementwise"(%x) {fn = "relu"} : (tensor<4xi32>) -> tensor<4xi32>
  %1 = "gimlet.elementwise"(%x, %y) {fn = "ge"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %2 = "gimlet.elementwise"(%x, %y) {fn = "div"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi1>, tensor<4xi32>
}

// Bools order false < true: max, min and ordered comparisons of i1 use unsigned ops.
// CHECK-LABEL: func.func @bools
// CHECK: arith.maxui %{{.*}}, %{{.*}} : i1
// CHECK: arith.minui %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i1
func.func @bools(%a: tensor<4xi1>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = "gimlet.elementwise"(%a, %b) {fn = "max"} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = "gimlet.elementwise"(%a, %b) {fn = "min"} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %2 = "gimlet.elementwise"(%a, %b) {fn = "lt"} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = "gimlet.elementwise"(%a, %b) {fn = "eq"} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// Logical and is arith.andi; not is arith.xori with true.
// CHECK-LABEL: func.func @logic
// CHECK-DAG: %[[TRUE:.*]] = arith.constant true
// CHECK: arith.andi %{{.*}}, %{{.*}} : i1
// CHECK: arith.xori %{{.*}}, %[[TRUE]] : i1
func.func @logic(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = "gimlet.elementwise"(%a, %b) {fn = "and"} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = "gimlet.elementwise"(%0) {fn = "not"} : (tensor<4xi1>) -> tensor<4xi1>
  return %1 : tensor<4xi1>
}

// leaky_relu selects x where x > 0, else x·alpha; clamp is maximumf with min then minimumf with max.
// CHECK-LABEL: func.func @leaky_relu_clamp
// CHECK-DAG: %[[ALPHA:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[LOW:.*]] = arith.constant -1.000000e+00 : f32
// CHECK-DAG: %[[HIGH:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: ^bb0(%[[IN:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.mulf %[[IN]], %[[ALPHA]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[IN]], %[[NEG]] : f32
// CHECK: ^bb0(%[[IN2:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: %[[LO:.*]] = arith.maximumf %[[IN2]], %[[LOW]] : f32
// CHECK-NEXT: arith.minimumf %[[LO]], %[[HIGH]] : f32
func.func @leaky_relu_clamp(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "gimlet.elementwise"(%x) {fn = "leaky_relu", alpha = 0.25 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "gimlet.elementwise"(%x) {fn = "clamp", min = -1.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// leaky_relu without alpha uses PyTorch's and ONNX's default slope 0.01.
// CHECK-LABEL: func.func @leaky_relu_default
// CHECK-DAG: %[[ALPHA:.*]] = arith.constant 0.00999999977 : f32
// CHECK: arith.mulf %{{.*}}, %[[ALPHA]] : f32
func.func @leaky_relu_default(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "leaky_relu"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// sigmoid is 1 / (1 + exp(-x)).
// CHECK-LABEL: func.func @sigmoid
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: ^bb0(%[[IN:[^:]+]]: f32, %{{[^:]+}}: f32):
// CHECK-NEXT: %[[N:.*]] = arith.negf %[[IN]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[E]], %[[ONE]] : f32
// CHECK-NEXT: arith.divf %[[ONE]], %[[D]] : f32
func.func @sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "sigmoid"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// cast picks the conversion from the element types: float → int truncates, bool → float is unsigned,
// float → bool is `!= 0`, f32 → f16 truncates, i1 → i32 zero-extends, i32 → i64 sign-extends.
// CHECK-LABEL: func.func @casts
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.extui %{{.*}} : i1 to i32
// CHECK: arith.extsi %{{.*}} : i32 to i64
func.func @casts(%x: tensor<4xf32>, %b: tensor<4xi1>, %i: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf16>, tensor<4xi32>, tensor<4xi64>) {
  %0 = "gimlet.elementwise"(%x) {fn = "cast"} : (tensor<4xf32>) -> tensor<4xi32>
  %1 = "gimlet.elementwise"(%b) {fn = "cast"} : (tensor<4xi1>) -> tensor<4xf32>
  %2 = "gimlet.elementwise"(%x) {fn = "cast"} : (tensor<4xf32>) -> tensor<4xi1>
  %3 = "gimlet.elementwise"(%x) {fn = "cast"} : (tensor<4xf32>) -> tensor<4xf16>
  %4 = "gimlet.elementwise"(%b) {fn = "cast"} : (tensor<4xi1>) -> tensor<4xi32>
  %5 = "gimlet.elementwise"(%i) {fn = "cast"} : (tensor<4xi32>) -> tensor<4xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf16>, tensor<4xi32>, tensor<4xi64>
}

// bitcast reads the same bits as another type: arith.bitcast, or nothing at all between signless
// integers of one width (int8 to uint8): the operand itself is returned.
// CHECK-LABEL: func.func @bitcasts
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<4xi8>)
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.bitcast %{{.*}} : i64 to f64
// CHECK: return %{{.*}}, %{{.*}}, %[[B]] :
func.func @bitcasts(%x: tensor<4xf32>, %i: tensor<4xi64>, %b: tensor<4xi8>) -> (tensor<4xi32>, tensor<4xf64>, tensor<4xi8>) {
  %0 = "gimlet.elementwise"(%x) {fn = "bitcast"} : (tensor<4xf32>) -> tensor<4xi32>
  %1 = "gimlet.elementwise"(%i) {fn = "bitcast"} : (tensor<4xi64>) -> tensor<4xf64>
  %2 = "gimlet.elementwise"(%b) {fn = "bitcast"} : (tensor<4xi8>) -> tensor<4xi8>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xf64>, tensor<4xi8>
}

// Unary and binary float functions map to their math and arith ops one to one.
// CHECK-LABEL: func.func @float_functions
// CHECK: math.powf %{{.*}}, %{{.*}} : f32
// CHECK: math.rsqrt %{{.*}} : f32
// CHECK: math.floor %{{.*}} : f32
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
func.func @float_functions(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>) {
  %0 = "gimlet.elementwise"(%x, %y) {fn = "pow"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "gimlet.elementwise"(%x) {fn = "rsqrt"} : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "gimlet.elementwise"(%x) {fn = "floor"} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "gimlet.elementwise"(%x, %y) {fn = "ne"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>
}
