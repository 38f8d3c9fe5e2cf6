import ResPlan
import Testing

@testable import ResRuntime

/// `f32_pool` and `f32_reduce_mean`: literal values from onnxruntime (identical to onnx.reference) for the
/// ceil-mode and count_include_pad corners, and a naive pool over a grid of shapes.
@Suite struct PoolingTests {
  static func params(
    _ kind: Rescompile_Plan_PoolParams.Kind, kernel: [Int64], strides: [Int64] = [], dilations: [Int64] = [],
    pads: [Int64] = [], includePad: Bool = false, ceilMode: Bool = false
  ) -> Rescompile_Plan_Step.OneOf_Params {
    var params = Rescompile_Plan_PoolParams()
    params.kind = kind
    params.kernelShape = kernel
    params.strides = strides
    params.dilations = dilations
    params.pads = pads
    params.countIncludePad = includePad
    params.ceilMode = ceilMode
    return .pool(params)
  }

  static let six = StepOperand([1, 1, 6, 6], (1...36).map(Double.init))
  static let five = StepOperand([1, 1, 5, 5], (1...25).map(Double.init))

  @Test func ceilModeAverageMatchesOnnxruntime() throws {
    let windowPastPadding = try StepHarness.run(
      .f32Pool, Self.params(.average, kernel: [3, 3], strides: [2, 2], includePad: true, ceilMode: true),
      inputs: [Self.six],
      outputs: [(.f32, [1, 1, 3, 3])])
    expectClose(windowPastPadding[0], [8, 10, 11.5, 20, 22, 23.5, 29, 31, 32.5])
    let padded = try StepHarness.run(
      .f32Pool, Self.params(.average, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], includePad: true),
      inputs: [Self.five], outputs: [(.f32, [1, 1, 3, 3])])
    expectClose(padded[0], [1.7777778, 3.6666667, 3.1111112, 7.6666665, 13, 9.666667, 8.444445, 13.666667, 9.777778])
    let excluded = try StepHarness.run(
      .f32Pool, Self.params(.average, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]), inputs: [Self.five],
      outputs: [(.f32, [1, 1, 3, 3])])
    expectClose(excluded[0], [4, 5.5, 7, 11.5, 13, 14.5, 19, 20.5, 22])
  }

  @Test func dilatedCeilModePoolsMatchOnnxruntime() throws {
    let geometry = (kernel: [Int64(3), 3], strides: [Int64(2), 2], dilations: [Int64(1), 2], pads: [Int64(1), 1, 0, 0])
    let included = try StepHarness.run(
      .f32Pool,
      Self.params(
        .average, kernel: geometry.kernel, strides: geometry.strides, dilations: geometry.dilations,
        pads: geometry.pads, includePad: true),
      inputs: [Self.six], outputs: [(.f32, [1, 1, 3, 2])])
    expectClose(included[0], [2.6666667, 4.6666665, 10, 16, 18, 28])
    let excluded = try StepHarness.run(
      .f32Pool,
      Self.params(
        .average, kernel: geometry.kernel, strides: geometry.strides, dilations: geometry.dilations, pads: geometry.pads),
      inputs: [Self.six], outputs: [(.f32, [1, 1, 3, 2])])
    expectClose(excluded[0], [6, 7, 15, 16, 27, 28])
    let maximum = try StepHarness.run(
      .f32Pool,
      Self.params(.max, kernel: geometry.kernel, strides: geometry.strides, dilations: geometry.dilations, pads: geometry.pads),
      inputs: [Self.six], outputs: [(.f32, [1, 1, 3, 2])])
    expectClose(maximum[0], [10, 12, 22, 24, 34, 36])
  }

  @Test func poolsMatchNaiveDefinitionIn1D2D3D() throws {
    var random = SeededGenerator(seed: 5)
    let cases: [(shape: [Int], kernel: [Int], strides: [Int], pads: [Int], ceil: Bool)] = [
      ([2, 3, 9], [3], [2], [1, 0], false),
      ([1, 2, 7, 6], [2, 3], [2, 1], [0, 1, 1, 1], true),
      ([1, 2, 4, 5, 5], [2, 2, 3], [2, 2, 2], [1, 0, 1, 0, 1, 1], true),
      // The vector path: ResNet's 3x3 stride-2 max pool over rows of more than 16 outputs and more than 4
      // output rows, stride 1, a DenseNet 2x2 stride-2 average without padding, stride 3 in ceil mode, and
      // a long 1-D window.
      ([1, 3, 23, 37], [3, 3], [2, 2], [1, 1, 1, 1], false),
      ([1, 2, 13, 40], [3, 3], [1, 1], [1, 1, 1, 1], false),
      ([2, 2, 11, 35], [2, 2], [2, 2], [0, 0, 0, 0], false),
      ([1, 1, 10, 50], [3, 2], [3, 3], [0, 1, 2, 1], true),
      ([1, 2, 40], [5], [1], [2, 2], false),
    ]
    for spec in cases {
      let x = random.floats(spec.shape.reduce(1, *))
      let rank = spec.kernel.count
      let output = (0..<rank).map { axis -> Int in
        let span = spec.shape[axis + 2] + spec.pads[axis] + spec.pads[axis + rank] - spec.kernel[axis]
        var size = (spec.ceil ? (span + spec.strides[axis] - 1) : span) / spec.strides[axis] + 1
        if spec.ceil && (size - 1) * spec.strides[axis] >= spec.shape[axis + 2] + spec.pads[axis] { size -= 1 }
        return size
      }
      let yShape = Array(spec.shape[..<2]) + output
      for (kind, includePad) in [(Rescompile_Plan_PoolParams.Kind.max, false), (.average, false), (.average, true)] {
        let params = Self.params(
          kind, kernel: spec.kernel.map(Int64.init), strides: spec.strides.map(Int64.init),
          pads: spec.pads.map(Int64.init), includePad: includePad, ceilMode: spec.ceil)
        let result = try StepHarness.run(
          .f32Pool, params, inputs: [StepOperand(spec.shape, floats: x)], outputs: [(.f32, yShape)])
        let expected = NaivePool.compute(
          x: x, shape: spec.shape, kernel: spec.kernel, strides: spec.strides, pads: spec.pads, output: output,
          average: kind == .average, includePad: includePad)
        expectClose(result[0], expected, "\(spec) \(kind) includePad \(includePad)")
      }
    }
  }

  /// Averages whose divisor changes near the border (PoolFormer's 3x3 stride-1 pool without the padding
  /// counted; a ceil-mode window past the padding) run on the vector path as window sums divided per output,
  /// bit for bit the float sum of the window's cells in order over its count.
  @Test func borderDivisorsAreExact() throws {
    var random = SeededGenerator(seed: 9)
    let cases: [(shape: [Int], kernel: [Int], strides: [Int], pads: [Int], includePad: Bool, ceil: Bool)] = [
      ([1, 3, 7, 21], [3, 3], [1, 1], [1, 1, 1, 1], false, false),
      ([1, 2, 6, 6], [3, 3], [2, 2], [0, 0, 0, 0], true, true),
      ([1, 2, 9, 18], [2, 3], [2, 2], [1, 0, 0, 1], false, true),
    ]
    for spec in cases {
      let x = random.floats(spec.shape.reduce(1, *))
      let (height, width) = (spec.shape[2], spec.shape[3])
      let output = (0..<2).map { axis -> Int in
        let span = spec.shape[axis + 2] + spec.pads[axis] + spec.pads[axis + 2] - spec.kernel[axis]
        var size = (spec.ceil ? span + spec.strides[axis] - 1 : span) / spec.strides[axis] + 1
        if spec.ceil && (size - 1) * spec.strides[axis] >= spec.shape[axis + 2] + spec.pads[axis] { size -= 1 }
        return size
      }
      let result = try StepHarness.run(
        .f32Pool,
        Self.params(
          .average, kernel: spec.kernel.map(Int64.init), strides: spec.strides.map(Int64.init),
          pads: spec.pads.map(Int64.init), includePad: spec.includePad, ceilMode: spec.ceil),
        inputs: [StepOperand(spec.shape, floats: x)], outputs: [(.f32, Array(spec.shape[..<2]) + output)])
      var expected: [Double] = []
      for plane in 0..<(spec.shape[0] * spec.shape[1]) {
        for oh in 0..<output[0] {
          for ow in 0..<output[1] {
            var sum: Float = 0
            var (rows, columns) = (0, 0)
            for kh in 0..<spec.kernel[0] {
              let h = oh * spec.strides[0] - spec.pads[0] + kh
              let counted = spec.includePad ? (-spec.pads[0]..<(height + spec.pads[2])) : 0..<height
              if counted.contains(h) { rows += 1 }
            }
            for kw in 0..<spec.kernel[1] {
              let w = ow * spec.strides[1] - spec.pads[1] + kw
              let counted = spec.includePad ? (-spec.pads[1]..<(width + spec.pads[3])) : 0..<width
              if counted.contains(w) { columns += 1 }
            }
            for kh in 0..<spec.kernel[0] {
              for kw in 0..<spec.kernel[1] {
                let (h, w) = (oh * spec.strides[0] - spec.pads[0] + kh, ow * spec.strides[1] - spec.pads[1] + kw)
                if (0..<height).contains(h), (0..<width).contains(w) { sum += x[(plane * height + h) * width + w] }
              }
            }
            expected.append(Double(sum / Float(rows * columns)))
          }
        }
      }
      #expect(result[0] == expected, "\(spec)")
    }
  }

  /// A NaN in a window makes the window's maximum NaN, on the vector path too (and only that window's).
  @Test func maxPoolPropagatesNaN() throws {
    var values = (0..<160).map { Double($0 % 17) - 8 }
    values[45] = .nan
    let result = try StepHarness.run(
      .f32Pool, Self.params(.max, kernel: [3, 3], pads: [1, 1, 1, 1]),
      inputs: [StepOperand([1, 1, 8, 20], values)], outputs: [(.f32, [1, 1, 8, 20])])
    for row in 0..<8 {
      for column in 0..<20 {
        let seesNaN = abs(row - 2) <= 1 && abs(column - 5) <= 1
        #expect(result[0][row * 20 + column].isNaN == seesNaN, "output (\(row), \(column))")
      }
    }
  }

  /// Row-major planes averaged eight at a time (22 planes: two groups of eight and six left), each bit for bit
  /// its own sequential double-precision sum over the plane size.
  @Test func globalAverageOfManyPlanesIsEachPlanesSequentialSum() throws {
    var random = SeededGenerator(seed: 13)
    let (batch, channels, height, width) = (2, 11, 5, 7)
    let x = random.floats(batch * channels * height * width)
    var params = Rescompile_Plan_PoolParams()
    params.kind = .globalAverage
    let result = try StepHarness.run(
      .f32Pool, .pool(params), inputs: [StepOperand([batch, channels, height, width], floats: x)],
      outputs: [(.f32, [batch, channels, 1, 1])])
    let size = height * width
    let expected = (0..<(batch * channels)).map { plane -> Double in
      var sum = 0.0
      for index in 0..<size { sum += Double(x[plane * size + index]) }
      return Double(Float(sum / Double(size)))
    }
    #expect(result[0] == expected)
  }

  @Test func globalAverage() throws {
    var params = Rescompile_Plan_PoolParams()
    params.kind = .globalAverage
    let result = try StepHarness.run(
      .f32Pool, .pool(params), inputs: [StepOperand([2, 2, 2, 3], (0..<24).map(Double.init))],
      outputs: [(.f32, [2, 2, 1, 1])])
    expectClose(result[0], [2.5, 8.5, 14.5, 20.5])
  }

  @Test func outputSizeMustBeTheOneTheModeGives() {
    #expect(
      StepHarness.rejects(
        .f32Pool, Self.params(.max, kernel: [3, 3], strides: [2, 2]), inputs: [Self.six],
        outputs: [(.f32, [1, 1, 3, 3])], containing: "not the floor-mode output size (2)"))
    #expect(
      StepHarness.rejects(
        .f32Pool, Self.params(.max, kernel: [3, 3], strides: [2, 2], ceilMode: true), inputs: [Self.six],
        outputs: [(.f32, [1, 1, 2, 2])], containing: "not the ceil-mode output size (3)"))
    #expect(
      StepHarness.rejects(
        .f32Pool, Self.params(.max, kernel: [], strides: [2, 2]), inputs: [Self.six], outputs: [(.f32, [1, 1, 3, 3])],
        containing: "kernel_shape"))
  }

  @Test func reduceMeanOverAxes() throws {
    let x = StepOperand([2, 3, 4], (0..<24).map(Double.init))
    var params = Rescompile_Plan_ReduceMeanParams()
    params.axes = [1]
    let kept = try StepHarness.run(.f32ReduceMean, .reduceMean(params), inputs: [x], outputs: [(.f32, [2, 1, 4])])
    expectClose(kept[0], [4, 5, 6, 7, 16, 17, 18, 19])
    params.axes = [-1, 0]
    let dropped = try StepHarness.run(.f32ReduceMean, .reduceMean(params), inputs: [x], outputs: [(.f32, [3])])
    expectClose(dropped[0], [7.5, 11.5, 15.5])
    params.axes = []
    let all = try StepHarness.run(.f32ReduceMean, .reduceMean(params), inputs: [x], outputs: [(.f32, [1, 1, 1])])
    expectClose(all[0], [11.5])
    params.axes = [1, 1]
    #expect(
      StepHarness.rejects(.f32ReduceMean, .reduceMean(params), inputs: [x], outputs: [(.f32, [2, 4])], containing: "twice"))
    params.axes = [2]
    #expect(
      StepHarness.rejects(.f32ReduceMean, .reduceMean(params), inputs: [x], outputs: [(.f32, [2, 4])], containing: "expected"))
  }

  /// Row-major global average pooling sums eight planes at once, whole 8x8 blocks transposed in registers:
  /// every plane's mean is still its elements summed in order in double precision and divided once, bit for
  /// bit, for plane counts and sizes with and without a partial group or block, on one to three threads.
  @Test(arguments: [(19, [13, 11]), (8, [1, 1]), (16, [2, 4]), (5, [9, 3]), (24, [16, 16])])
  func globalAverageSumsEachPlaneInOrder(planes: Int, spatial: [Int]) throws {
    let size = spatial.reduce(1, *)
    var random = SeededGenerator(seed: 23)
    let values = random.floats(planes * size).map(Double.init)
    let x = StepOperand([1, planes] + spatial, values)
    let expected = (0..<planes).map { plane in
      Double(Float(values[(plane * size)..<((plane + 1) * size)].reduce(0, +) / Double(size)))
    }
    for threads in 1...3 {
      let result = try StepHarness.run(
        .f32Pool, Self.params(.globalAverage, kernel: []), inputs: [x],
        outputs: [(.f32, [1, planes] + spatial.map { _ in 1 })], threads: threads)[0]
      #expect(result == expected, "\(planes) planes of \(spatial), \(threads) thread(s)")
    }
  }

  /// A reduction over an outer axis whose output rows are long (ResNeSt's radix sums over `[1, 2, C, H, W]`,
  /// one row of C·H·W) runs in pieces of a row, on several workers: every kind, on one to three threads, each
  /// element the double-precision fold of its group, rounded once; a NaN makes a maximum or minimum NaN.
  @Test(arguments: [
    (KernelID.f32ReduceMean, 0), (.f32ReduceSum, 1), (.f32ReduceMax, 2), (.f32ReduceMin, 3), (.f32ReduceProd, 4),
  ])
  func outerAxisReductionsOfLongRows(kernel: KernelID, kind: Int) throws {
    let (groups, planes, length) = (3, 2, 5000)
    var random = SeededGenerator(seed: 17)
    var values = random.floats(groups * planes * length).map(Double.init)
    values[7] = .nan
    let x = StepOperand([planes, groups, length], values)
    var params = Rescompile_Plan_ReduceMeanParams()
    params.axes = [1]
    let expected = (0..<planes).flatMap { plane in
      (0..<length).map { element -> Double in
        let group = (0..<groups).map { values[(plane * groups + $0) * length + element] }
        let folded: Double
        switch kind {
        case 0: folded = group.reduce(0, +) / Double(groups)
        case 1: folded = group.reduce(0, +)
        case 2: folded = group.contains { $0.isNaN } ? .nan : group.max()!
        case 3: folded = group.contains { $0.isNaN } ? .nan : group.min()!
        default: folded = group.reduce(1, *)
        }
        return Double(Float(folded))
      }
    }
    for threads in 1...3 {
      let result = try StepHarness.run(
        kernel, .reduceMean(params), inputs: [x], outputs: [(.f32, [planes, length])], threads: threads)[0]
      let differing = zip(result, expected).filter { !($0 == $1 || ($0.isNaN && $1.isNaN)) }.count
      #expect(result.count == expected.count && differing == 0, "\(kernel), \(threads) thread(s): \(differing) differ")
    }
  }
}

