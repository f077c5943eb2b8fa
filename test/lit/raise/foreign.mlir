// RUN: gimlet-opt --gimlet-raise-torch --gimlet-verify %s | FileCheck %s

// Tests of how gimlet-raise-torch wraps unraised torch ops in gimlet.foreign
// regions: region boundaries, merging, cloned constants, non-tensor values.

// An op without a pattern (cumprod) is wrapped whole in a gimlet.foreign: a
// builtin tensor operand and result, torch_c conversions inside at the
// boundary, its constants cloned in, and nothing of torch left outside.
// CHECK-LABEL: func.func @cumprod
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[F:.*]] = "gimlet.foreign"(%[[X]]) ({
// CHECK-NEXT: ^bb0(%[[ARG:[^:]*]]: tensor<2x3xf32>):
// CHECK-NEXT: %[[T:.*]] = torch_c.from_builtin_tensor %[[ARG]] : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
// CHECK-NEXT: %[[INT1:.*]] = torch.constant.int 1
// CHECK-NEXT: %[[NONE:.*]] = torch.constant.none
// CHECK-NEXT: %[[C:.*]] = torch.aten.cumprod %[[T]], %[[INT1]], %[[NONE]] : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
// CHECK-NEXT: %[[B:.*]] = torch_c.to_builtin_tensor %[[C]] : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
// CHECK-NEXT: "gimlet.yield"(%[[B]]) : (tensor<2x3xf32>) -> ()
// CHECK-NEXT: }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[F]] : tensor<2x3xf32>
func.func @cumprod(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %none = torch.constant.none
  %0 = torch.aten.cumprod %x, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}

// Two adjacent foreign ops (cumprod then roll) share ONE region; the value
// between them stays a torch value inside, only the last result is yielded.
// CHECK-LABEL: func.func @adjacent
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[F:.*]] = "gimlet.foreign"(%[[X]]) ({
// CHECK-NEXT: ^bb0(%[[ARG:[^:]*]]: tensor<2x3xf32>):
// CHECK-NEXT: %[[T:.*]] = torch_c.from_builtin_tensor %[[ARG]]
// CHECK: %[[C:.*]] = torch.aten.cumprod %[[T]]
// CHECK-NOT: torch_c
// CHECK: %[[FL:.*]] = torch.aten.roll %[[C]]
// CHECK-NEXT: %[[B:.*]] = torch_c.to_builtin_tensor %[[FL]]
// CHECK-NEXT: "gimlet.yield"(%[[B]]) : (tensor<2x3xf32>) -> ()
// CHECK-NEXT: }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[F]]
// CHECK-NOT: gimlet.foreign
func.func @adjacent(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %none = torch.constant.none
  %dims = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.cumprod %x, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.roll %0, %dims, %dims : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.list<int> -> !torch.vtensor<[2,3],f32>
  return %1 : !torch.vtensor<[2,3],f32>
}

// Foreign ops separated by a native op (relu) get TWO regions, each with its
// own clone of the shared constant; relu reads the first region's result and
// the second region reads relu's result, with no conversion in between.
// CHECK-LABEL: func.func @separated
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[F0:.*]] = "gimlet.foreign"(%[[X]]) ({
// CHECK: torch.constant.int 1
// CHECK: torch.aten.cumprod
// CHECK-NOT: torch.aten.roll
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = "gimlet.elementwise"(%[[F0]]) {fn = "relu"}
// CHECK-NEXT: %[[F1:.*]] = "gimlet.foreign"(%[[R]]) ({
// CHECK: torch.constant.int 1
// CHECK: torch.aten.roll
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[F1]]
func.func @separated(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %none = torch.constant.none
  %dims = torch.prim.ListConstruct %int1 : (!torch.int) -> !torch.list<int>
  %0 = torch.aten.cumprod %x, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.relu %0 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.roll %1, %dims, %dims : !torch.vtensor<[2,3],f32>, !torch.list<int>, !torch.list<int> -> !torch.vtensor<[2,3],f32>
  return %2 : !torch.vtensor<[2,3],f32>
}

// native → foreign → native: the foreign region takes relu's builtin result
// directly and exp takes the region's result directly; no torch_c op (or any
// torch op) remains outside the region.
// CHECK-LABEL: func.func @native_foreign_native
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "relu"}
// CHECK-NEXT: %[[F:.*]] = "gimlet.foreign"(%[[R]]) ({
// CHECK: torch.aten.cumprod
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[E:.*]] = "gimlet.elementwise"(%[[F]]) {fn = "exp"}
// CHECK-NEXT: return %[[E]]
func.func @native_foreign_native(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %none = torch.constant.none
  %0 = torch.aten.relu %x : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.cumprod %0, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.exp %1 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  return %2 : !torch.vtensor<[2,3],f32>
}

// A region yields every result used outside it: the first cumprod feeds the
// second inside and relu outside, so the region has two results.
// CHECK-LABEL: func.func @foreign_two_results_used
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[F:.*]]:2 = "gimlet.foreign"(%[[X]]) ({
// CHECK: %[[C0:.*]] = torch.aten.cumprod
// CHECK: %[[C1:.*]] = torch.aten.cumprod %[[C0]]
// CHECK-DAG: %[[B0:.*]] = torch_c.to_builtin_tensor %[[C0]]
// CHECK-DAG: %[[B1:.*]] = torch_c.to_builtin_tensor %[[C1]]
// CHECK: "gimlet.yield"(%[[B0]], %[[B1]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> ()
// CHECK-NEXT: }) : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = "gimlet.elementwise"(%[[F]]#0) {fn = "relu"}
// CHECK-NEXT: return %[[F]]#1, %[[R]]
func.func @foreign_two_results_used(%x: !torch.vtensor<[2,3],f32>) -> (!torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>) {
  %int1 = torch.constant.int 1
  %none = torch.constant.none
  %0 = torch.aten.cumprod %x, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.cumprod %0, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.relu %0 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  return %1, %2 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>
}

// A non-tensor value (the !torch.int of aten.dim) crosses from one region to
// another: the first region yields the int itself (not a conversion), the
// second takes it as a !torch.int block argument.
// CHECK-LABEL: func.func @int_across
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[F0:.*]] = "gimlet.foreign"(%[[X]]) ({
// CHECK: %[[D:.*]] = torch.aten.dim
// CHECK-NEXT: "gimlet.yield"(%[[D]]) : (!torch.int) -> ()
// CHECK-NEXT: }) : (tensor<2x3xf32>) -> !torch.int
// CHECK-NEXT: %[[R:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "relu"}
// CHECK-NEXT: %[[F1:.*]] = "gimlet.foreign"(%[[F0]], %[[R]]) ({
// CHECK-NEXT: ^bb0(%[[N:[^:]*]]: !torch.int, %[[T:[^:]*]]: tensor<2x3xf32>):
// CHECK: %[[S:.*]] = torch.aten.sub.int %[[N]],
// CHECK: torch.aten.cumprod {{.*}}, %[[S]],
// CHECK: "gimlet.yield"
// CHECK-NEXT: }) : (!torch.int, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[F1]]
func.func @int_across(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %int1 = torch.constant.int 1
  %none = torch.constant.none
  %0 = torch.aten.dim %x : !torch.vtensor<[2,3],f32> -> !torch.int
  %1 = torch.aten.relu %x : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.sub.int %0, %int1 : !torch.int, !torch.int -> !torch.int
  %3 = torch.aten.cumprod %1, %2, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
  return %3 : !torch.vtensor<[2,3],f32>
}

// Non-tensor function arguments and results keep their torch types; they enter
// foreign regions as operands. An add.Tensor whose alpha is an argument, not
// a constant, stays foreign.
// CHECK-LABEL: func.func @non_tensor_args
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[DIM:.*]]: !torch.int, %[[ALPHA:.*]]: !torch.float) -> (tensor<2x3xf32>, !torch.int)
// CHECK-NEXT: %[[F0:.*]] = "gimlet.foreign"(%[[X]], %[[DIM]]) ({
// CHECK-NEXT: ^bb0(%[[A0:[^:]*]]: tensor<2x3xf32>, %[[A1:[^:]*]]: !torch.int):
// CHECK: torch.aten.cumprod {{.*}}, %[[A1]],
// CHECK: }) : (tensor<2x3xf32>, !torch.int) -> tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = "gimlet.elementwise"(%[[F0]]) {fn = "relu"}
// CHECK-NEXT: %[[F1:.*]] = "gimlet.foreign"(%[[R]], %[[X]], %[[ALPHA]]) ({
// CHECK-NEXT: ^bb0(%{{[^:]*}}: tensor<2x3xf32>, %{{[^:]*}}: tensor<2x3xf32>, %[[A2:[^:]*]]: !torch.float):
// CHECK: torch.aten.add.Tensor {{.*}}, %[[A2]] :
// CHECK: }) : (tensor<2x3xf32>, tensor<2x3xf32>, !torch.float) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[F1]], %[[DIM]] : tensor<2x3xf32>, !torch.int
func.func @non_tensor_args(%x: !torch.vtensor<[2,3],f32>, %dim: !torch.int, %alpha: !torch.float) -> (!torch.vtensor<[2,3],f32>, !torch.int) {
  %none = torch.constant.none
  %0 = torch.aten.cumprod %x, %dim, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
  %1 = torch.aten.relu %0 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  %2 = torch.aten.add.Tensor %1, %x, %alpha : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>, !torch.float -> !torch.vtensor<[2,3],f32>
  return %2, %dim : !torch.vtensor<[2,3],f32>, !torch.int
}

// Ops nested in a foreign op's regions (torch.prim.If branches, Loop bodies) may read values from
// outside it: those become region arguments too (%y, and %k, raised to a gimlet.constant), so the
// foreign region stays isolated.
// CHECK-LABEL: func.func @nested_reads
// CHECK-SAME: (%[[C:.*]]: tensor<i1>, %[[Y:.*]]: tensor<3xf32>)
// CHECK: %[[K:.*]] = "gimlet.constant"()
// CHECK: "gimlet.foreign"(%[[C]], %[[Y]], %[[K]]) ({
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<i1>, %[[INY:.*]]: tensor<3xf32>, %[[INK:.*]]: tensor<3xf32>):
// CHECK: %[[TY:.*]] = torch_c.from_builtin_tensor %[[INY]]
// CHECK: %[[TK:.*]] = torch_c.from_builtin_tensor %[[INK]]
// CHECK: torch.prim.If
// CHECK-NEXT: torch.prim.If.yield %[[TY]]
// CHECK: torch.prim.If.yield %[[TK]]
func.func @nested_reads(%c: !torch.vtensor<[],i1>, %y: !torch.vtensor<[3],f32>) -> !torch.vtensor<[3],f32> {
  %k = torch.vtensor.literal(dense<1.0> : tensor<3xf32>) : !torch.vtensor<[3],f32>
  %0 = torch.aten.item %c : !torch.vtensor<[],i1> -> !torch.int
  %1 = torch.aten.Bool.int %0 : !torch.int -> !torch.bool
  %2 = torch.prim.If %1 -> (!torch.vtensor<[3],f32>) {
    torch.prim.If.yield %y : !torch.vtensor<[3],f32>
  } else {
    torch.prim.If.yield %k : !torch.vtensor<[3],f32>
  }
  return %2 : !torch.vtensor<[3],f32>
}
