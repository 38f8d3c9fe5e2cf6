import ResKernels
import Testing

/// A channels-last grid microkernel against naive loops: every valid row (position) count, column (channel)
/// counts at and around every panel edge, reductions of 0, 1, 9 and 27 steps at scattered offsets, then the
/// fused epilogue with a per-channel bias, a residual and each activation. Input cells no valid position
/// reads are NaN, so a kernel that let one reach C fails; C outside the tile must keep its bits. Each tile
/// is also run through the 16-channel kernel panel by panel: the wide tiles must give the same bits. Run
/// from KernelGridTests, as the registry's `channelsLastGrid` entries.
enum ChannelsLastGridKernelTests {
  static func check(_ kernel: ChannelsLastGridMicrokernel) {
    var random = SeededGenerator(seed: 13)
    let panelEdges = stride(from: 16, to: kernel.nr, by: 16).flatMap { [$0, $0 + 1] }
    for depth in [0, 1, 9, 27] {
      for rows in 1...kernel.mr {
        for columns in Set([1, 2, 15, kernel.nr - 1, kernel.nr] + panelEdges).sorted() {
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

  private struct Problem {
    var depth: Int
    var rows: Int
    var columns: Int
    var offsets: [Int]
    var input: [Float]
    /// `depth × columns`, row-major.
    var weights: [Float]
    /// The weights in 16-channel panels, zero past `columns`.
    var panels: [Float]
    var panelStride: Int
    var bias: [Float]
    var residual: [Float]
    var cRowStride: Int
  }

  private static func checkTile(
    _ kernel: ChannelsLastGridMicrokernel, depth: Int, rows: Int, columns: Int, epilogue spec: Epilogue?,
    _ random: inout SeededGenerator
  ) {
    let problem = makeProblem(kernel, depth: depth, rows: rows, columns: columns, &random)
    let initial = random.floats(kernel.mr * problem.cRowStride)
    let c = run(kernel, problem, initial: initial, epilogue: spec)
    for i in 0..<kernel.mr {
      for j in 0..<problem.cRowStride {
        let index = i * problem.cRowStride + j
        guard i < rows, j < columns else {
          #expect(
            c[index].bitPattern == initial[index].bitPattern, "\(kernel.name) wrote outside the tile at (\(i), \(j))")
          continue
        }
        var sum = 0.0
        for k in 0..<depth {
          sum += Double(problem.input[problem.offsets[k] + i]) * Double(problem.weights[k * columns + j])
        }
        if let spec {
          if spec.bias { sum += Double(problem.bias[j]) }
          if spec.residual { sum += Double(problem.residual[index]) }
          sum = NaiveMath.pointwise(spec.activation, sum)
        }
        #expect(
          NaiveMath.close(c[index], sum, absolute: 2e-6 * Double(depth + 4), relative: 1e-4),
          "\(kernel.name) depth \(depth) tile \(rows)x\(columns) at (\(i), \(j)): \(c[index]) vs \(sum)")
      }
    }
    guard kernel.nr > 16 else { return }
    let narrow = MicrokernelRegistry.channelsLastGrid
    var panelByPanel = initial
    for first in stride(from: 0, to: columns, by: 16) {
      var panel = problem
      panel.columns = min(16, columns - first)
      panel.panels = Array(problem.panels[(first / 16 * problem.panelStride)...])
      panel.bias = Array(problem.bias[first...])
      let shifted = run(
        narrow, panel, initial: Array(panelByPanel[first...]), epilogue: spec, residualOffset: first)
      for i in 0..<kernel.mr {
        for j in 0..<16 where first + j < problem.cRowStride {
          panelByPanel[i * problem.cRowStride + first + j] = shifted[i * problem.cRowStride + j]
        }
      }
    }
    #expect(
      c.map(\.bitPattern) == panelByPanel.map(\.bitPattern),
      "\(kernel.name) depth \(depth) tile \(rows)x\(columns) differs from the 16-channel kernel's bits")
  }

  private static func makeProblem(
    _ kernel: ChannelsLastGridMicrokernel, depth: Int, rows: Int, columns: Int, _ random: inout SeededGenerator
  ) -> Problem {
    let offsets = (0..<depth).map { step in (step * 37) % 101 + step % 3 }
    let read = Set(offsets.flatMap { offset in (0..<rows).map { offset + $0 } })
    var input = random.floats(128 + kernel.mr)
    for position in input.indices where !read.contains(position) { input[position] = .nan }
    let weights = random.floats(depth * columns)
    let panelCount = (columns + 15) / 16
    let panelStride = max(depth, 1) * 16
    var panels = [Float](repeating: 0, count: panelCount * panelStride)
    for k in 0..<depth {
      for j in 0..<columns { panels[(j / 16) * panelStride + k * 16 + j % 16] = weights[k * columns + j] }
    }
    let cRowStride = kernel.nr + 5
    return Problem(
      depth: depth, rows: rows, columns: columns, offsets: offsets, input: input, weights: weights, panels: panels,
      panelStride: panelStride, bias: random.floats(kernel.nr), residual: random.floats(kernel.mr * cRowStride),
      cRowStride: cRowStride)
  }

  /// C after one tile of `problem` on `initial`; the residual is read `residualOffset` columns on.
  private static func run(
    _ kernel: ChannelsLastGridMicrokernel, _ problem: Problem, initial: [Float], epilogue spec: Epilogue?,
    residualOffset: Int = 0
  ) -> [Float] {
    var c = initial
    // One more offset than the reduction reads, so that the buffer is never empty.
    let storedOffsets = problem.offsets + [0]
    let panels = problem.panels + [0]
    problem.input.withUnsafeBufferPointer { input in
      storedOffsets.withUnsafeBufferPointer { offsets in
        panels.withUnsafeBufferPointer { b in
          problem.bias.withUnsafeBufferPointer { bias in
            problem.residual.withUnsafeBufferPointer { residual in
              c.withUnsafeMutableBufferPointer { cPointer in
                let epilogue = spec.map { spec in
                  TileEpilogue(
                    bias: spec.bias ? bias.baseAddress : nil, biasColumnStride: 1,
                    residual: spec.residual ? residual.baseAddress! + residualOffset : nil,
                    residualRowStride: problem.cRowStride, activation: spec.activation)
                }
                kernel.run(
                  ChannelsLastGridTile(
                    depth: problem.depth, input: input.baseAddress!, offsets: offsets.baseAddress!,
                    b: b.baseAddress!, bPanelStride: problem.panelStride, c: cPointer.baseAddress!,
                    cRowStride: problem.cRowStride, rows: problem.rows, columns: problem.columns, epilogue: epilogue))
              }
            }
          }
        }
      }
    }
    return c
  }
}