/// Pooling by definition: windows clipped to the input; the average divides by the in-input count or, with
/// `includePad`, by the count inside the padded input.
enum NaivePool {
  static func compute(
    x: [Float], shape: [Int], kernel: [Int], strides: [Int], pads: [Int], output: [Int], average: Bool,
    includePad: Bool
  ) -> [Double] {
    let rank = kernel.count
    let planes = shape[0] * shape[1]
    let spatial = Array(shape[2...])
    let inputPlane = spatial.reduce(1, *)
    var result: [Double] = []
    for plane in 0..<planes {
      for flat in 0..<output.reduce(1, *) {
        var position = [Int](repeating: 0, count: rank)
        var remainder = flat
        for axis in stride(from: rank - 1, through: 0, by: -1) {
          position[axis] = remainder % output[axis]
          remainder /= output[axis]
        }
        var largest = -Double.infinity
        var sum = 0.0
        var valid = 0
        var padded = 0
        for tap in 0..<kernel.reduce(1, *) {
          var offsets = [Int](repeating: 0, count: rank)
          var rest = tap
          for axis in stride(from: rank - 1, through: 0, by: -1) {
            offsets[axis] = rest % kernel[axis]
            rest /= kernel[axis]
          }
          let coordinates = (0..<rank).map { position[$0] * strides[$0] - pads[$0] + offsets[$0] }
          let insidePadding = (0..<rank).allSatisfy {
            coordinates[$0] >= -pads[$0] && coordinates[$0] < spatial[$0] + pads[$0 + rank]
          }
          if insidePadding { padded += 1 }
          guard (0..<rank).allSatisfy({ coordinates[$0] >= 0 && coordinates[$0] < spatial[$0] }) else { continue }
          var index = 0
          for axis in 0..<rank { index = index * spatial[axis] + coordinates[axis] }
          let value = Double(x[plane * inputPlane + index])
          largest = max(largest, value)
          sum += value
          valid += 1
        }
        result.append(average ? sum / Double(includePad ? padded : valid) : largest)
      }
    }
    return result
  }
}
