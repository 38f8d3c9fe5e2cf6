import ResKernels
import Testing

/// A grid-convolution microkernel against naive loops: every valid row count, column counts at and around the
/// edges, reductions of 0, 1, 9 and 27 steps at scattered offsets, then the fused epilogue with bias (per row),
/// residual and each activation. Every input cell that no valid column reads is NaN, so a kernel that let
/// one reach C fails. Run from KernelGridTests, as the registry's `gridConv` entries.
enum GridConvKernelTests {
  static func check(_ kernel: GridConvMicrokernel) {
    var random = SeededGenerator(seed: 11)
    for depth in [0, 1, 9, 27] {
      for rows in 1...kernel.mr {
        // A 32-position kernel also at its halves' boundary.
        for columns in [1, 2, kernel.nr - 1, kernel.nr] + (kernel.nr > 16 ? [16, 17] : []) {
          checkTile(kernel, depth: depth, rows: rows, columns: columns, epilogue: nil, &random)
        }
      }
    }
    for (index, activation) in MicrokernelRegistry.epilogueTestFunctions.enumerated() {
      let epilogue = Epilogue(bias: index % 3 != 2, residual: index % 2 == 1, activation: activation)
      for rows in [1, kernel.mr] {
        for columns in [3, kernel.nr] {
          checkTile(kernel, depth: 9, rows: rows, columns: columns, epilogue: epilogue, &random)
        }
      }
    }
  }

  private struct Epilogue {
    var bias: Bool
    var residual: Bool
    var activation: PointwiseFunction
  }

  private static func checkTile(
    _ kernel: GridConvMicrokernel, depth: Int, rows: Int, columns: Int, epilogue spec: Epilogue?,
    _ random: inout SeededGenerator
  ) {
    let (mr, nr) = (kernel.mr, kernel.nr)
    let stride = nr + 5
    let offsets = (0..<depth).map { step in (step * 37) % 101 + step % 3 }
    // Offsets stored with one more entry so that the buffer is never empty (the kernel reads `depth` of them).
    let storedOffsets = offsets + [0]
    let read = Set(offsets.flatMap { offset in (0..<columns).map { offset + $0 } })
    var input = random.floats(128 + nr)
    for position in input.indices where !read.contains(position) { input[position] = .nan }
    let a = random.floats(rows * depth)
    var aPanel = [Float](repeating: 0, count: mr * max(depth, 1))
    for k in 0..<depth {
      for i in 0..<rows { aPanel[k * mr + i] = a[i * depth + k] }
    }
    let initial = random.floats(mr * stride)
    let bias = random.floats(mr)
    let residual = random.floats(mr * stride)
    var c = initial
    aPanel.withUnsafeBufferPointer { aPointer in
      input.withUnsafeBufferPointer { inputPointer in
        storedOffsets.withUnsafeBufferPointer { offsetPointer in
          bias.withUnsafeBufferPointer { biasPointer in
            residual.withUnsafeBufferPointer { residualPointer in
              c.withUnsafeMutableBufferPointer { cPointer in
                let tileEpilogue = spec.map { spec in
                  TileEpilogue(
                    bias: spec.bias ? biasPointer.baseAddress : nil, biasRowStride: 1,
                    residual: spec.residual ? residualPointer.baseAddress : nil, residualRowStride: stride,
                    activation: spec.activation)
                }
                kernel.run(
                  GridConvTile(
                    depth: depth, a: aPointer.baseAddress!, input: inputPointer.baseAddress!,
                    offsets: offsetPointer.baseAddress!, c: cPointer.baseAddress!,
                    cRowStride: stride, rows: rows, columns: columns, epilogue: tileEpilogue))
              }
            }
          }
        }
      }
    }
    for i in 0..<mr {
      for j in 0..<stride {
        let index = i * stride + j
        guard i < rows, j < columns else {
          #expect(c[index].bitPattern == initial[index].bitPattern, "\(kernel.name) wrote outside the tile at (\(i), \(j))")
          continue
        }
        var sum = 0.0
        for k in 0..<depth { sum += Double(a[i * depth + k]) * Double(input[offsets[k] + j]) }
        if let spec {
          if spec.bias { sum += Double(bias[i]) }
          if spec.residual { sum += Double(residual[index]) }
          sum = NaiveMath.pointwise(spec.activation, sum)
        }
        #expect(
          NaiveMath.close(c[index], sum, absolute: 2e-6 * Double(depth + 4), relative: 1e-4),
          "\(kernel.name) depth \(depth) tile \(rows)x\(columns) at (\(i), \(j)): \(c[index]) vs \(sum)")
      }
    }
  }
}
