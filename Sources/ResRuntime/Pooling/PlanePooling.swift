import ResKernels

/// Max pooling, and average pooling whose windows all have the same divisor, over 1-D and 2-D planes by
/// `PoolMicrokernel4x16`: each plane copied into the worker's scratch with its padding written out (−∞ for
/// a maximum, which padding never wins; zeros for a mean), then output columns on the vector lanes, four
/// rows at a time.
struct PlanePooling: Sendable {
  static let kernel = MicrokernelRegistry.pool
  /// Floats after a padded plane that the kernel may read past the last valid column (a double-width load
  /// at column stride 2 reads 31 past its first float).
  static let slack = 64

  let axes: WindowAxes
  let input: PaddedInput
  let taps: [Int]
  let reduction: PoolTile.Reduction

  /// Nil when the pooling is not one this path computes: 3-D windows, global pooling, or an average whose
  /// divisor changes near the border (padding not counted, or a ceil-mode window past the padding).
  init?(_ kind: PoolOperator.Kind, axes: WindowAxes, countIncludePad: Bool, site: StepSite) throws(RuntimeError) {
    guard axes.input[0] == 1, axes.kernel[0] == 1, axes.padsBegin[0] == 0, axes.padsEnd[0] == 0 else { return nil }
    switch kind {
    case .globalAverage: return nil
    case .max:
      input = try PaddedInput(axes, border: -.infinity, site: site)
      reduction = .maximum
    case .average:
      input = try PaddedInput(axes, border: 0, site: site)
      let pads = axes.padsBegin[1] + axes.padsBegin[2] + axes.padsEnd[1] + axes.padsEnd[2]
      for axis in 1...2 {
        let limit = axes.input[axis] + (countIncludePad ? axes.padsBegin[axis] + axes.padsEnd[axis] : 0)
        guard input.shape[axis] <= limit else { return nil }
      }
      guard countIncludePad || pads == 0 else { return nil }
      reduction = .mean(scale: 1 / Float(axes.kernelVolume))
    }
    guard input.isCompact else { return nil }
    self.axes = axes
    taps = input.tapOffsets()
  }

  /// A padded plane and its slack, per worker.
  func scratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    let floats = try CheckedMath.add(input.plane, Self.slack, "\(site): padded plane")
    return try CheckedMath.multiply(floats, 4, "\(site): padded plane bytes")
  }

  /// Pools `planes` planes of `source` into `output`, planes split over `workers`.
  func run(
    _ context: RunContext, _ source: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, planes: Int,
    workers: Int
  ) {
    let ranges = RunContext.ranges(of: planes, parts: workers, granule: 1)
    taps.withUnsafeBufferPointer { taps in
      context.parallelFor(tasks: ranges.count, workers: workers) { index, worker in
        let padded = context.scratchFloats(worker: worker)
        VectorAccess.fill(padded + input.plane, floats: Self.slack, with: 0)
        for plane in ranges[index] {
          input.copyPlane(source + plane * axes.inputPlane, into: padded)
          runPlane(UnsafePointer(padded), output + plane * axes.outputPlane, taps: taps.baseAddress!)
        }
      }
    }
  }

  private func runPlane(_ padded: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, taps: UnsafePointer<Int>) {
    let (outH, outW) = (axes.output[1], axes.output[2])
    var row = 0
    while row < outH {
      let rows = min(Self.kernel.rows, outH - row)
      var column = 0
      while column < outW {
        let columns = min(Self.kernel.columns, outW - column)
        Self.kernel.run(
          PoolTile(
            input: padded + input.windowOrigin(d: 0, h: row, w: column),
            inputRowStride: axes.strides[1] * input.shape[2], columnStride: axes.strides[2], taps: taps,
            tapCount: axes.kernelVolume, output: output + row * outW + column, outputRowStride: outW, rows: rows,
            columns: columns, reduction: reduction))
        column += columns
      }
      row += rows
    }
  }
}
