// RUN: not gimlet-opt --gimlet-annotate-cost="targets=cpu,vulkan" --gimlet-partition %s 2>&1 | FileCheck %s

// An op no device can run is an error naming the op, its node, and what each device lacks.
// CHECK: error: gimlet.elementwise at 'to_fp8' cannot run on any target (cpu: no f8E5M2 (it has {{.*}}); vulkan: no f8E5M2 (it has {{.*}})); add a target that can, or change the model
func.func @fp8(%x: tensor<4xf32>) -> tensor<4xf8E5M2> {
  %y = "gimlet.elementwise"(%x) {fn = "cast"} : (tensor<4xf32>) -> tensor<4xf8E5M2> loc("to_fp8")
  return %y : tensor<4xf8E5M2>
}
