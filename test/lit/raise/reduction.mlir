// RUN: gimlet-opt --gimlet-raise-torch --gimlet-verify %s | FileCheck %s

// Tests of gimlet-raise-torch on reductions, softmax and pooling.

// sum.dim_IntList over [1, -1]: axes are normalised and sorted; keepdim
// decides whether the reduced axes stay as size 1.
// CHECK-LABEL: func.func @sum_dims
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[S:.*]] = "gimlet.reduce"(%[[X]]) {axes = array<i64: 1, 2>, keepdims = false, kind = "sum"} : (tensor<2x3x4xf32>) -> tensor<2xf32>
// CHECK: %[[K:.*]] = "gimlet.reduce"(%[[X]]) {axes = array<i64: 1, 2>, keepdims = true, kind = "sum"} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
// CHECK: return %[[S]], %[[K]]
// CHECK-NOT: torch
func.func @sum_dims(%x: !torch.vtensor<[2,3,4],f32>) -> (!torch.vtensor<[2],f32>, !torch.vtensor<[2,1,1],f32>) {
  %int1 = torch.constant.int 1
  %int-1 = torch.constant.int -1
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %none = torch.constant.none
  %dims = torch.prim.ListConstruct %int1, %int-1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.sum.dim_IntList %x, %dims, %false, %none : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[2],f32>
  %1 = torch.aten.sum.dim_IntList %x, %dims, %true, %none : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[2,1,1],f32>
  return %0, %1 : !torch.vtensor<[2],f32>, !torch.vtensor<[2,1,1],f32>
}

// sum of the whole tensor reduces every axis to a 0-d tensor.
// CHECK-LABEL: func.func @sum_all
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>) -> tensor<f32>
// CHECK: %[[S:.*]] = "gimlet.reduce"(%[[X]]) {axes = array<i64: 0, 1>, keepdims = false, kind = "sum"} : (tensor<2x3xf32>) -> tensor<f32>
// CHECK: return %[[S]]
// CHECK-NOT: torch
func.func @sum_all(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[],f32> {
  %none = torch.constant.none
  %0 = torch.aten.sum %x, %none : !torch.vtensor<[2,3],f32>, !torch.none -> !torch.vtensor<[],f32>
  return %0 : !torch.vtensor<[],f32>
}

// A dtype argument (6 = float32) casts the input before the reduction.
// CHECK-LABEL: func.func @sum_int_to_float
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi64>) -> tensor<2xf32>
// CHECK: %[[F:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "cast"} : (tensor<2x3xi64>) -> tensor<2x3xf32>
// CHECK: %[[S:.*]] = "gimlet.reduce"(%[[F]]) {axes = array<i64: 1>, keepdims = false, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK: return %[[S]]
// CHECK-NOT: torch
func.func @sum_int_to_float(%x: !torch.vtensor<[2,3],si64>) -> !torch.vtensor<[2],f32> {
  %int1 = torch.constant.int 1
  %int6 = torch.constant.int 6
  %false = torch.constant.bool false
  %dims = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.sum.dim_IntList %x, %dims, %false, %int6 : !torch.vtensor<[2,3],si64>, !torch.list<int>, !torch.bool, !torch.int -> !torch.vtensor<[2],f32>
  return %0 : !torch.vtensor<[2],f32>
}

