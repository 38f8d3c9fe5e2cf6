import Testing

@testable import ResKernels

/// `WholeTileStore` (a whole tile's epilogue and store from registers) against `GemmMicrokernel6x16.finish`'s
/// path through memory, bit for bit: every epilogue it covers (no epilogue, a bias per row or per column, a
/// residual, identity, ReLU and clip, and on whole panels any other activation), with and without adding what
/// C holds, on sums that include NaN, −0, infinities and values at the clip bounds; one, two and four panels,
/// and a last half panel. It declines the epilogues it does not cover (alpha, a scaled bias, an activation
/// other than a clip on a half panel, partial tiles), which then take `finish`.
@Suite struct WholeTileStoreTests {
  static let cRowStride = 70
  static let specials: [Float] = [.nan, -0.0, 0, .infinity, -.infinity, 0.5, -0.5, 6, -6, 1e-30]

  struct Case: CustomTestStringConvertible {
    var bias: Int  // 0 none, 1 per column, 2 per row
    var residual: Bool
    var activation: PointwiseFunction
    var accumulate: Bool
    var testDescription: String { "bias \(bias) residual \(residual) \(activation.name) accumulate \(accumulate)" }
  }

  static var cases: [Case] {
    var cases: [Case] = []
    for bias in 0...2 {
      for residual in [false, true] {
        for activation in [PointwiseFunction.identity, .relu, .clip(min: -0.5, max: 0.5)] {
          for accumulate in [false, true] {
            cases.append(Case(bias: bias, residual: residual, activation: activation, accumulate: accumulate))
          }
        }
      }
    }
    return cases
  }

  /// The cases with an activation that is not a clip, whole panels only: SiLU and hard swish applied in
  /// registers (`RegisterActivation`) under every bias and residual, the others through
  /// `WholeTileStore.storeActivated`.
  static var activatedCases: [Case] {
    let inRegisters = [PointwiseFunction.silu, .hardSwish].flatMap { activation in
      (0..<3).flatMap { bias in
        [false, true].flatMap { residual in
          [false, true].map { Case(bias: bias, residual: residual, activation: activation, accumulate: $0) }
        }
      }
    }
    let buffered = [PointwiseFunction.sigmoid, .gelu, .leakyRelu(alpha: 0.1)].enumerated().flatMap { index, activation in
      [false, true].map { accumulate in
        Case(bias: index % 3, residual: index % 2 == 0, activation: activation, accumulate: accumulate)
      }
    }
    return inRegisters + buffered
  }

