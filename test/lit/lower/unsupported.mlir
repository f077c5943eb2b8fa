// RUN: not gimlet-opt --split-input-file --gimlet-lower-to-linalg %s 2>&1 | FileCheck %s

// What gimlet-lower-to-linalg refuses, with an error that names the op, instead of crashing or emitting broken IR.

// A dynamic dimension in an operand: the patterns build static shapes only.
// CHECK: error: gimlet.elementwise at {{.*}}: dynamic shape tensor<?x3xf32> is not supported
func.func @dynamic_operand(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = "gimlet.elementwise"(%x) {fn = "relu"} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A dynamic dimension in a result.
// CHECK: error: gimlet.reshape at {{.*}}: dynamic shape tensor<?xf32> is not supported
func.func @dynamic_result(%x: tensor<2x3xf32>) -> tensor<?xf32> {
  %0 = "gimlet.reshape"(%x) : (tensor<2x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A foreign torch.aten.cumsum whose dim is a function argument, which torch-mlir cannot lower.
// CHECK: error: at {{.*}}: failed to legalize operation 'torch.aten.cumsum'
func.func @foreign_unlowerable(%x: tensor<2x3xf32>, %dim: !torch.int) -> tensor<2x3xf32> {
  %0 = "gimlet.foreign"(%x, %dim) ({
  ^bb0(%a: tensor<2x3xf32>, %d: !torch.int):
    %t = torch_c.from_builtin_tensor %a : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
    %none = torch.constant.none
    %c = torch.aten.cumsum %t, %d, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
    %b = torch_c.to_builtin_tensor %c : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
    "gimlet.yield"(%b) : (tensor<2x3xf32>) -> ()
  }) : (tensor<2x3xf32>, !torch.int) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