// mean.dim, amax, amin and prod.dim_int name their kind; prod takes one int dim.
// CHECK-LABEL: func.func @mean_amax_amin_prod
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[MEAN:.*]] = "gimlet.reduce"(%[[X]]) {axes = array<i64: 2>, keepdims = true, kind = "mean"} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
// CHECK: %[[MAX:.*]] = "gimlet.reduce"(%[[X]]) {axes = array<i64: 0>, keepdims = false, kind = "max"} : (tensor<2x3x4xf32>) -> tensor<3x4xf32>
// CHECK: %[[MIN:.*]] = "gimlet.reduce"(%[[X]]) {axes = array<i64: 1, 2>, keepdims = true, kind = "min"} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
// CHECK: %[[PROD:.*]] = "gimlet.reduce"(%[[X]]) {axes = array<i64: 1>, keepdims = false, kind = "prod"} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[MEAN]], %[[MAX]], %[[MIN]], %[[PROD]]
// CHECK-NOT: torch
func.func @mean_amax_amin_prod(%x: !torch.vtensor<[2,3,4],f32>) -> (!torch.vtensor<[2,3,1],f32>, !torch.vtensor<[3,4],f32>, !torch.vtensor<[2,1,1],f32>, !torch.vtensor<[2,4],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %none = torch.constant.none
  %d2 = torch.prim.ListConstruct %int2 : (!torch.int) -> !torch.list<int>
  %d0 = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %d12 = torch.prim.ListConstruct %int1, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.mean.dim %x, %d2, %true, %none : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[2,3,1],f32>
  %1 = torch.aten.amax %x, %d0, %false : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[3,4],f32>
  %2 = torch.aten.amin %x, %d12, %true : !torch.vtensor<[2,3,4],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[2,1,1],f32>
  %3 = torch.aten.prod.dim_int %x, %int1, %false, %none : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.bool, !torch.none -> !torch.vtensor<[2,4],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[2,3,1],f32>, !torch.vtensor<[3,4],f32>, !torch.vtensor<[2,1,1],f32>, !torch.vtensor<[2,4],f32>
}

// max.dim whose indices are unused is a max reduction.
// CHECK-LABEL: func.func @max_dim_values
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>) -> tensor<2x3xf32>
// CHECK: %[[M:.*]] = "gimlet.reduce"(%[[X]]) {axes = array<i64: 2>, keepdims = false, kind = "max"} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
// CHECK: return %[[M]]
// CHECK-NOT: torch
func.func @max_dim_values(%x: !torch.vtensor<[2,3,4],f32>) -> !torch.vtensor<[2,3],f32> {
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %values, %indices = torch.aten.max.dim %x, %int2, %false : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.bool -> !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],si64>
  return %values : !torch.vtensor<[2,3],f32>
}

// max.dim whose indices are used stays foreign, both results yielded (the
// indices as i64).
// CHECK-LABEL: func.func @max_dim_indices
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
// CHECK-NOT: gimlet.reduce
// CHECK: %[[F:.*]]:2 = "gimlet.foreign"(%[[X]])
// CHECK: torch.aten.max.dim
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (tensor<2x3x4xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
// CHECK: return %[[F]]#0, %[[F]]#1
func.func @max_dim_indices(%x: !torch.vtensor<[2,3,4],f32>) -> (!torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],si64>) {
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %values, %indices = torch.aten.max.dim %x, %int2, %false : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.bool -> !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],si64>
  return %values, %indices : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],si64>
}

// softmax.int (dim -1 → axis 2), _softmax and log_softmax.int (log = true).
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[S0:.*]] = "gimlet.softmax"(%[[X]]) {axis = 2 : i64, log = false} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[S1:.*]] = "gimlet.softmax"(%[[X]]) {axis = 1 : i64, log = false} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[S2:.*]] = "gimlet.softmax"(%[[X]]) {axis = 0 : i64, log = true} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: return %[[S0]], %[[S1]], %[[S2]]
// CHECK-NOT: torch
func.func @softmax(%x: !torch.vtensor<[2,3,4],f32>) -> (!torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,4],f32>) {
  %int-1 = torch.constant.int -1
  %int1 = torch.constant.int 1
  %int0 = torch.constant.int 0
  %false = torch.constant.bool false
  %none = torch.constant.none
  %0 = torch.aten.softmax.int %x, %int-1, %none : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3,4],f32>
  %1 = torch.aten._softmax %x, %int1, %false : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.bool -> !torch.vtensor<[2,3,4],f32>
  %2 = torch.aten.log_softmax.int %x, %int0, %none : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3,4],f32>
  return %0, %1, %2 : !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,4],f32>, !torch.vtensor<[2,3,4],f32>
}

