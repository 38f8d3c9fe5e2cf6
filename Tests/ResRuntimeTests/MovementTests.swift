import ResPlan
import Testing

@testable import ResRuntime

/// copy, gather and pad: strided copies with negative and zero strides, run-time index checks, every pad
/// mode (numpy's results as literals).
@Suite struct MovementTests {
  static func copy(shape: [Int64], source: (Int64, [Int64]), destination: (Int64, [Int64])) -> Rescompile_Plan_Step.OneOf_Params {
    var params = Rescompile_Plan_CopyParams()
    params.shape = shape
    params.srcOffset = source.0
    params.srcStrides = source.1
    params.dstOffset = destination.0
    params.dstStrides = destination.1
    return .copy(params)
  }

  @Test func copyTransposesSlicesAndBroadcasts() throws {
    let x = StepOperand([2, 3], [0, 1, 2, 3, 4, 5], type: .i64)
    let transposed = try StepHarness.run(
      .copy, Self.copy(shape: [3, 2], source: (0, [1, 3]), destination: (0, [2, 1])), inputs: [x], outputs: [(.i64, [3, 2])])
    #expect(transposed[0] == [0, 3, 1, 4, 2, 5])
    let reversed = try StepHarness.run(
      .copy, Self.copy(shape: [2, 2], source: (5, [-3, -2]), destination: (0, [2, 1])), inputs: [x], outputs: [(.i64, [2, 2])])
    #expect(reversed[0] == [5, 3, 2, 0])
    let expanded = try StepHarness.run(
      .copy, Self.copy(shape: [2, 2, 3], source: (0, [0, 3, 1]), destination: (0, [6, 3, 1])), inputs: [x],
      outputs: [(.i64, [2, 2, 3])])
    #expect(expanded[0] == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5])
    let half = try StepHarness.run(
      .copy, Self.copy(shape: [3], source: (1, [2]), destination: (0, [1])), inputs: [StepOperand([6], [0, 1, 2, 3, 4, 5], type: .f16)],
      outputs: [(.f16, [3])])
    #expect(half[0] == [1, 3, 5])
  }

