import ResIR

/// Turns a BatchNormalization that an exporter wrote out as `x · s + b` (or `x · s − b`), with one constant
/// factor and one constant offset per channel, into the `ScaleShift` that `batchnorm-to-scale-shift` makes of
/// the op itself: one step instead of two, with an epilogue that takes the activation after it.
///
/// tf2onnx writes every BatchNormalization TensorFlow did not fold into a convolution this way: a Keras
/// ResNet50V2's 17 pre-activation BNs (after the residual Add) and a Keras DenseNet121's 62 (after each
/// Concat) became Mul, Add and Relu, three steps each, where a torchvision export has one ScaleShift with its
/// ReLU; in DenseNet the ScaleShift then becomes its 1x1 convolution's input prologue (`fuse-input-scale-shift`).
///
/// ## Before
/// ```
/// const @s: f32[3,1,1] = [0.5,-2.0,4.0]
/// const @b: f32[3,1,1] = [0.25,0.0,-1.0]
/// %m = Mul "bn.mul" (%x, @s) : f32[1,3,6,6]
/// %y = Add "bn.add" (%m, @b) : f32[1,3,6,6]
/// ```
/// ## After
/// ```
/// const @bn.add.scale: f32[3] = [0.5,-2.0,4.0]
/// const @bn.add.shift: f32[3] = [0.25,0.0,-1.0]
/// %y = ScaleShift "bn.add" (%x, @bn.add.scale, @bn.add.shift) {axis=1} : f32[1,3,6,6]
/// ```
/// A factor or offset with one value serves every channel. -O2: the runtime may round `x · s + b` once
/// where the graph rounded twice.
///
/// Declined, each with its reason: a factor or offset that is computed, or that varies along an axis other
/// than the channels (axis 1) or broadcasts X to a larger shape; a product with other readers (it is needed
/// on its own). Not considered: X of rank below 3 (a `[N, D]` feature vector, where axis 1 is a
/// transformer's hidden axis and the Mul and Add are a LayerNorm's affine part) or not a float type.
public struct MulAddToScaleShift: RewritePattern {
  public init() {}
  public let name = "mul-add-to-scale-shift"

  public struct Match {
    let add: NodeID
    let mul: NodeID
    let input: ValueID
    let scale: Constant
    let shift: Constant
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard let (product, offset, negated) = Self.sum(node, in: view), let mul = view.producer(of: product),
      case .binary(.mul) = mul.op, let a = mul.input(0), let b = mul.input(1)
    else { return .notApplicable }
    // The operand that is not a constant is X; the other is the factor.
    let (input, factor) = view.constant(a) == nil ? (a, b) : (b, a)
    let type = view.type(of: input)
    guard type.rank >= 3, type.dtype.isFloatingPoint, view.constant(input) == nil, let dims = type.knownDims else {
      return .notApplicable
    }
    do throws(FoldDecline) {
      guard view.useCount(of: product) == 1, !view.isGraphOutput(product) else {
        throw FoldDecline("the product '\(view.graph[product].name)' has other readers")
      }
      guard view.type(of: node.outputs[0]) == type, view.type(of: product) == type else {
        throw FoldDecline("the factor or offset broadcasts X \(type) to a larger shape")
      }
      let channels = dims[1]
      let scale = try Self.perChannel(factor, role: "factor", channels: channels, rank: type.rank, in: view)
      let shift = try Self.perChannel(offset, role: "offset", channels: channels, rank: type.rank, in: view)
      return .matched(
        Match(
          add: node.id, mul: mul.id, input: input,
          scale: Constant(dtype: type.dtype, dims: [channels], doubles: scale),
          shift: Constant(dtype: type.dtype, dims: [channels], doubles: negated ? shift.map { -$0 } : shift)))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    guard let node = graph.node(match.add) else { return }
    let scale = graph.addConstant(name: node.name + ".scale", match.scale)
    let shift = graph.addConstant(name: node.name + ".shift", match.shift)
    graph.updateNode(match.add) { add in
      add.op = .scaleShift(axis: 1, epilogue: .none)
      add.inputs = [match.input, scale, shift]
    }
    graph.removeNodes([match.mul])
  }

  /// `Add(p, b)`, `Add(b, p)` or `Sub(p, b)` with `b` a constant and `p` computed: p, b, and whether b is
  /// subtracted.
  private static func sum(_ node: Node, in view: GraphView) -> (ValueID, ValueID, Bool)? {
    guard case .binary(let op) = node.op, let a = node.input(0), let b = node.input(1) else { return nil }
    switch op {
    case .add where view.constant(b) != nil && view.constant(a) == nil: return (a, b, false)
    case .add where view.constant(a) != nil && view.constant(b) == nil: return (b, a, false)
    case .sub where view.constant(b) != nil && view.constant(a) == nil: return (a, b, true)
    default: return nil
    }
  }

  /// One value per channel of a constant that, aligned with X's dimensions from the right, is 1 everywhere
  /// but on the channel axis (where it is 1 or `channels`); a single value is repeated.
  static func perChannel(
    _ operand: ValueID, role: String, channels: Int, rank: Int, in view: GraphView
  ) throws(FoldDecline) -> [Double] {
    guard let constant = view.constant(operand) else { throw FoldDecline("the \(role) is computed, not a constant") }
    let dims = constant.dims
    let channelIndex = dims.count - (rank - 1)
    for (index, size) in dims.enumerated() where size != 1 {
      guard index == channelIndex, size == channels else {
        throw FoldDecline("the \(role) \(constant.type) is not one value per channel (\(channels))")
      }
    }
    let values = constant.doubles()
    return values.count == channels ? values : [Double](repeating: values.first ?? 0, count: channels)
  }
}