  @Test func storesWhatFinishStoresBitForBit() {
    var random = SeededGenerator(seed: 91)
    for spec in Self.cases + Self.activatedCases {
      for panels in [1, 2, 4] {
        let sums = (0..<(6 * panels)).map { _ in Self.vector(&random) }
        let expected = run(spec, panels: panels, &random, sums: sums, whole: false)
        let actual = run(spec, panels: panels, &random, sums: sums, whole: true)
        #expect(actual.stored, "\(spec.testDescription), \(panels) panels: not taken")
        #expect(
          actual.c.map(\.bitPattern) == expected.c.map(\.bitPattern), "\(spec.testDescription), \(panels) panels")
      }
    }
  }

  @Test func storesALastHalfPanelAsFinishDoes() {
    var random = SeededGenerator(seed: 92)
    for spec in Self.cases {
      let halves = (0..<6).map { _ in Self.vector(&random).lowHalf }
      let reference = Self.operands(&random)
      var expected = reference.initial
      var actual = reference.initial
      withTile(spec, reference, &expected, columns: 8) { tile in
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
          for row in 0..<6 { buffer[row] = SIMD16(lowHalf: halves[row], highHalf: SIMD8()) }
          GemmMicrokernel6x16.finish(buffer.baseAddress!, tile)
        }
      }
      withTile(spec, reference, &actual, columns: 8) { tile in
        var whole = tile
        whole.columns = 8
        let store = WholeTileStore(whole, columns: 8, accumulates: true)
        #expect(store != nil)
        store?.storeLowerHalf((halves[0], halves[1], halves[2], halves[3], halves[4], halves[5]), panel: 0)
      }
      #expect(actual.map(\.bitPattern) == expected.map(\.bitPattern), "\(spec.testDescription)")
    }
  }

  @Test func declinesWhatItDoesNotCover() {
    var random = SeededGenerator(seed: 93)
    let reference = Self.operands(&random)
    var c = reference.initial
    let spec = Case(bias: 1, residual: false, activation: .identity, accumulate: false)
    withTile(spec, reference, &c, columns: 16) { tile in
      var scaled = tile
      scaled.epilogue?.alpha = 2
      #expect(WholeTileStore(scaled, panels: 1) == nil)
      var scaledBias = tile
      scaledBias.epilogue?.biasScale = 0.5
      #expect(WholeTileStore(scaledBias, panels: 1) == nil)
      var sigmoid = tile
      sigmoid.epilogue?.activation = .sigmoid
      #expect(WholeTileStore(sigmoid, panels: 1) != nil)
      sigmoid.columns = 8
      #expect(WholeTileStore(sigmoid, columns: 8) == nil, "an activation other than a clip on a half panel")
      var partial = tile
      partial.rows = 5
      #expect(WholeTileStore(partial, panels: 1) == nil)
      var accumulating = tile
      accumulating.accumulate = true
      #expect(WholeTileStore(accumulating, panels: 1) == nil)
      #expect(WholeTileStore(accumulating, panels: 1, accumulates: true) != nil)
    }
  }

  // MARK: - Helpers

  static func vector(_ random: inout SeededGenerator) -> SIMD16<Float> {
    var vector = SIMD16<Float>()
    for lane in 0..<16 {
      vector[lane] = random.next() % 4 == 0 ? specials[Int(random.next() % UInt64(specials.count))] : random.floats(1)[0]
    }
    return vector
  }

  struct Operands {
    var initial: [Float]
    var bias: [Float]
    var residual: [Float]
  }

  static func operands(_ random: inout SeededGenerator) -> Operands {
    var residual = random.floats(6 * cRowStride)
    for index in stride(from: 0, to: residual.count, by: 7) { residual[index] = specials[index % specials.count] }
    return Operands(initial: random.floats(6 * cRowStride), bias: random.floats(64), residual: residual)
  }

  private func run(
    _ spec: Case, panels: Int, _ random: inout SeededGenerator, sums: [SIMD16<Float>], whole: Bool
  ) -> (c: [Float], stored: Bool) {
    var inner = SeededGenerator(seed: 7)
    let reference = Self.operands(&inner)
    var c = reference.initial
    var stored = true
    withTile(spec, reference, &c, columns: 16 * panels) { tile in
      for panel in 0..<panels {
        let panelSums = (
          sums[panel * 6], sums[panel * 6 + 1], sums[panel * 6 + 2], sums[panel * 6 + 3], sums[panel * 6 + 4],
          sums[panel * 6 + 5]
        )
        if whole {
          guard let store = WholeTileStore(tile, panels: panels, accumulates: true) else {
            stored = false
            return
          }
          store.store(panelSums, panel: panel)
        } else {
          var one = tile
          one.c += panel * 16
          one.columns = 16
          if var epilogue = one.epilogue {
            epilogue.bias = epilogue.bias.map { $0 + panel * 16 * epilogue.biasColumnStride }
            epilogue.residual = epilogue.residual.map { $0 + panel * 16 }
            one.epilogue = epilogue
          }
          withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
            buffer[0] = panelSums.0
            buffer[1] = panelSums.1
            buffer[2] = panelSums.2
            buffer[3] = panelSums.3
            buffer[4] = panelSums.4
            buffer[5] = panelSums.5
            GemmMicrokernel6x16.finish(buffer.baseAddress!, one)
          }
        }
      }
    }
    return (c, stored)
  }

  /// The tile `spec` describes over `c` (six rows of `columns`), its operands' pointers valid inside `body`.
  private func withTile(
    _ spec: Case, _ operands: Operands, _ c: inout [Float], columns: Int, _ body: (GemmTile) -> Void
  ) {
    operands.bias.withUnsafeBufferPointer { bias in
      operands.residual.withUnsafeBufferPointer { residual in
        c.withUnsafeMutableBufferPointer { c in
          var isIdentity = false
          if case .identity = spec.activation { isIdentity = true }
          // An accumulating tile of an earlier K block has no epilogue at all.
          let epilogue: TileEpilogue? =
            spec.bias == 0 && !spec.residual && isIdentity && spec.accumulate
            ? nil
            : TileEpilogue(
              bias: spec.bias == 0 ? nil : bias.baseAddress, biasRowStride: spec.bias == 2 ? 1 : 0,
              biasColumnStride: spec.bias == 1 ? 1 : 0, residual: spec.residual ? residual.baseAddress : nil,
              residualRowStride: Self.cRowStride, activation: spec.activation)
          body(
            GemmTile(
              depth: 1, a: bias.baseAddress!, b: bias.baseAddress!, c: c.baseAddress!, cRowStride: Self.cRowStride,
              rows: 6, columns: columns, accumulate: spec.accumulate, epilogue: epilogue))
        }
      }
    }
  }
}
