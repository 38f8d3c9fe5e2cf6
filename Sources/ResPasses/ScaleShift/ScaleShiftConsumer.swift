import ResIR

/// A Conv, Gemm or MatMul that reads a ScaleShift's result as its data input (`x' = x·s[c] + t[c]`), and the
/// weight and bias it gets when it computes from `x` itself: the weight is scaled along its input-channel
/// axis, and the shift, pushed through the weight, becomes a bias.
///
/// Everything is computed in Double from the constants and rounded once into the weight's dtype; the results
/// are new constants (a weight shared with another node is copied, never changed).
struct ScaleShiftConsumer {
  let node: NodeID
  let op: Op
  let weight: NamedConstant
  /// Nil when the consumer had no bias and the shift adds none (a pure scale): no zero bias is invented.
  let bias: NamedConstant?

  /// A constant to add to the graph and the name to give it (made unique on insertion).
  struct NamedConstant {
    let name: String
    let constant: Constant
  }

  /// The per-channel affine map being folded, along `axis` of the consumer's input.
  struct AffineMap {
    let scale: [Double]
    let shift: [Double]
    let axis: Int

    var isPureScale: Bool { shift.allSatisfy { $0 == 0 } }
  }

  /// `Conv "conv"`: how reasons name the consumer.
  static func label(_ node: Node) -> String { "\(node.op.onnxName) \"\(node.name)\"" }

  /// The fold of `map` into `consumer`, whose input 0 it is (an input of type `input`); every guard is here.
  init(folding map: AffineMap, into consumer: Node, input: TensorType, in view: GraphView) throws(FoldDecline) {
    let label = Self.label(consumer)
    guard let kind = Kind(consumer.op) else {
      throw FoldDecline("\(label) reads it; only a Conv, Gemm or MatMul can absorb it into its weights")
    }
    guard let weight = view.constant(consumer.input(1)) else { throw FoldDecline("the weight of \(label) is computed") }
    guard weight.dtype.isFloatingPoint else {
      throw FoldDecline("the weight of \(label) is \(weight.dtype.rawValue), not a float type")
    }
    let folded: (op: Op, weight: [Double], bias: [Double])
    switch kind {
    case .conv(let attributes):
      folded = try Self.conv(attributes, weight, map, label)
    case .gemm(let attributes):
      folded = try Self.gemm(attributes, weight, map, input, label)
    case .matMul(let epilogue):
      folded = try Self.matMul(epilogue, weight, map, input, label)
    }
    node = consumer.id
    op = folded.op
    self.weight = try Self.named(
      Constant(dtype: weight.dtype, dims: weight.dims, doubles: folded.weight), "weight", consumer.input(1),
      fallback: consumer.name + ".weight", label, view)
    if consumer.input(2) == nil, folded.bias.allSatisfy({ $0 == 0 }) {
      self.bias = nil
    } else {
      let bias = try Self.summedBias(consumer, folded.bias, label, in: view)
      self.bias = try Self.named(
        Constant(dtype: weight.dtype, dims: [bias.count], doubles: bias), "bias", consumer.input(2),
        fallback: consumer.name + ".bias", label, view)
    }
  }

  /// The ops whose constant weight multiplies their data input.
  private enum Kind {
    case conv(ConvAttributes)
    case gemm(GemmAttributes)
    case matMul(Epilogue)

    init?(_ op: Op) {
      switch op {
      case .conv(let attributes): self = .conv(attributes)
      case .gemm(let attributes): self = .gemm(attributes)
      case .matMul(let epilogue): self = .matMul(epilogue)
      case .batchNormalization, .layerNormalization, .scaleShift, .lrn, .unary, .clip, .binary, .variadic, .where,
        .gatedSkip, .cast, .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten,
        .reshape, .transpose, .concat, .split, .slice, .squeeze, .unsqueeze, .gather, .shape, .expand, .constantOfShape,
        .pad, .range, .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK, .identity, .dropout,
        .lstm, .gru, .rnn:
        return nil
      }
    }
  }

  // MARK: - Conv

  /// `W'[o,c,k] = W[o,c,k]·s[c]` and `Δb[o] = Σ_{c∈group(o),k} W[o,c,k]·t[c]`, the channel `c` counted over all
  /// groups (`g·C/group + c` for the `c`-th input channel of group `g`). Exact only where no padded cell is
  /// read: the conv pads its input with zeros, and a zero in place of `x·s + t` is not `(0)·s + t`. A pure
  /// scale (every shift 0) maps zero to zero and folds across any padding.
  private static func conv(
    _ attributes: ConvAttributes, _ weight: Constant, _ map: AffineMap, _ label: String
  ) throws(FoldDecline) -> (op: Op, weight: [Double], bias: [Double]) {
    guard map.axis == 1 else {
      throw FoldDecline("the ScaleShift runs along axis \(map.axis), not the input channels of \(label)")
    }
    guard attributes.prologue == nil else {
      throw FoldDecline("\(label) has a prologue: its weights multiply the prologue's output, not its input")
    }
    if let padding = attributes.zeroPadding, !map.isPureScale {
      throw FoldDecline("\(label) has \(padding): zero padding would pad the unshifted value")
    }
    guard weight.dims.count >= 3, weight.elementCount > 0 else {
      throw FoldDecline("the weight of \(label) is \(weight.type), not M, C/group, kernel...")
    }
    let (outputs, perGroup, group) = (weight.dims[0], weight.dims[1], attributes.group)
    let channels = perGroup.multipliedReportingOverflow(by: group)
    guard group >= 1, outputs % group == 0, !channels.overflow, channels.partialValue == map.scale.count else {
      throw FoldDecline(
        "the weight \(weight.type) of \(label) with group \(group) does not read \(map.scale.count) channels")
    }
    let kernel = weight.elementCount / (outputs * perGroup)
    var values = weight.doubles()
    var biasDelta = [Double](repeating: 0, count: outputs)
    for o in 0..<outputs {
      let firstChannel = (o / (outputs / group)) * perGroup
      for c in 0..<perGroup {
        let (s, t) = (map.scale[firstChannel + c], map.shift[firstChannel + c])
        for k in 0..<kernel {
          let index = (o * perGroup + c) * kernel + k
          biasDelta[o] += values[index] * t
          values[index] *= s
        }
      }
    }
    return (.conv(attributes), values, biasDelta)
  }

