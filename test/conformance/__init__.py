"""The ONNX backend node test suite through gimlet, IREE directly and ONNX Runtime (see README.md)."""
