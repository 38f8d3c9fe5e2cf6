import ResIR
import ResPlan

/// Convolution, Gemm and MatMul, with their epilogues (bias, residual, activation), and a convolution's input
/// prologue (scale, shift, activation), whose operands follow the epilogue's.
///
/// These kernels exist for f32 only: f16 and f64 operands are converted to f32 (constants at compile time,
/// activations by a `cast` step) and the result is cast back. The kernel is chosen here, per op; constant
/// weights are packed into the panels the runtime's method for the step reads (`ConvMethod`,
/// `DenseWeightLayouts` in ResPlan: the same rules the runtime applies when it loads the plan).
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
    params.exactSums = attributes.exactSums
    var (extra, hasBias) = try epilogueOperands(node, attributes.epilogue)
    params.epilogue = ActivationEncoding.epilogue(attributes.epilogue, hasBias: hasBias)
    let output = try result(node)
    let (method, packing) = try convolutionMethod(node, attributes, weight)
    if let prologue = attributes.prologue {
      try requirePrologueMethod(node, method)
      params.prologue.activation = prologue.activation.map(ActivationEncoding.activation) ?? .init()
      extra += [
        .float32(try required(node, Op.inputScaleSlot, "input scale")),
        .float32(try required(node, Op.inputShiftSlot, "input shift")),
      ]
    }
    try emit(
      node, .f32ConvNCHWGeneric, .conv(params), inputs: [.float32(x), .weight(weight, packing: packing)] + extra,
      outputs: [.float32(output)])
  }

  /// The runtime applies a prologue only in the methods that read X's channels as GEMM rows or transpose X
  /// (`fewPositions`), and refuses a plan that asks for one elsewhere; the optimizer only makes prologues such
  /// convolutions can take.
  private func requirePrologueMethod(_ node: Node, _ method: ConvMethod?) throws(ModelError) {
    switch method {
    case .pointwise?, .subsampled?, .fewPositions?, .channelsLastPointwise?: return
    default:
      let name = method.map { "the \($0) method" } ?? "no method"
      throw ModelError(
        node,
        "has an input prologue, but the runtime would compute this convolution with \(name), which cannot apply "
          + "one (only 1x1 unpadded convolutions over at least two channels can)")
    }
  }

  /// The method the runtime will choose for this geometry and layout (`ConvMethod.choose`, or
  /// `chooseChannelsLast` for a node `ChannelsLastAssignment` made channels-last; nil for a geometry it cannot
  /// run) and the panels a constant weight is stored in for it (Winograd's for the tile `winogradTile`
  /// picks), nil when that method reads ONNX's layout or the weight is computed.
  private func convolutionMethod(_ node: Node, _ attributes: ConvAttributes, _ weight: ValueID) throws(ModelError)
    -> (ConvMethod?, PanelLayout?)
  {
    guard let shape = ConvGeometry.shape(of: node, attributes, in: graph) else { return (nil, nil) }
    let isConstant = graph.constant(weight) != nil
    let method: ConvMethod? =
      if layouts.readsRowMajorWritesChannelsLast(node) {
        ConvMethod.chooseRowMajorToChannelsLast(shape, weightsAreConstant: isConstant)
      } else if layouts.computesChannelsLast(node) {
        ConvMethod.chooseChannelsLast(shape, reach: winogradReach)
      } else {
        ConvMethod.choose(shape, weightsAreConstant: isConstant)
      }
    let layout = isConstant ? method?.weightLayout(shape, widths: .target, winogradTile: winogradTile) : nil
    return (method, layout)
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
    let aDims = try dims(of: a)
    let bDims = try dims(of: b)
    var aPacking: PanelLayout? = nil
    var bPacking: PanelLayout? = nil
    if aDims.count == 2, bDims.count == 2 {
      let (m, k) = attributes.transA ? (aDims[1], aDims[0]) : (aDims[0], aDims[1])
      let n = attributes.transB ? bDims[0] : bDims[1]
      if graph.constant(a) != nil {
        aPacking = DenseWeightLayouts.gemmA(m: m, k: k, transposed: attributes.transA, widths: .target)
      }
      if graph.constant(b) != nil {
        bPacking = DenseWeightLayouts.gemmB(k: k, n: n, transposed: attributes.transB, widths: .target)
      }
    }
    try emit(
      node, .f32GemmGeneric, .gemm(params), inputs: [.weight(a, packing: aPacking), .weight(b, packing: bPacking)] + extra,
      outputs: [.float32(try result(node))])
  }

  mutating func lowerMatMul(_ node: Node, _ epilogue: Epilogue) throws(ModelError) {
    let a = try required(node, 0, "A")
    let b = try required(node, 1, "B")
    try requireFloatCompute(node, a)
    var params = Rescompile_Plan_MatMulParams()
    let (extra, hasBias) = try epilogueOperands(node, epilogue)
    params.epilogue = ActivationEncoding.epilogue(epilogue, hasBias: hasBias)
    let bDims = try dims(of: b)
    var bPacking: PanelLayout? = nil
    if graph.constant(b) != nil, !bDims.isEmpty {
      let (k, n) = bDims.count == 1 ? (bDims[0], 1) : (bDims[bDims.count - 2], bDims[bDims.count - 1])
      let matrices = bDims.dropLast(min(2, bDims.count)).reduce(1, *)
      bPacking = DenseWeightLayouts.matMulB(matrices: matrices, k: k, n: n, widths: .target)
    }
    let aRead = matMulTransposes.read(a)
    let bRead = matMulTransposes.read(b)
    let written = matMulTransposes.write(try result(node))
    params.aPerm = aRead.perm?.map(Int64.init) ?? []
    params.bPerm = bRead.perm?.map(Int64.init) ?? []
    params.yPerm = written.perm?.map(Int64.init) ?? []
    try emit(
      node, .f32MatMulGeneric, .matmul(params),
      inputs: [.float32(aRead.source), .weight(bRead.source, packing: bPacking)] + extra,
      outputs: [.float32(written.target)])
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