  /// Every permutation of a 3-D tensor with sizes off the 8×8 tile (the transposes run `TransposedCopy`'s
  /// tiles and their partial edges, the rest the row loop), in f32, i32 and f16 (never tiled), on one and two
  /// threads (9,990 elements: above the split threshold), against the element-by-element definition.
  @Test func permutingCopiesMatchTheDefinitionOnOneAndTwoThreads() throws {
    let shape = [3, 37, 90]
    let values = (0..<shape.reduce(1, *)).map { Double($0 % 2003) - 1000 }
    let strides = [shape[1] * shape[2], shape[2], 1]
    for permutation in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
      let output = permutation.map { shape[$0] }
      let outputStrides = [output[1] * output[2], output[2], 1]
      var expected = [Double](repeating: 0, count: values.count)
      for i in 0..<output[0] {
        for j in 0..<output[1] {
          for k in 0..<output[2] {
            let source = i * strides[permutation[0]] + j * strides[permutation[1]] + k * strides[permutation[2]]
            expected[i * outputStrides[0] + j * outputStrides[1] + k] = values[source]
          }
        }
      }
      let params = Self.copy(
        shape: output.map(Int64.init), source: (0, permutation.map { Int64(strides[$0]) }),
        destination: (0, outputStrides.map(Int64.init)))
      for type: ElementType in [.f32, .i32, .f16] {
        for threads in [1, 2] {
          let result = try StepHarness.run(
            .copy, params, inputs: [StepOperand(shape, values, type: type)], outputs: [(type, output)], threads: threads)
          #expect(result[0] == expected, "permutation \(permutation), \(type.rawValue), \(threads) thread(s)")
        }
      }
    }
  }

  /// A channels-last image of 2 to 7 channels made channels-first (tf2onnx's input Transpose), and the same
  /// with the rows reversed: the narrow transposes `TransposedCopy` hands to `DeinterleaveMicrokernel` (a
  /// reversed row of one image row too, read at a negative stride), in f32 and i32, on one and two threads
  /// (19 rows: 4,598 to 16,093 elements, split), against the definition.
  @Test func channelsLastImagesBecomeChannelsFirstOnOneAndTwoThreads() throws {
    let width = 121
    for height in [1, 19] {
      for channels in 2...7 {
        let shape = [1, height, width, channels]
        let values = (0..<shape.reduce(1, *)).map { Double($0 % 1009) - 500 }
        for reversed in [false, true] {
          var expected = [Double](repeating: 0, count: values.count)
          for c in 0..<channels {
            for y in 0..<height {
              for x in 0..<width {
                let column = reversed ? width - 1 - x : x
                expected[(c * height + y) * width + x] = values[(y * width + column) * channels + c]
              }
            }
          }
          let columnStride = Int64(reversed ? -channels : channels)
          let sourceStrides = [Int64(values.count), 1, Int64(width * channels), columnStride]
          let params = Self.copy(
            shape: [1, Int64(channels), Int64(height), Int64(width)],
            source: (reversed ? Int64((width - 1) * channels) : 0, sourceStrides),
            destination: (0, [Int64(values.count), Int64(height * width), Int64(width), 1]))
          for type: ElementType in [.f32, .i32] {
            for threads in [1, 2] {
              let result = try StepHarness.run(
                .copy, params, inputs: [StepOperand(shape, values, type: type)],
                outputs: [(type, [1, channels, height, width])], threads: threads)
              #expect(
                result[0] == expected,
                "\(height) rows of \(channels) channels, reversed \(reversed), \(type.rawValue), \(threads) thread(s)")
            }
          }
        }
      }
    }
  }

  /// Destination layouts the compiler emits (a tensor, a channel slice of a larger one, a permutation, a
  /// reversed axis, axes of size one with any stride) are one-to-one; repeated or interleaved ones are not.
  @Test func oneToOneDestinationLayouts() {
    #expect(CopyOperator.isOneToOne(strides: [12, 4, 1], shape: [2, 3, 4]))
    #expect(CopyOperator.isOneToOne(strides: [256 * 3136, 3136, 56, 1], shape: [1, 64, 56, 56]))
    #expect(CopyOperator.isOneToOne(strides: [1, 4, 12], shape: [4, 3, 2]))
    #expect(CopyOperator.isOneToOne(strides: [-4, 1], shape: [3, 4]))
    #expect(CopyOperator.isOneToOne(strides: [0, 7, 1], shape: [1, 2, 7]))
    #expect(CopyOperator.isOneToOne(strides: [], shape: []))
    #expect(!CopyOperator.isOneToOne(strides: [0, 1], shape: [2, 3]))
    #expect(!CopyOperator.isOneToOne(strides: [2, 1], shape: [2, 3]))
    #expect(!CopyOperator.isOneToOne(strides: [Int.max, 1], shape: [4, 2]), "a reach past UInt.max is refused")
  }

  /// A copy whose destination indices repeat (a malformed plan) gives the one-thread result on two threads:
  /// the last write of each element wins, with no race between workers.
  @Test func repeatedDestinationsAreWrittenInOrder() throws {
    let count = 20_000
    let values = (0..<(2 * count)).map { Double($0 % 1000) }
    // Both rows of the source land on the destination's first row (Y is as long as the walk, as required).
    let params = Self.copy(shape: [2, Int64(count)], source: (0, [Int64(count), 1]), destination: (0, [0, 1]))
    let expected = Array(values[count...])
    for threads in [1, 2] {
      let result = try StepHarness.run(
        .copy, params, inputs: [StepOperand([2, count], values, type: .f32)], outputs: [(.f32, [2 * count])],
        threads: threads)
      #expect(Array(result[0].prefix(count)) == expected, "\(threads) thread(s)")
    }
  }

  @Test func concatenationAsTwoCopiesIntoOneBuffer() throws {
    var builder = PlanBuilder()
    let a = builder.arena("a", .f32, [2, 2])
    let b = builder.arena("b", .f32, [2, 1])
    let y = builder.arena("y", .f32, [2, 3])
    builder.input("a", a)
    builder.input("b", b)
    builder.output("y", y)
    builder.step(.copy, inputs: [a], outputs: [y], Self.copy(shape: [2, 2], source: (0, [2, 1]), destination: (0, [3, 1])))
    builder.step(.copy, inputs: [b], outputs: [y], Self.copy(shape: [2, 1], source: (0, [1, 1]), destination: (2, [3, 1])))
    let runner = try Runner(try builder.plan())
    let result = try runner.run([
      "a": try Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]), "b": try Tensor([9, 8] as [Float], shape: [2, 1]),
    ])
    #expect(result["y"]?.floats == [1, 2, 9, 3, 4, 8])
  }

  /// Resize of a scalar (no axes, no scales) is the scalar; the row-at-a-time walk needs a last axis, so this
  /// case has its own path.
  @Test func resizingAScalarCopiesIt() throws {
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, [])
    let y = builder.arena("y", .f32, [])
    builder.input("x", x)
    builder.output("y", y)
    var params = Rescompile_Plan_ResizeParams()
    params.mode = .linear
    builder.step(.resize, inputs: [x], outputs: [y], .resize(params))
    let runner = try Runner(try builder.plan())
    let result = try runner.run(["x": try Tensor([2.5] as [Float], shape: [])])
    #expect(result["y"]?.floats == [2.5])
  }

  /// A linear resize at scale 1 reads each element with weight 1 and its neighbour with weight 0: the
  /// neighbour's infinity or NaN must not leak in (0 · ∞ is NaN), as when the tap is skipped; and a 2x
  /// upsampling matches the per-element definition bit for bit.
  @Test func linearResizeIgnoresZeroWeightTaps() throws {
    func resize(_ values: [Float], shape: [Int], scales: [Float]) throws -> [Float] {
      var builder = PlanBuilder()
      let outShape = zip(shape, scales).map { Int(Float($0) * $1) }
      let x = builder.arena("x", .f32, shape)
      let y = builder.arena("y", .f32, outShape)
      builder.input("x", x)
      builder.output("y", y)
      var params = Rescompile_Plan_ResizeParams()
      params.mode = .linear
      params.scales = scales
      builder.step(.resize, inputs: [x], outputs: [y], .resize(params))
      let runner = try Runner(try builder.plan())
      return try #require(try runner.run(["x": try Tensor(values, shape: shape)])["y"]?.floats)
    }
    let values: [Float] = [1, .infinity, -0.0, .nan, 3, -.infinity, 2, 5]
    let same = try resize(values, shape: [1, 2, 4], scales: [1, 1, 1])
    // Every sum starts at +0, so −0 comes back as +0 (0 + −0), as it always did.
    let unsigned = values.map { $0 == 0 ? 0 : $0 }
    #expect(zip(same, unsigned).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(same)")
    let finite: [Float] = [1, 4, -2, 0.5, 3, 7, -1, 2]
    let doubled = try resize(finite, shape: [1, 2, 4], scales: [1, 1, 2])
    // half_pixel: output x reads (x + 0.5) / 2 − 0.5, clamped; weights 1 − f and f.
    let expected = (0..<2).flatMap { row in
      (0..<8).map { x -> Float in
        let position = min(max((Double(x) + 0.5) / 2 - 0.5, 0), 3)
        let low = Int(position.rounded(.down))
        let fraction = Float(position - Double(low))
        let (w0, w1) = (Float(1 - (position - Double(low))), fraction)
        var total: Float = 0
        if w0 != 0 { total += 1 * w0 * finite[row * 4 + low] }
        if w1 != 0 { total += 1 * w1 * finite[row * 4 + min(low + 1, 3)] }
        return 1 * total
      }
    }
    #expect(doubled.map(\.bitPattern) == expected.map(\.bitPattern), "\(doubled) vs \(expected)")
  }

  /// A hostile plan's scale puts a cubic or nearest coordinate past what converts to an integer (1e-19) or
  /// makes it NaN (1e-320, whose resized length is 0): the plan loads, every tap clamped to an edge, and runs.
  @Test func resizeCoordinatesOfHostileScalesStayInRange() throws {
    for (mode, coordinates, scale) in [
      (Rescompile_Plan_ResizeParams.Mode.cubic, Rescompile_Plan_ResizeParams.Coordinates.halfPixel, Float(1e-19)),
      // Subnormal scales spelled by their bits (the literals 1e-40 and 1e-45 round to these, with a warning).
      (.cubic, .asymmetric, Float(bitPattern: 0x116C2)), (.nearest, .halfPixelSymmetric, .leastNonzeroMagnitude),
      (.linear, .halfPixelSymmetric, .leastNonzeroMagnitude),
    ] {
      var builder = PlanBuilder()
      let x = builder.arena("x", .f32, [1, 4])
      let y = builder.arena("y", .f32, [1, 3])
      builder.input("x", x)
      builder.output("y", y)
      var params = Rescompile_Plan_ResizeParams()
      params.mode = mode
      params.coordinates = coordinates
      params.scales = [1, scale]
      builder.step(.resize, inputs: [x], outputs: [y], .resize(params))
      let runner = try Runner(try builder.plan())
      let result = try runner.run(["x": try Tensor([1, 2, 3, 4] as [Float], shape: [1, 4])])
      #expect(result["y"]?.floats.count == 3, "\(mode) \(coordinates) \(scale)")
    }
  }

  @Test func copyReachOutsideEitherBufferIsRejected() {
    let x = StepOperand([2, 3], [0, 1, 2, 3, 4, 5])
    let cases: [(Rescompile_Plan_Step.OneOf_Params, [Int], String)] = [
      (Self.copy(shape: [3, 2], source: (0, [1, 3]), destination: (1, [2, 1])), [3, 2], "destination elements"),
      (Self.copy(shape: [2, 2], source: (2, [-3, 1]), destination: (0, [2, 1])), [2, 2], "source elements"),
      (Self.copy(shape: [2, 3], source: (0, [3, 1]), destination: (0, [3, 1])), [2, 2], "copies 6 elements"),
      (Self.copy(shape: [3], source: (0, [Int64.max]), destination: (0, [1])), [3], "overflows"),
      (Self.copy(shape: [2, 2], source: (0, [1]), destination: (0, [1, 1])), [2, 2], "strides"),
      (Self.copy(shape: [-1], source: (0, [1]), destination: (0, [1])), [2, 2], "negative"),
      (Self.copy(shape: [1], source: (-1, [1]), destination: (0, [1])), [2, 2], "source elements"),
    ]
    for (params, output, message) in cases {
      #expect(StepHarness.rejects(.copy, params, inputs: [x], outputs: [(.f32, output)], containing: message))
    }
  }

  @Test func gatherChecksIndicesWhileRunning() throws {
    var params = Rescompile_Plan_GatherParams()
    params.axis = 1
    let data = StepOperand([2, 3], [0, 1, 2, 3, 4, 5])
    let result = try StepHarness.run(
      .gather, .gather(params), inputs: [data, StepOperand([2, 2], [2, -3, 0, -1], type: .i32, constant: true)],
      outputs: [(.f32, [2, 2, 2])])
    #expect(result[0] == [2, 0, 0, 2, 5, 3, 3, 5])
    do {
      _ = try StepHarness.run(
        .gather, .gather(params), inputs: [data, StepOperand([1], [3], type: .i64)], outputs: [(.f32, [2, 1])])
      Issue.record("an index past the axis must fail")
    } catch let error as RuntimeError {
      #expect(error.kind == .execution)
      #expect(error.message.contains("index 3 at position 0 is out of range for an axis of size 3"))
    }
  }

  static func pad(_ mode: Rescompile_Plan_PadParams.Mode, _ pads: [Int64]) -> Rescompile_Plan_Step.OneOf_Params {
    var params = Rescompile_Plan_PadParams()
    params.mode = mode
    params.pads = pads
    return .pad(params)
  }

  @Test func padModesMatchNumpy() throws {
    let x = StepOperand([3], [1, 2, 3], type: .i32)
    let expectations: [(Rescompile_Plan_PadParams.Mode, [Double])] = [
      (.reflect, [1, 2, 3, 2, 1, 2, 3, 2, 1]), (.edge, [1, 1, 1, 1, 1, 2, 3, 3, 3]), (.wrap, [3, 1, 2, 3, 1, 2, 3, 1, 2]),
      (.constant, [0, 0, 0, 0, 1, 2, 3, 0, 0]),
    ]
    for (mode, expected) in expectations {
      let result = try StepHarness.run(.pad, Self.pad(mode, [4, 2]), inputs: [x], outputs: [(.i32, [9])])
      #expect(result[0] == expected, "\(mode)")
    }
    let reflected = try StepHarness.run(
      .pad, Self.pad(.reflect, [1, 2, 0, 1]), inputs: [StepOperand([2, 3], [0, 1, 2, 3, 4, 5])], outputs: [(.f32, [3, 6])])
    #expect(reflected[0] == [5, 4, 3, 4, 5, 4, 2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4])
    let cropped = try StepHarness.run(
      .pad, Self.pad(.constant, [0, 1, 0, -2]),
      inputs: [StepOperand([3, 4], (0..<12).map(Double.init)), StepOperand([1], [9], constant: true)], outputs: [(.f32, [3, 3])])
    #expect(cropped[0] == [9, 0, 1, 9, 4, 5, 9, 8, 9])
    #expect(
      StepHarness.rejects(.pad, Self.pad(.edge, [1, 0]), inputs: [StepOperand([0], [])], outputs: [(.f32, [1])], containing: "empty axis"))
    #expect(
      StepHarness.rejects(.pad, Self.pad(.constant, [0, -4]), inputs: [x], outputs: [(.i32, [0])], containing: "below size 0"))
  }

  /// The last axis copied as runs of consecutive elements and filled as runs of padding (Swin's window padding
  /// of `[1, H, W, C]` on H and W, padding on the last axis at both ends, wrap and reflect runs, a crop)
  /// against the element-by-element map of `PadOperator.source`; constant padding with no value, with an
  /// explicit zero and with 7.5 (whole rows and runs filled by doubling).
  @Test(arguments: [nil, 0, 7.5] as [Double?])
  func padRunsMatchTheElementMap(value: Double?) throws {
    let shape = [1, 3, 4, 5]
    let x = (0..<60).map(Double.init)
    let cases: [(Rescompile_Plan_PadParams.Mode, PadOperator.Mode, [Int])] = [
      (.constant, .constant, [0, 0, 0, 0, 0, 2, 3, 0]), (.constant, .constant, [0, 1, 0, 2, 0, 0, 1, 3]),
      (.wrap, .wrap, [0, 0, 1, 3, 0, 1, 0, 4]), (.reflect, .reflect, [0, 0, 2, 2, 0, 1, 2, 2]),
      (.edge, .edge, [0, 0, 0, 3, 0, 0, 0, 2]), (.constant, .constant, [0, 0, -1, 1, 0, 0, 0, -2]),
    ]
    for (mode, operatorMode, pads) in cases {
      let output = (0..<4).map { shape[$0] + pads[$0] + pads[$0 + 4] }
      var expected: [Double] = []
      for n in 0..<output[0] {
        for h in 0..<output[1] {
          for w in 0..<output[2] {
            for c in 0..<output[3] {
              let index = [n, h, w, c]
              let sources = (0..<4).map { PadOperator.source(index[$0] - pads[$0], size: shape[$0], operatorMode) }
              guard sources.allSatisfy({ $0 != nil }) else {
                expected.append(value ?? 0)
                continue
              }
              let s = sources.map { $0! }
              expected.append(x[((s[0] * shape[1] + s[1]) * shape[2] + s[2]) * shape[3] + s[3]])
            }
          }
        }
      }
      let fill = mode == .constant ? value.map { [StepOperand([1], [$0], constant: true)] } ?? [] : []
      let result = try StepHarness.run(
        .pad, Self.pad(mode, pads.map(Int64.init)), inputs: [StepOperand(shape, x)] + fill, outputs: [(.f32, output)])
      #expect(result[0] == expected, "\(mode) \(pads)")
    }
  }
}
