import ResIR
import ResPlan

/// TopK: one `top_k` step writing Values and Indices together (the kernel finds both in one pass).
extension GraphLowering {
  /// The kernel orders f32, f64, i64 and i32 in their own type; f16 is widened to f32 and the 8-bit integers to
  /// i32 around it. Both widenings are exact, so the order, the positions and the values are X's own.
  mutating func lowerTopK(_ node: Node, _ attributes: TopKAttributes) throws(ModelError) {
    let x = try required(node, 0, "X")
    let compute = Self.topKComputeType(dtype(of: x))
    var params = Rescompile_Plan_TopKParams()
    params.axis = Int64(attributes.axis)
    params.largest = attributes.largest
    try emit(
      node, .topK, .topK(params), inputs: [.value(x, as: compute)],
      outputs: [.value(try result(node, 0), as: compute), .value(try result(node, 1))])
  }

  static func topKComputeType(_ dtype: DType) -> DType {
    switch dtype {
    case .float16: .float32
    case .int8, .uint8: .int32
    case .float32, .float64, .int64, .int32, .bool: dtype
    }
  }
}