  // MARK: - Gemm and MatMul

  /// `Y = α·A'·op(B) + β·C` with `A' = A·diag(s) + t`: `op(B)` is scaled along K and
  /// `C' = β·C + α·(t·op(B))` (β becomes 1). A transposed A has the ScaleShift's axis along the output rows,
  /// where no weight reaches.
  private static func gemm(
    _ attributes: GemmAttributes, _ weight: Constant, _ map: AffineMap, _ input: TensorType, _ label: String
  ) throws(FoldDecline) -> (op: Op, weight: [Double], bias: [Double]) {
    guard !attributes.transA else {
      throw FoldDecline("\(label) reads A transposed (transA), so the ScaleShift's axis indexes its output rows")
    }
    let product = try matrixProduct(weight, kAxis: attributes.transB ? 1 : 0, map, input, label)
    var folded = attributes
    folded.beta = 1
    return (.gemm(folded), product.weight, product.shiftTimesWeight.map { Double(attributes.alpha) * $0 })
  }

  /// `A'·B` with `A' = A·diag(s) + t` and B a constant `[K, N]`: B is scaled along K and `t·B` joins the fused
  /// bias. The ScaleShift must run along A's last axis (K).
  private static func matMul(
    _ epilogue: Epilogue, _ weight: Constant, _ map: AffineMap, _ input: TensorType, _ label: String
  ) throws(FoldDecline) -> (op: Op, weight: [Double], bias: [Double]) {
    let product = try matrixProduct(weight, kAxis: 0, map, input, label)
    return (.matMul(epilogue), product.weight, product.shiftTimesWeight)
  }

  /// The matrix weight scaled along `kAxis` and `t·op(B)`, one value per column.
  private static func matrixProduct(
    _ weight: Constant, kAxis: Int, _ map: AffineMap, _ input: TensorType, _ label: String
  ) throws(FoldDecline) -> (weight: [Double], shiftTimesWeight: [Double]) {
    guard map.axis == input.rank - 1 else {
      throw FoldDecline(
        "the ScaleShift runs along axis \(map.axis) of \(input), not the last axis that \(label) contracts")
    }
    guard weight.dims.count == 2, weight.dims[kAxis] == map.scale.count else {
      throw FoldDecline("the weight \(weight.type) of \(label) does not contract \(map.scale.count) channels")
    }
    let columns = weight.dims[1 - kAxis]
    let values = weight.doubles()
    var shiftTimesWeight = [Double](repeating: 0, count: columns)
    for k in 0..<map.scale.count {
      for n in 0..<columns {
        shiftTimesWeight[n] += map.shift[k] * values[kAxis == 0 ? k * columns + n : n * map.scale.count + k]
      }
    }
    return (weight.doubles(scaledAlong: kAxis, by: map.scale), shiftTimesWeight)
  }

  // MARK: - Bias and names

  /// The consumer's own bias (zero when absent; Gemm's C times β) plus `delta`, one value per output channel:
  /// a Conv's bias is `[M]`; a Gemm's C or a MatMul's fused bias must vary along the columns only.
  private static func summedBias(
    _ consumer: Node, _ delta: [Double], _ label: String, in view: GraphView
  ) throws(FoldDecline) -> [Double] {
    guard let operand = consumer.input(2) else { return delta }
    guard let constant = view.constant(operand) else {
      throw FoldDecline("the bias '\(view.graph[operand].name)' of \(label) is computed, not a constant")
    }
    var (own, beta) = (ChannelVector(values: constant.doubles()), 1.0)
    do throws(FusionDecline) {
      if case .gemm(let attributes) = consumer.op {
        beta = Double(attributes.beta)
        own = try ChannelVector(constant, resultRank: 2, axis: 1, role: "the C of \(label)")
      } else if case .matMul = consumer.op {
        let rank = view.type(of: consumer.outputs[0]).rank
        own = try ChannelVector(constant, resultRank: rank, axis: rank - 1, role: "the bias of \(label)")
      }
      own = try own.expanded(to: delta.count)
    } catch {
      throw FoldDecline(error.reason)
    }
    return delta.indices.map { beta * own.values[$0] + delta[$0] }
  }

  /// `constant` with the name of the operand it replaces plus `.scale_shift_folded`; declines when a value does
  /// not fit the dtype (an f16 weight scaled past 65504).
  private static func named(
    _ constant: Constant, _ role: String, _ replaced: ValueID?, fallback: String, _ label: String, _ view: GraphView
  ) throws(FoldDecline) -> NamedConstant {
    if let index = constant.firstNonFiniteIndex {
      throw FoldDecline(
        "the folded \(role) of \(label) does not fit \(constant.dtype.rawValue): element \(index) becomes "
          + "\(constant.double(at: index))")
    }
    let name = (replaced.map { view.graph[$0].name } ?? fallback) + ".scale_shift_folded"
    return NamedConstant(name: name, constant: constant)
  }
}
