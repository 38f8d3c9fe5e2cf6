import ResPlan
import Testing

@testable import ResRuntime

/// The channels-last layout at the plan level: `f32_reorder` steps move an activation between the layouts
/// exactly, and the loader refuses a channels-last buffer anywhere the rules of plan.proto `ActivationLayout`
/// do not allow one (each with one clear line).
@Suite struct ChannelsLastLayoutTests {
  /// Row-major `[N, C, P]` values as channels-last bytes `[N, P, C]`.
  static func channelsLast(_ values: [Float], shape: [Int]) -> [Float] {
    let (images, channels) = (shape[0], shape[1])
    let positions = shape.dropFirst(2).reduce(1, *)
    var result = [Float](repeating: 0, count: values.count)
    for n in 0..<images {
      for c in 0..<channels {
        for p in 0..<positions {
          result[(n * positions + p) * channels + c] = values[(n * channels + c) * positions + p]
        }
      }
    }
    return result
  }

  /// A plan that reorders its input to channels-last (`nhwc`), applies `unary` there when given (an
  /// elementwise step on channels-last operands), and reorders back to row-major for its output.
  static func roundTrip(_ shape: [Int], unary: Rescompile_Plan_UnaryParams? = nil) -> PlanBuilder {
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, shape)
    var nhwc = builder.arena("x.nhwc", .f32, shape)
    builder.metadata.buffers[Int(nhwc)].layout = .channelsLast
    builder.step(.f32Reorder, inputs: [x], outputs: [nhwc], .reorder(Rescompile_Plan_ReorderParams()))
    if let unary {
      let mapped = builder.arena("mapped.nhwc", .f32, shape)
      builder.metadata.buffers[Int(mapped)].layout = .channelsLast
      builder.step(.unary, inputs: [nhwc], outputs: [mapped], .unary(unary))
      nhwc = mapped
    }
    let y = builder.arena("y", .f32, shape)
    builder.step(.f32Reorder, inputs: [nhwc], outputs: [y], .reorder(Rescompile_Plan_ReorderParams()))
    builder.input("x", x)
    builder.output("y", y)
    return builder
  }

  static func run(_ builder: PlanBuilder, _ values: [Float], shape: [Int], threads: Int) throws -> [Float] {
    let runner = try Runner(try builder.plan(), threads: threads)
    let results = try runner.run(["x": try Tensor(values, shape: shape)])
    return try #require(results["y"]).scalars(as: Float.self)
  }

  /// Shapes around the 8 × 8 tiles of the transpose: partial bands and columns, one channel, 1-D and 3-D;
  /// the last two large enough for several workers, with a last task narrower than the others' 16 columns.
  @Test(arguments: [
    [1, 3, 5, 7], [2, 16, 8, 8], [1, 17, 9, 3], [3, 1, 4, 4], [1, 40, 13], [1, 9, 2, 3, 5], [2, 8, 1], [1, 24, 64, 64],
    [2, 40, 33, 35],
  ])
  func reorderingThereAndBackIsExact(shape: [Int]) throws {
    var random = SeededGenerator(seed: 7)
    let values = random.floats(shape.reduce(1, *))
    for threads in [1, 3] {
      #expect(try Self.run(Self.roundTrip(shape), values, shape: shape, threads: threads) == values)
    }
  }

  /// The intermediate really is channels-last: its bytes, read through a graph output bound to a view, are
  /// the transposed tensor (a view may be bound to an output; only a channels-last binding is refused).
  @Test func theChannelsLastBytesArePositionMajor() throws {
    let shape = [2, 3, 2, 5]
    var builder = Self.roundTrip(shape)
    let raw = builder.view("raw", of: 1, .f32, [shape.reduce(1, *)])
    builder.output("raw", raw)
    let values = (0..<shape.reduce(1, *)).map(Float.init)
    let runner = try Runner(try builder.plan(), threads: 1)
    let results = try runner.run(["x": try Tensor(values, shape: shape)])
    #expect(try #require(results["raw"]).scalars(as: Float.self) == Self.channelsLast(values, shape: shape))
  }

  /// An elementwise step whose operands are all channels-last and of one shape computes index by index.
  @Test func elementwiseStepsReadChannelsLastOperandsOfOneShape() throws {
    var relu = Rescompile_Plan_UnaryParams()
    relu.kind = .relu
    let shape = [1, 5, 3, 3]
    var random = SeededGenerator(seed: 3)
    let values = random.floats(45)
    let result = try Self.run(Self.roundTrip(shape, unary: relu), values, shape: shape, threads: 1)
    #expect(result == values.map { max($0, 0) })
  }

  static func expectRejected(
    _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ builder: PlanBuilder
  ) {
    do {
      _ = try builder.plan()
      Issue.record("the plan loaded; expected '\(fragment)'", sourceLocation: sourceLocation)
    } catch {
      #expect(error.kind == .invalidPlan, sourceLocation: sourceLocation)
      #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
      #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
    }
  }

  @Test func channelsLastOnlyWhereTheRulesAllow() {
    let shape = [1, 4, 3, 3]
    var constant = Self.roundTrip(shape)
    let weights = constant.constant("w", shape, floats: [Float](repeating: 1, count: 36))
    constant.metadata.buffers[Int(weights)].layout = .channelsLast
    Self.expectRejected("buffer 3 'w' is channels-last; only f32 and f16 activations of rank 3 to 5", constant)

    var flat = Self.roundTrip(shape)
    flat.metadata.buffers[1].shape = [36]
    Self.expectRejected("'x.nhwc' is channels-last; only f32 and f16 activations of rank 3 to 5", flat)

    var unknown = Self.roundTrip(shape)
    unknown.metadata.buffers[1].layout = .UNRECOGNIZED(9)
    Self.expectRejected("has activation layout 9, unknown to this runtime", unknown)

    var input = Self.roundTrip(shape)
    input.metadata.buffers[0].layout = .channelsLast
    Self.expectRejected("graph input 'x' is bound to a channels-last buffer", input)

    var sameLayout = Self.roundTrip(shape)
    sameLayout.metadata.buffers[1].layout = .rowMajor
    Self.expectRejected("have the same layout; a reorder changes it", sameLayout)
  }

  @Test func aKernelThatDoesNotReadChannelsLastRefusesIt() {
    let shape = [1, 4, 3, 3]
    var softmax = Self.roundTrip(shape)
    let out = softmax.arena("soft", .f32, shape)
    var params = Rescompile_Plan_SoftmaxParams()
    params.axis = 1
    softmax.step(.f32Softmax, inputs: [1], outputs: [out], .softmax(params))
    Self.expectRejected("(f32_softmax): buffer 1 'x.nhwc' f32[1,4,3,3] channels-last is channels-last, which this kernel does not", softmax)

    var mixed = Self.roundTrip(shape)
    let rowMajor = mixed.arena("rowmajor", .f32, shape)
    var relu = Rescompile_Plan_UnaryParams()
    relu.kind = .relu
    mixed.step(.unary, inputs: [1], outputs: [rowMajor], .unary(relu))
    Self.expectRejected("every operand of this elementwise step must have its shape and layout; buffer 3 'rowmajor'", mixed)

    var broadcast = Self.roundTrip(shape)
    let plane = broadcast.arena("per-position", .f32, [1, 1, 3, 3])
    let sum = broadcast.arena("sum.nhwc", .f32, shape)
    broadcast.metadata.buffers[Int(sum)].layout = .channelsLast
    var add = Rescompile_Plan_BinaryParams()
    add.kind = .add
    broadcast.step(.binary, inputs: [1, plane], outputs: [sum], .binary(add))
    Self.expectRejected("buffer 3 'per-position' f32[1,1,3,3] is row-major with spatial positions", broadcast)
  }

  /// A squeeze-and-excitation gate: a channels-last `[N, C, H, W]` times a row-major `[N, C, 1, 1]` (or a lower
  /// rank `[C, 1, 1]`), in either operand order, whose bytes are the same in both layouts: the binary step
  /// broadcasts over the stored shapes.
  @Test func aChannelsLastStepBroadcastsAPositionFreeOperand() throws {
    let shape = [2, 5, 3, 4]
    var random = SeededGenerator(seed: 17)
    let values = random.floats(shape.reduce(1, *))
    for (gateShape, gateFirst) in [([2, 5, 1, 1], false), ([5, 1, 1], true)] {
      let gate = random.floats(gateShape.reduce(1, *))
      var builder = Self.roundTrip(shape)
      let gateBuffer = builder.arena("gate", .f32, gateShape)
      builder.input("gate", gateBuffer)
      let product = builder.arena("product.nhwc", .f32, shape)
      builder.metadata.buffers[Int(product)].layout = .channelsLast
      var mul = Rescompile_Plan_BinaryParams()
      mul.kind = .mul
      builder.step(.binary, inputs: gateFirst ? [gateBuffer, 1] : [1, gateBuffer], outputs: [product], .binary(mul))
      let y = builder.arena("gated", .f32, shape)
      builder.step(.f32Reorder, inputs: [product], outputs: [y], .reorder(Rescompile_Plan_ReorderParams()))
      builder.output("gated", y)
      let runner = try Runner(try builder.plan(), threads: 1)
      let results = try runner.run(["x": try Tensor(values, shape: shape), "gate": try Tensor(gate, shape: gateShape)])
      let gated = try #require(results["gated"]).scalars(as: Float.self)
      let (channels, positions) = (shape[1], 12)
      let expected = values.indices.map { index in
        let c = index / positions % channels
        let n = index / (positions * channels)
        return values[index] * gate[gateShape.count == 4 ? n * channels + c : c]
      }
      #expect(gated == expected, "gate \(gateShape)")
    }
  }
}
