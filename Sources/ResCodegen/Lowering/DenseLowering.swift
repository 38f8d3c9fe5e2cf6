import ResIR
import ResPlan

/// Convolution, Gemm and MatMul, with their epilogues (bias, residual, activation).
///
/// These kernels exist for f32 only: f16 and f64 operands are converted to f32 (constants at compile time,
/// activations by a `cast` step) and the result is cast back. The kernel is chosen here, per op; the layout of
/// its constant operands (weights) is the kernel's business (`KernelID.constantLayout(ofInput:)`).
extension GraphLowering {
  mutating func lowerConvolution(_ node: Node, _ attributes: ConvAttributes) throws(ModelError) {
    let x = try required(node, 0, "X")
    let weight = try required(node, 1, "W")
    try requireFloatCompute(node, x)
    let xDims = try dims(of: x)
    let spatialRank = xDims.count - 2
    let kernelShape = attributes.kernelShape.isEmpty ? Array(try dims(of: weight).dropFirst(2)) : attributes.kernelShape
    let strides = WindowPadding.orOnes(attributes.strides, count: spatialRank)
    let dilations = WindowPadding.orOnes(attributes.dilations, count: spatialRank)

    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = kernelShape.map(Int64.init)
    params.strides = strides.map(Int64.init)
    params.dilations = dilations.map(Int64.init)
    params.pads = WindowPadding.explicitPads(
      attributes.padding, inputSizes: Array(xDims.dropFirst(2)), kernel: kernelShape, strides: strides,
      dilations: dilations
    ).map(Int64.init)
    params.group = Int64(attributes.group)
    let (extra, hasBias) = try epilogueOperands(node, attributes.epilogue)
    params.epilogue = ActivationEncoding.epilogue(attributes.epilogue, hasBias: hasBias)
    try emit(
      node, .f32ConvNCHWGeneric, .conv(params), inputs: [.float32(x), .float32(weight)] + extra,
      outputs: [.float32(try result(node))])
  }

  mutating func lowerGemm(_ node: Node, _ attributes: GemmAttributes) throws(ModelError) {
    let a = try required(node, 0, "A")
    let b = try required(node, 1, "B")
    try requireFloatCompute(node, a)
    var params = Rescompile_Plan_GemmParams()
    params.alpha = attributes.alpha
    params.beta = attributes.beta
    params.transA = attributes.transA
    params.transB = attributes.transB
    let (extra, hasBias) = try epilogueOperands(node, attributes.epilogue)
    params.epilogue = ActivationEncoding.epilogue(attributes.epilogue, hasBias: hasBias)
    try emit(
      node, .f32GemmGeneric, .gemm(params), inputs: [.float32(a), .float32(b)] + extra,
      outputs: [.float32(try result(node))])
  }

  mutating func lowerMatMul(_ node: Node, _ epilogue: Epilogue) throws(ModelError) {
    let a = try required(node, 0, "A")
    let b = try required(node, 1, "B")
    try requireFloatCompute(node, a)
    var params = Rescompile_Plan_MatMulParams()
    let (extra, hasBias) = try epilogueOperands(node, epilogue)
    params.epilogue = ActivationEncoding.epilogue(epilogue, hasBias: hasBias)
    try emit(
      node, .f32MatMulGeneric, .matmul(params), inputs: [.float32(a), .float32(b)] + extra,
      outputs: [.float32(try result(node))])
  }

  /// The bias (slot 2) and residual (slot 3) operands the step reads after its two main operands, in that
  /// order, and whether there is a bias. An epilogue that declares a residual must have one.
  private func epilogueOperands(_ node: Node, _ epilogue: Epilogue) throws(ModelError) -> ([StepOperand], Bool) {
    var operands: [StepOperand] = []
    let bias = node.input(2)
    if let bias { operands.append(.float32(bias)) }
    if epilogue.residual {
      operands.append(.float32(try required(node, Op.residualSlot, "residual")))
    }
    return (operands, bias != nil)
  }
}
