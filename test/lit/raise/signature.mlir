// RUN: gimlet-opt --gimlet-raise-torch --gimlet-verify %s | FileCheck %s

// Tests of how gimlet-raise-torch converts function signatures.

// Arguments and results of every dtype become builtin tensors: f32, f16 and
// bf16 keep their type, si64 → i64, i1 stays i1, si32 → i32. The printed
// signature is the function_type attribute (which --gimlet-verify checks
// against the entry block and the return); six results, in reverse order.
// CHECK-LABEL: func.func @dtypes
// CHECK-SAME: (%[[A:[^:]*]]: tensor<2xf32>, %[[B:[^:]*]]: tensor<2xf16>, %[[C:[^:]*]]: tensor<2xbf16>, %[[D:[^:]*]]: tensor<2xi64>, %[[E:[^:]*]]: tensor<2xi1>, %[[F:[^:]*]]: tensor<2xi32>)
// CHECK-SAME: -> (tensor<2xi32>, tensor<2xi1>, tensor<2xi64>, tensor<2xbf16>, tensor<2xf16>, tensor<2xf32>)
// CHECK-NEXT: return %[[F]], %[[E]], %[[D]], %[[C]], %[[B]], %[[A]] : tensor<2xi32>, tensor<2xi1>, tensor<2xi64>, tensor<2xbf16>, tensor<2xf16>, tensor<2xf32>
// CHECK-NEXT: }
func.func @dtypes(%a: !torch.vtensor<[2],f32>, %b: !torch.vtensor<[2],f16>, %c: !torch.vtensor<[2],bf16>, %d: !torch.vtensor<[2],si64>, %e: !torch.vtensor<[2],i1>, %f: !torch.vtensor<[2],si32>) -> (!torch.vtensor<[2],si32>, !torch.vtensor<[2],i1>, !torch.vtensor<[2],si64>, !torch.vtensor<[2],bf16>, !torch.vtensor<[2],f16>, !torch.vtensor<[2],f32>) {
  return %f, %e, %d, %c, %b, %a : !torch.vtensor<[2],si32>, !torch.vtensor<[2],i1>, !torch.vtensor<[2],si64>, !torch.vtensor<[2],bf16>, !torch.vtensor<[2],f16>, !torch.vtensor<[2],f32>
}

// A 0-d argument becomes tensor<f32>; two results returned in swapped order,
// each the raised op's builtin result with no conversion left.
// CHECK-LABEL: func.func @shapes
// CHECK-SAME: (%[[A:[^:]*]]: tensor<f32>, %[[B:[^:]*]]: tensor<1x2x3x4xf16>) -> (tensor<1x2x3x4xf16>, tensor<f32>)
// CHECK-NEXT: %[[N:.*]] = "gimlet.elementwise"(%[[A]]) {fn = "neg"} : (tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[M:.*]] = "gimlet.elementwise"(%[[B]]) {fn = "abs"} : (tensor<1x2x3x4xf16>) -> tensor<1x2x3x4xf16>
// CHECK-NEXT: return %[[M]], %[[N]] : tensor<1x2x3x4xf16>, tensor<f32>
func.func @shapes(%a: !torch.vtensor<[],f32>, %b: !torch.vtensor<[1,2,3,4],f16>) -> (!torch.vtensor<[1,2,3,4],f16>, !torch.vtensor<[],f32>) {
  %0 = torch.aten.neg %a : !torch.vtensor<[],f32> -> !torch.vtensor<[],f32>
  %1 = torch.aten.abs %b : !torch.vtensor<[1,2,3,4],f16> -> !torch.vtensor<[1,2,3,4],f16>
  return %1, %0 : !torch.vtensor<[1,2,3,4],f16>, !torch.vtensor<[],f32>
}

// A dynamic dimension (?) becomes a dynamic builtin dimension. gimlet's lowering needs static
// shapes, so an op on a dynamic shape stays foreign (torch-mlir lowers it).
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[A:[^:]*]]: tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK-NEXT: %[[R:.*]] = "gimlet.foreign"(%[[A]])
// CHECK: torch.aten.relu {{.*}} : !torch.vtensor<[?,4],f32> -> !torch.vtensor<[?,4],f32>
// CHECK: }) : (tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @dynamic(%a: !torch.vtensor<[?,4],f32>) -> !torch.vtensor<[?,4],f32> {
  %0 = torch.aten.relu %a : !torch.vtensor<[?,4],f32> -> !torch.vtensor<[?,4],f32>
  return %0 : !torch.vtensor<[?,4],f32>
}

// Non-tensor arguments and results (!torch.int, !torch.bool) keep their types
// in the signature, beside converted tensors.
// CHECK-LABEL: func.func @non_tensor_values
// CHECK-SAME: (%[[X:[^:]*]]: tensor<3xf32>, %[[N:[^:]*]]: !torch.int, %[[B:[^:]*]]: !torch.bool) -> (!torch.bool, tensor<3xf32>, !torch.int)
// CHECK-NEXT: %[[R:.*]] = "gimlet.elementwise"(%[[X]]) {fn = "relu"}
// CHECK-NEXT: return %[[B]], %[[R]], %[[N]] : !torch.bool, tensor<3xf32>, !torch.int
func.func @non_tensor_values(%x: !torch.vtensor<[3],f32>, %n: !torch.int, %b: !torch.bool) -> (!torch.bool, !torch.vtensor<[3],f32>, !torch.int) {
  %0 = torch.aten.relu %x : !torch.vtensor<[3],f32> -> !torch.vtensor<[3],f32>
  return %b, %0, %n : !torch.bool, !torch.vtensor<[3],f32>, !torch.int
}

// A declaration has no body to convert and keeps its torch signature.
// CHECK-LABEL: func.func private @decl
// CHECK-SAME: (!torch.vtensor<[2],f32>) -> !torch.vtensor<[2],f32>
func.func private @decl(!torch.vtensor<[2],f32>) -> !torch.vtensor<[2],f32>
