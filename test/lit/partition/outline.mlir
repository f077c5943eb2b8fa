// RUN: gimlet-opt --gimlet-outline-partitions %s | FileCheck %s

// Ops placed cpu, cuda, cuda, cpu become three partitions in dependency order. Values cross devices
// through gimlet.transfer, once per value and destination (%a feeds both cuda ops: one transfer);
// the constant is cloned into the partition that reads it; the output returns to the source (cpu).
// CHECK-LABEL: func.func @graph
// CHECK-SAME: gimlet.partition = 3 : i64
// CHECK: %[[P0:.*]] = call @graph_p0(%arg0) : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[T0:.*]] = "gimlet.transfer"(%[[P0]]) {from = "cpu", to = "cuda"}
// CHECK-NOT: "gimlet.transfer"(%[[P0]])
// CHECK: %[[P1:.*]] = call @graph_p1(%[[T0]]) : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[T1:.*]] = "gimlet.transfer"(%[[P1]]) {from = "cuda", to = "cpu"}
// CHECK: %[[P2:.*]] = call @graph_p2(%[[P0]], %[[T1]])
// CHECK: return %[[P2]]
// CHECK-LABEL: func.func @graph_p0
// CHECK-SAME: attributes {gimlet.device = "cpu"}
// CHECK: "gimlet.elementwise"(%arg0) {fn = "relu"
// CHECK-LABEL: func.func @graph_p1
// CHECK-SAME: attributes {gimlet.device = "cuda"}
// CHECK: %[[C:.*]] = "gimlet.constant"()
// CHECK: %[[E:.*]] = "gimlet.elementwise"(%arg0, %[[C]]) {fn = "mul"
// CHECK: "gimlet.elementwise"(%[[E]], %arg0) {fn = "add"
// CHECK-LABEL: func.func @graph_p2
// CHECK-SAME: attributes {gimlet.device = "cpu"}
// CHECK: "gimlet.elementwise"(%arg0, %arg1) {fn = "sub"
func.func @graph(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {gimlet.placement = {source = "cpu"}} {
  %a = "gimlet.elementwise"(%x) {fn = "relu", gimlet.target = "cpu"} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %c = "gimlet.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %b = "gimlet.elementwise"(%a, %c) {fn = "mul", gimlet.target = "cuda"} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %d = "gimlet.elementwise"(%b, %a) {fn = "add", gimlet.target = "cuda"} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %e = "gimlet.elementwise"(%a, %d) {fn = "sub", gimlet.target = "cpu"} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}

