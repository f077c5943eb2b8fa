// RUN: gimlet-opt --gimlet-annotate-cost="targets=cpu,gpu=cuda:device=h200" %s | FileCheck %s

// Every op gets its exact work and an estimate per named device; the module records the devices.
// CHECK: module attributes {gimlet.devices = ["cpu", "gpu=cuda:device=h200"]}
// CHECK-LABEL: func.func @mlp
// A 64x512 by 512x512 matmul: 2*64*512*512 FLOPs; reads 4*(64*512 + 512*512) and writes 4*64*512 bytes.
// On the H200 (datasheet: 67 TFLOP/s f32, 4.8 TB/s, 5 us launch) at the contraction efficiencies (0.6, 0.7):
// max(33554432 / (67e12 * 0.6), 1310720 / (4.8e12 * 0.7)) + 5e-6 = 5.8347e-6 s. The CPU figure depends on this host.
// CHECK: "gimlet.matmul"(%arg0, %arg1) {gimlet.cost = {cpu = {{[0-9.E-]+}} : f64, gpu = 5.8346873631840791E-6 : f64}, gimlet.work = {bytes = 1310720 : i64, flops = 33554432 : i64}}
// CHECK: "gimlet.elementwise"({{.*}}) {fn = "relu", gimlet.cost = {cpu = {{.*}} : f64, gpu = {{.*}} : f64}, gimlet.work = {bytes = 262144 : i64, flops = 32768 : i64}}
// Reshapes are free everywhere: IREE folds them.
// CHECK: "gimlet.reshape"({{.*}}) {gimlet.cost = {cpu = 0.000000e+00 : f64, gpu = 0.000000e+00 : f64}
// Constants are not placed, so not priced.
// CHECK: "gimlet.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
func.func @mlp(%x: tensor<64x512xf32>, %w: tensor<512x512xf32>) -> tensor<32768xf32> {
  %0 = "gimlet.matmul"(%x, %w) : (tensor<64x512xf32>, tensor<512x512xf32>) -> tensor<64x512xf32>
  %1 = "gimlet.elementwise"(%0) {fn = "relu"} : (tensor<64x512xf32>) -> tensor<64x512xf32>
  %2 = "gimlet.reshape"(%1) : (tensor<64x512xf32>) -> tensor<32768xf32>
  %c = "gimlet.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %3 = "gimlet.elementwise"(%2, %c) {fn = "add"} : (tensor<32768xf32>, tensor<f32>) -> tensor<32768xf32>
  return %3 : tensor<32768xf32>
}