// max_pool1d: kernel 3, stride 2, padding 1 (low and high).
// CHECK-LABEL: func.func @max_pool1d
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x10xf32>)
// CHECK: %[[P:.*]] = "gimlet.pool"(%[[X]]) {ceil_mode = false, count_include_pad = true, dilations = array<i64: 1>, kernel = array<i64: 3>, kind = "max", padding = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<1x2x10xf32>) -> tensor<1x2x5xf32>
// CHECK: return %[[P]]
// CHECK-NOT: torch
func.func @max_pool1d(%x: !torch.vtensor<[1,2,10],f32>) -> !torch.vtensor<[1,2,5],f32> {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int3 : (!torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct %int2 : (!torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.max_pool1d %x, %k, %s, %p, %d, %false : !torch.vtensor<[1,2,10],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,2,5],f32>
  return %0 : !torch.vtensor<[1,2,5],f32>
}

// max_pool2d: an empty stride list means stride = kernel, and ceil_mode gives
// 3 windows of 3 over 8 (floor would give 2); then dilation 2 with padding 1.
// CHECK-LABEL: func.func @max_pool2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>)
// CHECK: %[[CEIL:.*]] = "gimlet.pool"(%[[X]]) {ceil_mode = true, count_include_pad = true, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, kind = "max", padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 3, 3>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x3x3xf32>
// CHECK: %[[DIL:.*]] = "gimlet.pool"(%[[X]]) {ceil_mode = false, count_include_pad = true, dilations = array<i64: 2, 2>, kernel = array<i64: 3, 3>, kind = "max", padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x3x3xf32>
// CHECK: return %[[CEIL]], %[[DIL]]
// CHECK-NOT: torch
func.func @max_pool2d(%x: !torch.vtensor<[1,3,8,8],f32>) -> (!torch.vtensor<[1,3,3,3],f32>, !torch.vtensor<[1,3,3,3],f32>) {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %k = torch.prim.ListConstruct %int3, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %empty = torch.prim.ListConstruct  : () -> !torch.list<int>
  %zeros = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %ones = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %twos = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.max_pool2d %x, %k, %empty, %zeros, %ones, %true : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,3,3,3],f32>
  %1 = torch.aten.max_pool2d %x, %k, %twos, %ones, %twos, %false : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,3,3,3],f32>
  return %0, %1 : !torch.vtensor<[1,3,3,3],f32>, !torch.vtensor<[1,3,3,3],f32>
}

// max_pool3d: three spatial dimensions.
// CHECK-LABEL: func.func @max_pool3d
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4x4xf32>)
// CHECK: %[[P:.*]] = "gimlet.pool"(%[[X]]) {ceil_mode = false, count_include_pad = true, dilations = array<i64: 1, 1, 1>, kernel = array<i64: 2, 2, 2>, kind = "max", padding = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
// CHECK: return %[[P]]
// CHECK-NOT: torch
func.func @max_pool3d(%x: !torch.vtensor<[1,2,4,4,4],f32>) -> !torch.vtensor<[1,2,2,2,2],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int2, %int2, %int2 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0, %int0, %int0 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1, %int1 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.max_pool3d %x, %k, %k, %p, %d, %false : !torch.vtensor<[1,2,4,4,4],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,2,2,2,2],f32>
  return %0 : !torch.vtensor<[1,2,2,2,2],f32>
}

// max_pool2d_with_indices whose indices are unused is a plain max pool.
// CHECK-LABEL: func.func @max_pool2d_with_indices
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
// CHECK: %[[P:.*]] = "gimlet.pool"(%[[X]]) {ceil_mode = false, count_include_pad = true, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, kind = "max", padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
// CHECK: return %[[P]]
// CHECK-NOT: torch
func.func @max_pool2d_with_indices(%x: !torch.vtensor<[1,3,8,8],f32>) -> !torch.vtensor<[1,3,4,4],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %false = torch.constant.bool false
  %k = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %d = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0, %1 = torch.aten.max_pool2d_with_indices %x, %k, %k, %p, %d, %false : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,3,4,4],f32>, !torch.vtensor<[1,3,4,4],si64>
  return %0 : !torch.vtensor<[1,3,4,4],f32>
}

