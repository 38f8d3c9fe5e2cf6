import ResIR
import ResPlan

/// ReduceMean, ReduceSum and Softmax, in f32 (other float types are converted around them).
extension GraphLowering {
  /// A `f32_reduce_mean`, `_sum`, `_max`, `_min` or `_prod` step. The plan always lists the reduced axes
  /// (non-negative in the IR), sorted: "every axis" (the IR's nil) is spelled out, and an empty list (ONNX's
  /// noop_with_empty_axes) reduces nothing, so it is a view. Whether reduced axes are kept is in the output
  /// buffer's shape.
  mutating func lowerReduce(_ node: Node, axes: [Int]?, kernel: KernelID) throws(ModelError) {
    let x = try required(node, 0, "data")
    let rank = try dims(of: x).count
    let reduced = Set(axes ?? Array(0..<rank)).sorted()
    guard !reduced.isEmpty else {
      try bindView(try result(node), to: try operandTensor(node, 0))
      return
    }
    try requireFloatCompute(node, x)
    var params = Rescompile_Plan_ReduceMeanParams()
    params.axes = reduced.map(Int64.init)
    try emit(node, kernel, .reduceMean(params), inputs: [.float32(x)], outputs: [.float32(try result(node))])
  }

  /// ArgMax/ArgMin compare in f32 (other types are converted first; an int64 beyond 2²⁴ may tie with its
  /// neighbour there) and write int64 positions.
  mutating func lowerArgReduce(_ node: Node, _ attributes: ArgReduceAttributes) throws(ModelError) {
    let x = try required(node, 0, "data")
    var params = Rescompile_Plan_ArgReduceParams()
    params.max = attributes.max
    params.axis = Int64(attributes.axis)
    params.selectLastIndex = attributes.selectLastIndex
    try emit(node, .argReduce, .argReduce(params), inputs: [.float32(x)], outputs: [.value(try result(node))])
  }

  static func reduceKernel(_ kind: ReduceKind) -> KernelID {
    switch kind {
    case .sum: .f32ReduceSum
    case .max: .f32ReduceMax
    case .min: .f32ReduceMin
    case .prod: .f32ReduceProd
    }
  }

  mutating func lowerSoftmax(_ node: Node, axis: Int, coerced2D: Bool) throws(ModelError) {
    let x = try required(node, 0, "input")
    try requireFloatCompute(node, x)
    var params = Rescompile_Plan_SoftmaxParams()
    params.axis = Int64(axis)
    params.coerced2D = coerced2D
    try emit(node, .f32Softmax, .softmax(params), inputs: [.float32(x)], outputs: [.float32(try result(node))])
  }
}
