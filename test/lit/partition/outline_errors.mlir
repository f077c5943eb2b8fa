// RUN: not gimlet-opt --gimlet-outline-partitions %s 2>&1 | FileCheck %s

// Outlining needs a placement.
// CHECK: error: gimlet.elementwise at loc("unplaced") has no gimlet.target; run gimlet-partition first
func.func @unplaced(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = "gimlet.elementwise"(%x) {fn = "relu"} : (tensor<4xf32>) -> tensor<4xf32> loc("unplaced")
  return %a : tensor<4xf32>
}
