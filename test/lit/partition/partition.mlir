// RUN: gimlet-opt --split-input-file --gimlet-annotate-cost="targets=cpu,cuda:device=h200" --gimlet-partition %s | FileCheck %s
// RUN: gimlet-opt --split-input-file --gimlet-annotate-cost="targets=cpu,cuda:device=h200" --gimlet-partition="link=cpu-cuda=1Mbit/s,50ms" %s | FileCheck %s --check-prefix=SLOW
// RUN: gimlet-opt --split-input-file --gimlet-annotate-cost="targets=cpu,cuda:device=h200" --gimlet-partition="pin=head=cpu" %s | FileCheck %s --check-prefix=PIN
// RUN: not gimlet-opt --gimlet-annotate-cost="targets=cpu,cuda:device=h200" --gimlet-partition="sla=1us" %s 2>&1 | FileCheck %s --check-prefix=SLA
// RUN: not gimlet-opt --gimlet-annotate-cost="targets=cpu,cuda:device=h200" --gimlet-partition="pin=nothing=cuda" %s 2>&1 | FileCheck %s --check-prefix=NOPIN

// Two large matmuls: on an H200 they take microseconds where the CPU takes a large fraction of a
// second, so they move to cuda even though their inputs arrive on the cpu; the small head follows
// them, as moving its input back would cost more than running it there.
// CHECK-LABEL: func.func @heavy
// CHECK-SAME: gimlet.placement = {cost = {{.*}}, latency = {{.*}}, method = "exact", objective = "latency", optimal = true, source = "cpu"}
// CHECK: "gimlet.matmul"{{.*}}gimlet.reason = "cheapest", gimlet.target = "cuda"
// CHECK: "gimlet.matmul"{{.*}}gimlet.reason = "cheapest", gimlet.target = "cuda"
// CHECK: "gimlet.elementwise"{{.*}}gimlet.target = "cuda"

// Over a 1 Mbit/s, 50 ms link no move pays off: everything stays on the cpu.
// SLOW-LABEL: func.func @heavy
// SLOW-NOT: gimlet.target = "cuda"
// SLOW: "gimlet.matmul"{{.*}}gimlet.target = "cpu"
// SLOW: "gimlet.matmul"{{.*}}gimlet.target = "cpu"
// SLOW: "gimlet.elementwise"{{.*}}gimlet.target = "cpu"

// A pin wins over the cost model, and says so.
// PIN: "gimlet.matmul"{{.*}}gimlet.target = "cuda"
// PIN: "gimlet.matmul"{{.*}}gimlet.target = "cuda"
// PIN: "gimlet.elementwise"{{.*}}gimlet.reason = "pin", gimlet.target = "cpu"

// An SLA below what any placement reaches names the best reachable latency.
// SLA: error: no placement meets the 0.001 ms SLA; the best reachable latency is {{[0-9.]+}} ms

// A pin that matches no node names some nodes to choose from.
// NOPIN: error: pin 'nothing=cuda' matches no node; node names look like: head, mm1, mm2
func.func @heavy(%x: tensor<512x2048xf32>, %w1: tensor<2048x2048xf32>, %w2: tensor<2048x2048xf32>) -> tensor<512x2048xf32> {
  %0 = "gimlet.matmul"(%x, %w1) : (tensor<512x2048xf32>, tensor<2048x2048xf32>) -> tensor<512x2048xf32> loc("mm1")
  %1 = "gimlet.matmul"(%0, %w2) : (tensor<512x2048xf32>, tensor<2048x2048xf32>) -> tensor<512x2048xf32> loc("mm2")
  %2 = "gimlet.elementwise"(%1) {fn = "relu"} : (tensor<512x2048xf32>) -> tensor<512x2048xf32> loc("head")
  return %2 : tensor<512x2048xf32>
}