// avg_pool2d keeps count_include_pad (true, then false); a divisor_override
// has no gimlet form and stays foreign.
// CHECK-LABEL: func.func @avg_pool2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>)
// CHECK: %[[INC:.*]] = "gimlet.pool"(%[[X]]) {ceil_mode = false, count_include_pad = true, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, kind = "avg", padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
// CHECK: %[[EXC:.*]] = "gimlet.pool"(%[[X]]) {ceil_mode = false, count_include_pad = false, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, kind = "avg", padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
// CHECK: %[[F:.*]] = "gimlet.foreign"(%[[X]])
// CHECK: %[[INT2:.*]] = torch.constant.int 2
// CHECK: torch.aten.avg_pool2d {{.*}}, %[[INT2]] : {{.*}} -> !torch.vtensor<[1,3,4,4],f32>
// CHECK: "gimlet.yield"
// CHECK: return %[[INC]], %[[EXC]], %[[F]]
func.func @avg_pool2d(%x: !torch.vtensor<[1,3,8,8],f32>) -> (!torch.vtensor<[1,3,4,4],f32>, !torch.vtensor<[1,3,4,4],f32>, !torch.vtensor<[1,3,4,4],f32>) {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %false = torch.constant.bool false
  %true = torch.constant.bool true
  %none = torch.constant.none
  %k = torch.prim.ListConstruct %int3, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %s = torch.prim.ListConstruct %int2, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.avg_pool2d %x, %k, %s, %p, %false, %true, %none : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[1,3,4,4],f32>
  %1 = torch.aten.avg_pool2d %x, %k, %s, %p, %false, %false, %none : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.bool, !torch.none -> !torch.vtensor<[1,3,4,4],f32>
  %2 = torch.aten.avg_pool2d %x, %k, %s, %p, %false, %true, %int2 : !torch.vtensor<[1,3,8,8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.bool, !torch.bool, !torch.int -> !torch.vtensor<[1,3,4,4],f32>
  return %0, %1, %2 : !torch.vtensor<[1,3,4,4],f32>, !torch.vtensor<[1,3,4,4],f32>, !torch.vtensor<[1,3,4,4],f32>
}

// adaptive_avg_pool2d whose output size divides the input (8x6 → 2x3, and
// global 1x1) is an average pool with kernel = stride = input / output;
// 7x7 → 3x3 does not divide and stays foreign.
// CHECK-LABEL: func.func @adaptive_avg_pool2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x6xf32>, %[[Y:.*]]: tensor<1x3x7x7xf32>)
// CHECK: %[[P:.*]] = "gimlet.pool"(%[[X]]) {ceil_mode = false, count_include_pad = true, dilations = array<i64: 1, 1>, kernel = array<i64: 4, 2>, kind = "avg", padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 2>} : (tensor<1x3x8x6xf32>) -> tensor<1x3x2x3xf32>
// CHECK: %[[G:.*]] = "gimlet.pool"(%[[X]]) {{.*}}kernel = array<i64: 8, 6>, kind = "avg", padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 8, 6>} : (tensor<1x3x8x6xf32>) -> tensor<1x3x1x1xf32>
// CHECK: %[[F:.*]] = "gimlet.foreign"(%[[Y]])
// CHECK: torch.aten.adaptive_avg_pool2d
// CHECK: "gimlet.yield"
// CHECK: return %[[P]], %[[G]], %[[F]]
func.func @adaptive_avg_pool2d(%x: !torch.vtensor<[1,3,8,6],f32>, %y: !torch.vtensor<[1,3,7,7],f32>) -> (!torch.vtensor<[1,3,2,3],f32>, !torch.vtensor<[1,3,1,1],f32>, !torch.vtensor<[1,3,3,3],f32>) {
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %o23 = torch.prim.ListConstruct %int2, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %o11 = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %o33 = torch.prim.ListConstruct %int3, %int3 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.adaptive_avg_pool2d %x, %o23 : !torch.vtensor<[1,3,8,6],f32>, !torch.list<int> -> !torch.vtensor<[1,3,2,3],f32>
  %1 = torch.aten.adaptive_avg_pool2d %x, %o11 : !torch.vtensor<[1,3,8,6],f32>, !torch.list<int> -> !torch.vtensor<[1,3,1,1],f32>
  %2 = torch.aten.adaptive_avg_pool2d %y, %o33 : !torch.vtensor<[1,3,7,7],f32>, !torch.list<int> -> !torch.vtensor<[1,3,3,3],f32>
  return %0, %1, %2 : !torch.vtensor<[1,3,2,3],f32>, !torch.vtensor<[1,3,1,1],f32>, !torch.vtensor<[1,3,3,3],f32>
}

// linalg_vector_norm: ord 2 is sqrt(sum(x·x)) (keepdim), ord 1 sum(|x|), ord inf
// max(|x|) over all axes (dim None), ord 3 sum(|x|^3)^(1/3).
// CHECK-LABEL: func.func @vector_norms
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK: %[[SQ:.*]] = "gimlet.elementwise"(%[[X]], %[[X]]) {fn = "mul"}
// CHECK: %[[SS:.*]] = "gimlet.reduce"(%[[SQ]]) {axes = array<i64: 1>, keepdims = true, kind = "sum"} : (tensor<3x4xf32>) -> tensor<3x1xf32>
// CHECK: %[[L2:.*]] = "gimlet.elementwise"(%[[SS]]) {fn = "sqrt"} : (tensor<3x1xf32>) -> tensor<3x1xf32>
// CHECK: %[[A1:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "abs"}
// CHECK: %[[L1:.*]] = "gimlet.reduce"(%[[A1]]) {axes = array<i64: 0>, keepdims = false, kind = "sum"} : (tensor<3x4xf32>) -> tensor<4xf32>
// CHECK: %[[A2:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "abs"}
// CHECK: %[[LINF:.*]] = "gimlet.reduce"(%[[A2]]) {axes = array<i64: 0, 1>, keepdims = false, kind = "max"} : (tensor<3x4xf32>) -> tensor<f32>
// CHECK: %[[A3:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "abs"}
// CHECK: %[[P:.*]] = "gimlet.constant"() {value = dense<3.000000e+00> : tensor<f32>}
// CHECK: %[[CUBES:.*]] = "gimlet.elementwise"(%[[A3]], %[[P]]) {fn = "pow"}
// CHECK: %[[SUM3:.*]] = "gimlet.reduce"(%[[CUBES]]) {axes = array<i64: 1>, keepdims = false, kind = "sum"}
// CHECK: %[[INV:.*]] = "gimlet.constant"() {value = dense<0.333333343> : tensor<f32>}
// CHECK: %[[L3:.*]] = "gimlet.elementwise"(%[[SUM3]], %[[INV]]) {fn = "pow"} : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
// CHECK: return %[[L2]], %[[L1]], %[[LINF]], %[[L3]]
// CHECK-NOT: torch
func.func @vector_norms(%x: !torch.vtensor<[3,4],f32>) -> (!torch.vtensor<[3,1],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[],f32>, !torch.vtensor<[3],f32>) {
  %int2 = torch.constant.int 2
  %int1 = torch.constant.int 1
  %int0 = torch.constant.int 0
  %p3 = torch.constant.float 3.000000e+00
  %inf = torch.constant.float 0x7FF0000000000000
  %true = torch.constant.bool true
  %false = torch.constant.bool false
  %none = torch.constant.none
  %d1 = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %d0 = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.linalg_vector_norm %x, %int2, %d1, %true, %none : !torch.vtensor<[3,4],f32>, !torch.int, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[3,1],f32>
  %1 = torch.aten.linalg_vector_norm %x, %int1, %d0, %false, %none : !torch.vtensor<[3,4],f32>, !torch.int, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[4],f32>
  %2 = torch.aten.linalg_vector_norm %x, %inf, %none, %false, %none : !torch.vtensor<[3,4],f32>, !torch.float, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[],f32>
  %3 = torch.aten.linalg_vector_norm %x, %p3, %d1, %false, %none : !torch.vtensor<[3,4],f32>, !torch.float, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[3],f32>
  return %0, %1, %2, %3 : !torch.vtensor<[3,1],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[],f32>, !torch.vtensor<[3],f32>
}

// ord 0 counts non-zeros: no gimlet form, foreign.
// CHECK-LABEL: func.func @vector_norm_zero
// CHECK: "gimlet.foreign"
// CHECK: torch.aten.linalg_vector_norm
func.func @vector_norm_zero(%x: !torch.vtensor<[3,4],f32>) -> !torch.vtensor<[],f32> {
  %int0 = torch.constant.int 0
  %false = torch.constant.bool false
  %none = torch.constant.none
  %0 = torch.aten.linalg_vector_norm %x, %int0, %none, %false, %none : !torch.vtensor<[3,4],f32>, !torch.int, !torch.none, !torch.bool, !torch.none -> !torch.vtensor<[],f32>
  return %0 : !torch.vtensor<[],f32>
}

// cumsum along dim 1 of [2,3,4]: a [3,3] lower-triangular mask of ones times
// the input seen as [2,3,4] (here already three-dimensional), reshaped back.
// CHECK-LABEL: func.func @cumsum_middle
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[M:.*]] = "gimlet.constant"() {value = dense<{{\[\[}}true, false, false], [true, true, false], [true, true, true]]> : tensor<3x3xi1>}
// CHECK: %[[F:.*]] = "gimlet.elementwise"(%[[M]]) {fn = "cast"} : (tensor<3x3xi1>) -> tensor<3x3xf32>
// CHECK: %[[R:.*]] = "gimlet.reshape"(%[[X]]) {{.*}} -> tensor<2x3x4xf32>
// CHECK: %[[P:.*]] = "gimlet.matmul"(%[[F]], %[[R]]) : (tensor<3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: "gimlet.reshape"(%[[P]]) {{.*}} -> tensor<2x3x4xf32>
// CHECK-NOT: torch.aten.cumsum
func.func @cumsum_middle(%x: !torch.vtensor<[2,3,4],f32>) -> !torch.vtensor<[2,3,4],f32> {
  %int1 = torch.constant.int 1
  %none = torch.constant.none
  %0 = torch.aten.cumsum %x, %int1, %none : !torch.vtensor<[2,3,4],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3,4],f32>
  return %0 : !torch.vtensor<[2,3,4],f32>
}

// cumsum of int32 into int64 (dtype 4): the input is cast first; the last
// axis makes the input [6,4,1].
// CHECK-LABEL: func.func @cumsum_last_to_int64
// CHECK: "gimlet.elementwise"(%{{.*}}) {fn = "cast"} : (tensor<2x3x4xi32>) -> tensor<2x3x4xi64>
// CHECK: "gimlet.matmul"(%{{.*}}, %{{.*}}) : (tensor<4x4xi64>, tensor<6x4x1xi64>) -> tensor<6x4x1xi64>
// CHECK-NOT: torch.aten.cumsum
func.func @cumsum_last_to_int64(%x: !torch.vtensor<[2,3,4],si32>) -> !torch.vtensor<[2,3,4],si64> {
  %int-1 = torch.constant.int -1
  %int4 = torch.constant.int 4
  %0 = torch.aten.cumsum %x, %int-1, %int4 : !torch.vtensor<[2,3,4],si32>, !torch.int, !torch.int -> !torch.vtensor<[2,3,4],si64>
  return %0 : !torch.vtensor<[2,3,4],si64>
}
