// RUN: not gimlet-opt --split-input-file --gimlet-verify %s 2>&1 | FileCheck %s

// Verifier rules of gimlet.constant, gimlet.yield and gimlet.foreign: one malformed op per chunk.

// constant with an operand.
// CHECK: error: 'gimlet.constant' op at {{.*}}: expects 0 operands, has 1
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.constant"(%x) {value = dense<1.0> : tensor<2xf32>} : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// constant without a value.
// CHECK: error: 'gimlet.constant' op at {{.*}}: requires attribute 'value'
func.func @f() -> tensor<2xf32> {
  %0 = "gimlet.constant"() : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// constant whose value has another shape than its result.
// CHECK: error: 'gimlet.constant' op at {{.*}}: value of type tensor<2x3xf32> does not match the result type tensor<3x2xf32>
func.func @f() -> tensor<3x2xf32> {
  %0 = "gimlet.constant"() {value = dense<1.0> : tensor<2x3xf32>} : () -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// constant whose value has another element type than its result.
// CHECK: error: 'gimlet.constant' op at {{.*}}: value of type tensor<2xi32> does not match the result type tensor<2xf32>
func.func @f() -> tensor<2xf32> {
  %0 = "gimlet.constant"() {value = dense<[1, 2]> : tensor<2xi32>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// constant whose value is an untyped string.
// CHECK: error: 'gimlet.constant' op at {{.*}}: value of type none does not match the result type tensor<2xf32>
func.func @f() -> tensor<2xf32> {
  %0 = "gimlet.constant"() {value = "weights.bin"} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// constant of a scalar, not a tensor.
// CHECK: error: 'gimlet.constant' op at {{.*}}: result #0 must be a ranked tensor, got f32
func.func @f() -> f32 {
  %0 = "gimlet.constant"() {value = 1.0 : f32} : () -> f32
  return %0 : f32
}

// -----

// constant with two results.
// CHECK: error: 'gimlet.constant' op at {{.*}}: expects 1 result(s), has 2
func.func @f() -> tensor<2xf32> {
  %0:2 = "gimlet.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> (tensor<2xf32>, tensor<2xf32>)
  return %0#0 : tensor<2xf32>
}

// -----

// yield with a result.
// CHECK: error: 'gimlet.yield' op at {{.*}}: expects 0 result(s), has 1
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %y = "gimlet.yield"(%a) : (tensor<2xf32>) -> tensor<2xf32>
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign without a region.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: must have one region with one block
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign whose region is empty.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: must have one region with one block
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) ({
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign whose region has two blocks.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: must have one region with one block
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    "test.br"()[^bb1] : () -> ()
  ^bb1:
    "gimlet.yield"(%a) : (tensor<2xf32>) -> ()
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign with two regions.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: must have one region with one block
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    "gimlet.yield"(%a) : (tensor<2xf32>) -> ()
  }, {
  ^bb0(%a: tensor<2xf32>):
    "gimlet.yield"(%a) : (tensor<2xf32>) -> ()
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign whose block argument has another type than its operand.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: block argument types [tensor<3xf32>] do not match operand types [tensor<2xf32>]
func.func @f(%x: tensor<2xf32>) -> tensor<3xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<3xf32>):
    "gimlet.yield"(%a) : (tensor<3xf32>) -> ()
  }) : (tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// foreign whose block has no argument for its operand.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: block argument types [] do not match operand types [tensor<2xf32>]
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) ({
    %c = "gimlet.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
    "gimlet.yield"(%c) : (tensor<2xf32>) -> ()
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign whose body is empty.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: body must end in gimlet.yield
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2xf32>):
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign whose body ends in a torch op instead of gimlet.yield.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: body must end in gimlet.yield
func.func @f(%x: tensor<2xf32>) -> () {
  "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %t = torch_c.from_builtin_tensor %a : tensor<2xf32> -> !torch.vtensor<[2],f32>
  }) : (tensor<2xf32>) -> ()
  return
}

// -----

// foreign that yields a torch tensor for a builtin tensor result.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: yielded types [!torch.vtensor<[2],f32>] do not match result types [tensor<2xf32>]
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %t = torch_c.from_builtin_tensor %a : tensor<2xf32> -> !torch.vtensor<[2],f32>
    %n = torch.aten.neg %t : !torch.vtensor<[2],f32> -> !torch.vtensor<[2],f32>
    "gimlet.yield"(%n) : (!torch.vtensor<[2],f32>) -> ()
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign that yields one value for two results.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: yielded types [tensor<2xf32>] do not match result types [tensor<2xf32>, tensor<2xf32>]
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0:2 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    "gimlet.yield"(%a) : (tensor<2xf32>) -> ()
  }) : (tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %0#0 : tensor<2xf32>
}

// -----

// foreign whose body reads a function argument instead of its block argument.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: region uses %arg0 defined outside it; foreign regions are isolated
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %t = torch_c.from_builtin_tensor %x : tensor<2xf32> -> !torch.vtensor<[2],f32>
    %n = torch.aten.neg %t : !torch.vtensor<[2],f32> -> !torch.vtensor<[2],f32>
    %b = torch_c.to_builtin_tensor %n : !torch.vtensor<[2],f32> -> tensor<2xf32>
    "gimlet.yield"(%b) : (tensor<2xf32>) -> ()
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// foreign whose body reads a torch constant defined before it.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: region uses %int1 defined outside it; foreign regions are isolated
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %int1 = torch.constant.int 1
  %0 = "gimlet.foreign"(%x) ({
  ^bb0(%a: tensor<2x3xf32>):
    %t = torch_c.from_builtin_tensor %a : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
    %none = torch.constant.none
    %c = torch.aten.cumsum %t, %int1, %none : !torch.vtensor<[2,3],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,3],f32>
    %b = torch_c.to_builtin_tensor %c : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
    "gimlet.yield"(%b) : (tensor<2x3xf32>) -> ()
  }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// foreign that yields an outer value directly.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: region uses %0 defined outside it; foreign regions are isolated
func.func @f() -> tensor<2xf32> {
  %0 = "gimlet.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %1 = "gimlet.foreign"() ({
    "gimlet.yield"(%0) : (tensor<2xf32>) -> ()
  }) : () -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// foreign with a torch.prim.If whose branch reads a value defined outside the foreign region.
// CHECK: error: 'gimlet.foreign' op at {{.*}}: region uses %0 defined outside it; foreign regions are isolated
func.func @f(%x: tensor<2x3xf32>, %flag: !torch.bool) -> tensor<2x3xf32> {
  %outer = torch_c.from_builtin_tensor %x : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
  %0 = "gimlet.foreign"(%x, %flag) ({
  ^bb0(%a: tensor<2x3xf32>, %c: !torch.bool):
    %t = torch_c.from_builtin_tensor %a : tensor<2x3xf32> -> !torch.vtensor<[2,3],f32>
    %r = torch.prim.If %c -> (!torch.vtensor<[2,3],f32>) {
      %n = torch.aten.neg %outer : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
      torch.prim.If.yield %n : !torch.vtensor<[2,3],f32>
    } else {
      torch.prim.If.yield %t : !torch.vtensor<[2,3],f32>
    }
    %b = torch_c.to_builtin_tensor %r : !torch.vtensor<[2,3],f32> -> tensor<2x3xf32>
    "gimlet.yield"(%b) : (tensor<2x3xf32>) -> ()
  }) : (tensor<2x3xf32>, !torch.bool) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
