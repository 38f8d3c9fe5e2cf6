import ResPlan
import Testing

@testable import ResRuntime

/// Max and average pooling of seeded random geometry against `NaivePool`: 1-D, 2-D and 3-D, windows 1–4 per axis,
/// strides 1–3, pads below the window, floor and ceil mode, padding counted in the average or not, batches and
/// channels of 1–3. Each geometry lands on the vector path (`PlanePooling`) or the element loop, whichever the
/// operator picks.
@Suite struct PoolGeometryTests {
  @Test func randomGeometriesMatchTheNaivePool() throws {
    var random = SeededGenerator(seed: 77)
    var checked = 0
    while checked < 100 {
      let rank = [1, 2, 2, 3][Int(random.next() % 4)]
      let kernel = (0..<rank).map { _ in Int(random.next() % 4) + 1 }
      let strides = (0..<rank).map { _ in Int(random.next() % 3) + 1 }
      let pads = (0..<2 * rank).map { Int(random.next() % UInt64(kernel[$0 % rank])) }
      let spatial = (0..<rank).map { _ in Int(random.next() % (rank == 3 ? 7 : 24)) + 1 }
      let ceil = random.next() % 2 == 0
      guard (0..<rank).allSatisfy({ spatial[$0] + pads[$0] + pads[$0 + rank] >= kernel[$0] }) else { continue }
      let output = (0..<rank).map { axis -> Int in
        let span = spatial[axis] + pads[axis] + pads[axis + rank] - kernel[axis]
        var size = (ceil ? span + strides[axis] - 1 : span) / strides[axis] + 1
        if ceil && (size - 1) * strides[axis] >= spatial[axis] + pads[axis] { size -= 1 }
        return size
      }
      let shape = [Int(random.next() % 2) + 1, Int(random.next() % 3) + 1] + spatial
      let x = random.floats(shape.reduce(1, *))
      for (kind, includePad) in [(Rescompile_Plan_PoolParams.Kind.max, false), (.average, false), (.average, true)] {
        let params = PoolingTests.params(
          kind, kernel: kernel.map(Int64.init), strides: strides.map(Int64.init), pads: pads.map(Int64.init),
          includePad: includePad, ceilMode: ceil)
        let result = try StepHarness.run(
          .f32Pool, params, inputs: [StepOperand(shape, floats: x)], outputs: [(.f32, Array(shape[..<2]) + output)])
        let expected = NaivePool.compute(
          x: x, shape: shape, kernel: kernel, strides: strides, pads: pads, output: output,
          average: kind == .average, includePad: includePad)
        expectClose(
          result[0], expected, "\(shape) k\(kernel) s\(strides) p\(pads) ceil \(ceil) \(kind) includePad \(includePad)")
      }
      checked += 1
    }
  }
}
