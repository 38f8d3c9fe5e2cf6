import Foundation
import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// unary, binary, where, cast and fill across element types, against ONNX reference semantics.
@Suite struct ElementwiseTests {
  static func unary(_ kind: Rescompile_Plan_UnaryParams.Kind, alpha: Float = 0, beta: Float = 0)
    -> Rescompile_Plan_Step.OneOf_Params
  {
    var params = Rescompile_Plan_UnaryParams()
    params.kind = kind
    params.alpha = alpha
    params.beta = beta
    return .unary(params)
  }

  static let unaryKinds: [(Rescompile_Plan_UnaryParams.Kind, PointwiseFunction)] = [
    (.identity, .identity), (.relu, .relu), (.sigmoid, .sigmoid), (.tanh, .tanh), (.erf, .erf), (.sqrt, .sqrt),
    (.hardSwish, .hardSwish), (.leakyRelu, .leakyRelu(alpha: 0.3)), (.hardSigmoid, .hardSigmoid(alpha: 0.3, beta: 0.4)),
    (.gelu, .gelu), (.geluTanh, .geluTanh), (.clip, .clip(min: 0.3, max: 0.4)),
  ]

  @Test func unaryInEveryFloatType() throws {
    let values: [Double] = [-3, -1.5, -0.25, 0, 0.125, 0.5, 1, 2.5, 7, 40]
    for (kind, function) in Self.unaryKinds {
      let params = Self.unary(kind, alpha: 0.3, beta: 0.4)
      let expected = values.map { NaiveMath.pointwise(function, $0) }
      let single = try StepHarness.run(.unary, params, inputs: [StepOperand([10], values)], outputs: [(.f32, [10])])
      expectClose(single[0], expected, absolute: 1e-6, "f32 \(kind)")
      let double = try StepHarness.run(
        .unary, params, inputs: [StepOperand([2, 5], values, type: .f64)], outputs: [(.f64, [2, 5])])
      expectClose(double[0], expected, absolute: 1e-12, relative: 1e-12, "f64 \(kind)")
      let half = try StepHarness.run(.unary, params, inputs: [StepOperand([10], values, type: .f16)], outputs: [(.f16, [10])])
      expectClose(half[0], expected, absolute: 1e-3, relative: 1e-3, "f16 \(kind)")
    }
    #expect(
      StepHarness.rejects(.unary, Self.unary(.relu), inputs: [StepOperand([2], [1, 2], type: .i32)], outputs: [(.i32, [2])], containing: "element type"))
  }

  static func binary(_ kind: Rescompile_Plan_BinaryParams.Kind) -> Rescompile_Plan_Step.OneOf_Params {
    var params = Rescompile_Plan_BinaryParams()
    params.kind = kind
    return .binary(params)
  }

  @Test func f32BinaryBroadcastsLikeNumpy() throws {
    var random = SeededGenerator(seed: 31)
    let shapes: [([Int], [Int], [Int])] = [
      ([2, 3, 4], [3, 1], [2, 3, 4]), ([1], [5, 4], [5, 4]), ([4, 1, 3], [1, 5, 1], [4, 5, 3]),
      ([2, 40], [2, 40], [2, 40]), ([], [3], [3]), ([7, 1], [7, 1], [7, 1]),
    ]
    let kinds: [(Rescompile_Plan_BinaryParams.Kind, (Double, Double) -> Double)] = [
      (.add, { $0 + $1 }), (.sub, { $0 - $1 }), (.mul, { $0 * $1 }), (.div, { $0 / $1 }),
      (.max, { max($0, $1) }), (.min, { min($0, $1) }), (.pow, { pow(abs($0), $1) }),
    ]
    for (aShape, bShape, yShape) in shapes {
      let a = random.floats(aShape.reduce(1, *)).map { $0 + 2 }
      let b = random.floats(bShape.reduce(1, *)).map { $0 + 2 }
      for (kind, operation) in kinds {
        let result = try StepHarness.run(
          .binary, Self.binary(kind), inputs: [StepOperand(aShape, floats: a), StepOperand(bShape, floats: b, constant: true)],
          outputs: [(.f32, yShape)])
        let expected = (0..<yShape.reduce(1, *)).map { index in
          operation(
            Double(a[NaiveMatMul.broadcastIndex(index, from: yShape, to: aShape)]),
            Double(b[NaiveMatMul.broadcastIndex(index, from: yShape, to: bShape)]))
        }
        expectClose(result[0], expected, absolute: 1e-6, "\(kind) \(aShape) \(bShape)")
      }
    }
  }

  /// float64 add, subtract, multiply and divide (`DoubleArithmetic`'s typed loops, per stride pattern) give
  /// exactly the IEEE results of the element rule, broadcasting either operand, on one and two threads.
  @Test(arguments: [1, 2])
  func f64ArithmeticBroadcastsBitForBit(threads: Int) throws {
    var random = SeededGenerator(seed: 41)
    let shapes: [([Int], [Int], [Int])] = [
      ([2, 3, 40], [3, 1], [2, 3, 40]), ([1], [5, 40], [5, 40]), ([40, 1, 3], [1, 5, 1], [40, 5, 3]),
      ([2, 400], [2, 400], [2, 400]), ([], [3], [3]), ([64, 64], [], [64, 64]),
    ]
    let kinds: [(Rescompile_Plan_BinaryParams.Kind, (Double, Double) -> Double)] = [
      (.add, { $0 + $1 }), (.sub, { $0 - $1 }), (.mul, { $0 * $1 }), (.div, { $0 / $1 }),
    ]
    for (aShape, bShape, yShape) in shapes {
      let a = random.floats(aShape.reduce(1, *)).map { Double($0) / 3 + 2 }
      let b = random.floats(bShape.reduce(1, *)).map { Double($0) / 7 - 2 }
      for (kind, operation) in kinds {
        let result = try StepHarness.run(
          .binary, Self.binary(kind),
          inputs: [StepOperand(aShape, a, type: .f64), StepOperand(bShape, b, type: .f64, constant: true)],
          outputs: [(.f64, yShape)], threads: threads)
        let expected = (0..<yShape.reduce(1, *)).map { index in
          operation(
            a[NaiveMatMul.broadcastIndex(index, from: yShape, to: aShape)],
            b[NaiveMatMul.broadcastIndex(index, from: yShape, to: bShape)])
        }
        #expect(result[0] == expected, "\(kind) \(aShape) \(bShape)")
      }
    }
  }

  /// The float64 roundings and piecewise-linear functions (`PointwiseFunction.apply(doubles:)`'s loops) give
  /// `evaluate`'s bits, ties and signed zeros included; float32 ⇄ float64 casts are the IEEE conversions.
  @Test func f64RoundingsAndCastsBitForBit() throws {
    let values: [Double] = [-3.5, -2.5, -1.5, -0.5, -0.0, 0.5, 1.5, 2.5, 0.1, 1e300, -7.25, 126.5, .nan, .infinity]
    let kinds: [(Rescompile_Plan_UnaryParams.Kind, (Double) -> Double)] = [
      (.round, { $0.rounded(.toNearestOrEven) }), (.floor, { $0.rounded(.down) }), (.ceil, { $0.rounded(.up) }),
      (.neg, { -$0 }), (.abs, { Swift.abs($0) }), (.relu, { $0 < 0 ? 0 : $0 }),
      (.clip, { min(max($0, -1), 2) }),
    ]
    for (kind, function) in kinds {
      let result = try StepHarness.run(
        .unary, Self.unary(kind, alpha: -1, beta: 2), inputs: [StepOperand([values.count], values, type: .f64)],
        outputs: [(.f64, [values.count])])[0]
      let expected = values.map(function)
      #expect(
        zip(result, expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
        "\(kind): \(result) against \(expected)")
    }
    let narrowed = try StepHarness.run(
      .cast, .cast(Rescompile_Plan_CastParams()), inputs: [StepOperand([values.count], values, type: .f64)],
      outputs: [(.f32, [values.count])])[0]
    #expect(zip(narrowed, values).allSatisfy { $0.bitPattern == Double(Float($1)).bitPattern || $0.isNaN && $1.isNaN })
    let widened = try StepHarness.run(
      .cast, .cast(Rescompile_Plan_CastParams()), inputs: [StepOperand([3], [0.1, -2.5, 1e30], type: .f32)],
      outputs: [(.f64, [3])])[0]
    #expect(widened == [Double(Float(0.1)), -2.5, Double(Float(1e30))])
  }

  /// Rows shorter than a vector where one operand repeats its row (`PeriodicRows`: tf2onnx's NHWC input
  /// normalization, `[1, H, W, 3] ⊙ [3]`) are computed as longer rows, bit for bit as element by element, on
  /// one and two threads (two cut the rows at multiples of 16, mid-period), with either operand repeating and
  /// with a repeating row that changes from image to image.
  @Test func f32ShortRowsWithARepeatingOperandMatchElementByElement() throws {
    var random = SeededGenerator(seed: 37)
    let cases: [([Int], [Int], [Int])] = [
      ([2, 5, 7, 3], [3], [2, 5, 7, 3]), ([3], [2, 5, 7, 3], [2, 5, 7, 3]), ([2, 5, 7, 3], [2, 1, 1, 3], [2, 5, 7, 3]),
      ([4, 9, 5], [1, 1, 5], [4, 9, 5]), ([1, 160, 160, 3], [3], [1, 160, 160, 3]),
    ]
    let kinds: [(Rescompile_Plan_BinaryParams.Kind, (Float, Float) -> Float)] = [
      (.add, { $0 + $1 }), (.sub, { $0 - $1 }), (.mul, { $0 * $1 }), (.div, { $0 / $1 }), (.max, { max($0, $1) }),
    ]
    for (aShape, bShape, yShape) in cases {
      let walk = StridedWalk(
        broadcastingTo: yShape,
        operandStrides: [aShape, bShape].map { Broadcast.strides(of: $0, into: yShape) ?? [] })
      #expect(PeriodicRows(walk) != nil, "\(aShape) \(bShape)")
      let a = random.floats(aShape.reduce(1, *)).map { $0 + 2 }
      let b = random.floats(bShape.reduce(1, *)).map { $0 + 2 }
      for (kind, operation) in kinds {
        let expected = (0..<yShape.reduce(1, *)).map { index in
          Double(
            operation(
              a[NaiveMatMul.broadcastIndex(index, from: yShape, to: aShape)],
              b[NaiveMatMul.broadcastIndex(index, from: yShape, to: bShape)]))
        }
        for threads in [1, 2] {
          let result = try StepHarness.run(
            .binary, Self.binary(kind), inputs: [StepOperand(aShape, floats: a), StepOperand(bShape, floats: b)],
            outputs: [(.f32, yShape)], threads: threads)
          #expect(result[0] == expected, "\(kind) \(aShape) \(bShape) on \(threads) thread(s)")
        }
      }
    }
    let long = StridedWalk(broadcastingTo: [2, 40], operandStrides: [[40, 1], [0, 1]])
    #expect(PeriodicRows(long) == nil, "rows of a vector or more stay as they are")
  }

  /// f32 comparisons over the row shapes that have loops of their own (both contiguous, a scalar on either
  /// side, strided), with NaN (every comparison with it false) and equal values.
  @Test func f32ComparisonsBroadcastLikeNumpy() throws {
    var random = SeededGenerator(seed: 37)
    let shapes: [([Int], [Int], [Int])] = [
      ([2, 40], [2, 40], [2, 40]), ([3, 20], [3, 1], [3, 20]), ([3, 1], [3, 20], [3, 20]),
      ([4, 1, 3], [1, 5, 1], [4, 5, 3]), ([5, 4], [4, 1, 1], [4, 5, 4]),
    ]
    let kinds: [(Rescompile_Plan_BinaryParams.Kind, (Float, Float) -> Bool)] = [
      (.less, { $0 < $1 }), (.lessOrEqual, { $0 <= $1 }), (.greater, { $0 > $1 }), (.greaterOrEqual, { $0 >= $1 }),
      (.equal, { $0 == $1 }),
    ]
    for (aShape, bShape, yShape) in shapes {
      var a = random.floats(aShape.reduce(1, *)).map { ($0 * 4).rounded() / 4 }
      let b = random.floats(bShape.reduce(1, *)).map { ($0 * 4).rounded() / 4 }
      a[0] = .nan
      for (kind, test) in kinds {
        let result = try StepHarness.run(
          .binary, Self.binary(kind), inputs: [StepOperand(aShape, floats: a), StepOperand(bShape, floats: b)],
          outputs: [(.bool, yShape)])
        let expected = (0..<yShape.reduce(1, *)).map { index -> Double in
          let left = a[NaiveMatMul.broadcastIndex(index, from: yShape, to: aShape)]
          let right = b[NaiveMatMul.broadcastIndex(index, from: yShape, to: bShape)]
          return test(left, right) ? 1 : 0
        }
        #expect(result[0] == expected, "\(kind) \(aShape) \(bShape)")
      }
    }
  }

  /// f32 Pow by the scalar 2 squares (contiguous and strided rows): the same bits as the element rule
  /// `Float(pow(Double(x), 2))`, special values included; another exponent keeps the rule.
  @Test func f32PowerOfTwoSquaresExactly() throws {
    var random = SeededGenerator(seed: 47)
    var values = random.floats(40).map { $0 * 1e3 }
    values[0...5] = [.nan, .infinity, -.infinity, -0.0, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
    for (xShape, yShape) in [([2, 20], [2, 20]), ([20, 2], [20, 2])] as [([Int], [Int])] {
      for exponent in [2.0, 3.0] as [Float] {
        let result = try StepHarness.run(
          .binary, Self.binary(.pow),
          inputs: [StepOperand(xShape, floats: values), StepOperand([1], floats: [exponent], constant: true)],
          outputs: [(.f32, yShape)])
        let expected = values.map { Double(Float(Foundation.pow(Double($0), Double(exponent)))) }
        #expect(
          zip(result[0], expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
          "exponent \(exponent) \(xShape)")
      }
    }
  }

  @Test func integerArithmeticFollowsTheOnnxReference() throws {
    let a: [Double] = [-7, 7, -7, 7, 5, -5]
    let b: [Double] = [3, -3, -3, 3, 0, 0]
    let expectations: [(Rescompile_Plan_BinaryParams.Kind, [Double])] = [
      (.div, [-2, -2, 2, 2, 0, 0]),
      (.mod, [2, -2, -1, 1, 0, 0]),
      (.fmod, [-1, 1, -1, 1, 0, 0]),
      (.mul, [-21, -21, 21, 21, 0, 0]),
      (.max, [3, 7, -3, 7, 5, 0]),
    ]
    for type in [ElementType.i64, .i32, .i8] {
      for (kind, expected) in expectations {
        let result = try StepHarness.run(
          .binary, Self.binary(kind), inputs: [StepOperand([6], a, type: type), StepOperand([6], b, type: type)],
          outputs: [(type, [6])])
        #expect(result[0] == expected, "\(type) \(kind)")
      }
    }
    let wrapped = try StepHarness.run(
      .binary, Self.binary(.add), inputs: [StepOperand([2], [120, -128], type: .i8), StepOperand([2], [10, -1], type: .i8)],
      outputs: [(.i8, [2])])
    #expect(wrapped[0] == [-126, 127])
    let powers = try StepHarness.run(
      .binary, Self.binary(.pow), inputs: [StepOperand([4], [3, -2, 2, -1], type: .i64), StepOperand([4], [4, 3, -1, -3], type: .i64)],
      outputs: [(.i64, [4])])
    #expect(powers[0] == [81, -8, 0, -1])
    let unsigned = try StepHarness.run(
      .binary, Self.binary(.sub), inputs: [StepOperand([2], [1, 200], type: .u8), StepOperand([2], [2, 100], type: .u8)],
      outputs: [(.u8, [2])])
    #expect(unsigned[0] == [255, 100])
  }

  @Test func floatModuloAndEquality() throws {
    let a: [Double] = [-7.5, 7.5, -7.5, 1, .nan]
    let b: [Double] = [2, -2, -2, 1, 1]
    let mod = try StepHarness.run(
      .binary, Self.binary(.mod), inputs: [StepOperand([5], a, type: .f64), StepOperand([5], b, type: .f64)], outputs: [(.f64, [5])])
    expectClose(mod[0], [0.5, -0.5, -1.5, 0, .nan])
    let fmod = try StepHarness.run(
      .binary, Self.binary(.fmod), inputs: [StepOperand([5], a), StepOperand([5], b)], outputs: [(.f32, [5])])
    expectClose(fmod[0], [-1.5, 1.5, -1.5, 0, .nan])
    let equal = try StepHarness.run(
      .binary, Self.binary(.equal), inputs: [StepOperand([5], a, type: .f16), StepOperand([5], [-7.5, 7, -7.5, 1, .nan], type: .f16)],
      outputs: [(.bool, [5])])
    #expect(equal[0] == [1, 0, 1, 1, 0])
    let bools = try StepHarness.run(
      .binary, Self.binary(.max), inputs: [StepOperand([4], [0, 1, 0, 1], type: .bool), StepOperand([4], [0, 0, 1, 1], type: .bool)],
      outputs: [(.bool, [4])])
    #expect(bools[0] == [0, 1, 1, 1])
    let maxima = try StepHarness.run(
      .binary, Self.binary(.max), inputs: [StepOperand([3], [1, .nan, 3]), StepOperand([3], [.nan, 2, 1])], outputs: [(.f32, [3])])
    expectClose(maxima[0], [.nan, .nan, 3])
    #expect(
      StepHarness.rejects(
        .binary, Self.binary(.add), inputs: [StepOperand([2], [0, 1], type: .bool), StepOperand([2], [0, 1], type: .bool)],
        outputs: [(.bool, [2])], containing: "does not take"))
    #expect(
      StepHarness.rejects(
        .binary, Self.binary(.add), inputs: [StepOperand([2], [0, 1]), StepOperand([3], [0, 1, 2])], outputs: [(.f32, [3])],
        containing: "broadcast"))
  }

  @Test func whereSelectsWithBroadcasting() throws {
    let result = try StepHarness.run(
      .whereSelect, .where(Rescompile_Plan_WhereParams()),
      inputs: [
        StepOperand([2, 1], [1, 0], type: .bool), StepOperand([1, 3], [1, 2, 3], type: .i64),
        StepOperand([], [-1], type: .i64, constant: true),
      ],
      outputs: [(.i64, [2, 3])])
    #expect(result[0] == [1, 2, 3, -1, -1, -1])
  }

  /// f32 rows with every operand contiguous (the vectorized loop) and with broadcast operands, on a random
  /// condition (PReLU's `where(x < 0, x·slope, x)`).
  @Test func whereSelectsContiguousAndBroadcastRows() throws {
    var random = SeededGenerator(seed: 41)
    for (conditionShape, xShape, otherShape, yShape) in [
      ([3, 37], [3, 37], [3, 37], [3, 37]), ([3, 37], [3, 1], [37], [3, 37]), ([1, 37], [3, 37], [], [3, 37]),
    ] as [([Int], [Int], [Int], [Int])] {
      let flags = random.floats(conditionShape.reduce(1, *)).map { $0 < 0 ? 1.0 : 0.0 }
      let x = random.floats(xShape.reduce(1, *))
      let other = random.floats(otherShape.reduce(1, *))
      let result = try StepHarness.run(
        .whereSelect, .where(Rescompile_Plan_WhereParams()),
        inputs: [
          StepOperand(conditionShape, flags, type: .bool), StepOperand(xShape, floats: x),
          StepOperand(otherShape, floats: other),
        ],
        outputs: [(.f32, yShape)])
      let expected = (0..<yShape.reduce(1, *)).map { index -> Double in
        flags[NaiveMatMul.broadcastIndex(index, from: yShape, to: conditionShape)] != 0
          ? Double(x[NaiveMatMul.broadcastIndex(index, from: yShape, to: xShape)])
          : Double(other[NaiveMatMul.broadcastIndex(index, from: yShape, to: otherShape)])
      }
      #expect(result[0] == expected, "\(conditionShape) \(xShape) \(otherShape)")
    }
  }

  /// f16 arithmetic runs on the f32 microkernels in widened chunks: every element equals the element rule
  /// (the f32 result of the two halves, rounded once to f16), for operands of one shape, broadcast along the
  /// row, broadcast across rows and scalar, in rows shorter than a vector and longer than a chunk.
  @Test(arguments: [
    ([3, 37, 41], [3, 37, 41]), ([3, 37, 41], [41]), ([3, 37, 41], [3, 37, 1]), ([1], [3, 37, 41]),
    ([2, 1100], [2, 1100]), ([2, 1100], [2, 1]), ([5, 3], [3]),
  ])
  func halfArithmeticMatchesTheElementRule(shapes: ([Int], [Int])) throws {
    let (aShape, bShape) = shapes
    func halves(_ count: Int, seed: Int) -> [Double] {
      (0..<count).map { index in
        let raw = Float(((index &* 7919 &+ seed &* 104_729) % 2001) - 1000) / 250
        return Double(HalfPrecision.float(fromBits: HalfPrecision.bits(from: raw == 0 ? 0.5 : raw)))
      }
    }
    let a = halves(aShape.reduce(1, *), seed: 1)
    let b = halves(bShape.reduce(1, *), seed: 2)
    let outputShape = aShape.count >= bShape.count ? aShape : bShape
    let kinds: [(Rescompile_Plan_BinaryParams.Kind, (Float, Float) -> Float)] = [
      (.add, { $0 + $1 }), (.sub, { $0 - $1 }), (.mul, { $0 * $1 }), (.div, { $0 / $1 }),
      (.max, { Swift.max($0, $1) }), (.min, { Swift.min($0, $1) }), (.prelu, { $0 < 0 ? $0 * $1 : $0 }),
    ]
    for (kind, rule) in kinds {
      let result = try StepHarness.run(
        .binary, Self.binary(kind), inputs: [StepOperand(aShape, a, type: .f16), StepOperand(bShape, b, type: .f16)],
        outputs: [(.f16, outputShape)])
      let expected = Self.broadcastPairs(aShape, bShape, outputShape).map { pair in
        Double(HalfPrecision.float(fromBits: HalfPrecision.bits(from: rule(Float(a[pair.0]), Float(b[pair.1])))))
      }
      expectClose(result[0], expected, absolute: 0, relative: 0, "\(kind) \(aShape) \(bShape)")
    }
  }

  /// For each element of `output` (row-major), the row-major indices of the `a` and `b` elements numpy
  /// broadcasting pairs with it.
  static func broadcastPairs(_ a: [Int], _ b: [Int], _ output: [Int]) -> [(Int, Int)] {
    func index(_ position: [Int], in shape: [Int]) -> Int {
      let aligned = Array(position.suffix(shape.count))
      return zip(aligned, shape).reduce(0) { $0 * $1.1 + ($1.1 == 1 ? 0 : $1.0) }
    }
    var pairs: [(Int, Int)] = []
    for flat in 0..<output.reduce(1, *) {
      var position = [Int](repeating: 0, count: output.count)
      var rest = flat
      for axis in output.indices.reversed() {
        position[axis] = rest % output[axis]
        rest /= output[axis]
      }
      pairs.append((index(position, in: a), index(position, in: b)))
    }
    return pairs
  }

  @Test func castFollowsOnnxRules() throws {
    let values: [Double] = [-2.7, 2.7, 300.7, -1, 0, .nan]
    let toI32 = try StepHarness.run(.cast, .cast(Rescompile_Plan_CastParams()), inputs: [StepOperand([6], values)], outputs: [(.i32, [6])])
    #expect(toI32[0] == [-2, 2, 300, -1, 0, 0])
    let toU8 = try StepHarness.run(.cast, .cast(Rescompile_Plan_CastParams()), inputs: [StepOperand([6], values)], outputs: [(.u8, [6])])
    #expect(toU8[0] == [254, 2, 44, 255, 0, 0])
    let toBool = try StepHarness.run(.cast, .cast(Rescompile_Plan_CastParams()), inputs: [StepOperand([6], values)], outputs: [(.bool, [6])])
    #expect(toBool[0] == [1, 1, 1, 1, 0, 1])
    let toHalf = try StepHarness.run(
      .cast, .cast(Rescompile_Plan_CastParams()), inputs: [StepOperand([4], [1, 65504, 70000, 1.0 / 3], type: .f64)],
      outputs: [(.f16, [4])])
    expectClose(toHalf[0], [1, 65504, .infinity, 0.333251953125], absolute: 0)
    let huge = try StepHarness.run(
      .cast, .cast(Rescompile_Plan_CastParams()), inputs: [StepOperand([2], [1e30, -1e30])], outputs: [(.i64, [2])])
    #expect(huge[0] == [Double(Int64.max), Double(Int64.min)])
    let fromBool = try StepHarness.run(
      .cast, .cast(Rescompile_Plan_CastParams()), inputs: [StepOperand([3], [1, 0, 1], type: .bool)], outputs: [(.f32, [3])])
    #expect(fromBool[0] == [1, 0, 1])
  }

  @Test func fillWritesEveryElement() throws {
    var params = Rescompile_Plan_FillParams()
    params.value = -2.5
    let floats = try StepHarness.run(.fill, .fill(params), inputs: [], outputs: [(.f32, [3, 7])])
    #expect(floats[0] == [Double](repeating: -2.5, count: 21))
    let integers = try StepHarness.run(.fill, .fill(params), inputs: [], outputs: [(.i64, [5])])
    #expect(integers[0] == [Double](repeating: -2, count: 5))
  }

  @Test func halfPrecisionRoundTripsEveryValue() {
    for bits in UInt16.min...UInt16.max {
      let value = HalfPrecision.float(fromBits: bits)
      let back = HalfPrecision.bits(from: value)
      if value.isNaN {
        #expect(HalfPrecision.float(fromBits: back).isNaN)
      } else {
        #expect(back == bits, "bits \(bits)")
      }
    }
    // Ties round to even; values just past the largest half overflow to infinity.
    #expect(HalfPrecision.bits(from: 1 + 1.0 / 2048) == 0x3C00)
    #expect(HalfPrecision.bits(from: 1 + 3.0 / 2048) == 0x3C02)
    #expect(HalfPrecision.bits(from: 65520) == 0x7C00)
    #expect(HalfPrecision.bits(from: 5.960464477539063e-08) == 0x0001)
  }
}
