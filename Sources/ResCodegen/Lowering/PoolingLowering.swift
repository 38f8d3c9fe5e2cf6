import ResIR
import ResPlan

/// MaxPool, AveragePool and GlobalAveragePool: one `f32_pool` step each, with SAME padding resolved to explicit
/// pads from the static input sizes. The kernel computes in f32; other float types are converted around it.
extension GraphLowering {
  mutating func lowerPool(_ node: Node, _ attributes: PoolAttributes, kind: Rescompile_Plan_PoolParams.Kind)
    throws(ModelError)
  {
    let x = try required(node, 0, "X")
    try requireFloatCompute(node, x)
    let xDims = try dims(of: x)
    let spatialRank = xDims.count - 2
    let strides = WindowPadding.orOnes(attributes.strides, count: spatialRank)
    let dilations = WindowPadding.orOnes(attributes.dilations, count: spatialRank)
    var params = Rescompile_Plan_PoolParams()
    params.kind = kind
    params.kernelShape = attributes.kernelShape.map(Int64.init)
    params.strides = strides.map(Int64.init)
    params.dilations = dilations.map(Int64.init)
    params.pads = WindowPadding.explicitPads(
      attributes.padding, inputSizes: Array(xDims.dropFirst(2)), kernel: attributes.kernelShape, strides: strides,
      dilations: dilations
    ).map(Int64.init)
    params.countIncludePad = kind == .average && attributes.countIncludePad
    // SAME padding fixes the output size itself; ceil_mode only applies to explicit pads.
    if case .explicit = attributes.padding { params.ceilMode = attributes.ceilMode }
    try emit(node, .f32Pool, .pool(params), inputs: [.float32(x)], outputs: [.float32(try result(node))])
  }

  mutating func lowerGlobalAveragePool(_ node: Node) throws(ModelError) {
    let x = try required(node, 0, "X")
    try requireFloatCompute(node, x)
    var params = Rescompile_Plan_PoolParams()
    params.kind = .globalAverage
    try emit(node, .f32Pool, .pool(params), inputs: [.float32(x)], outputs: [.float32(try result(node))])
  }
}
