// RUN: gimlet-opt --gimlet-outline-partitions %s | FileCheck %s

// A returned constant is made by a partition of its own on the source device (a runtime has nothing
// else to make it with), also where the model computes nothing else; a returned input stays as it is.
// CHECK-LABEL: func.func @constants(
// CHECK-SAME: gimlet.partition = 1 : i64
// CHECK: %[[K:.*]] = call @constants_p0() : () -> tensor<2xf32>
// CHECK: return %[[K]], %arg0, %[[K]]
// CHECK-LABEL: func.func @constants_p0
// CHECK-SAME: attributes {gimlet.device = "vulkan"}
// CHECK: %[[C:.*]] = "gimlet.constant"()
// CHECK: return %[[C]]
func.func @constants(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) attributes {gimlet.placement = {source = "vulkan"}} {
  %c = "gimlet.constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  return %c, %x, %c : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}
