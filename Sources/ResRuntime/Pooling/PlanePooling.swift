import ResKernels

/// Max and average pooling over 1-D and 2-D planes by `PoolMicrokernel4x16`: each plane copied into the
/// worker's scratch with its padding written out (−∞ for a maximum, which padding never wins; zeros for a
/// mean), then output columns on the vector lanes, four rows at a time.
///
/// An average whose windows all have one divisor is the kernel's sum times its inverse. One whose divisor
/// changes near the border (padding not counted, PoolFormer's token mixer and Inception's pools; or a
/// ceil-mode window past the padding) takes the kernel's plain sum, zeros for the padding, and then divides
/// each output by its window's count, the product of a count per row and one per column
/// (`BorderDivisors`): the element-by-element loop it replaces took 0.28 ms for a 64 × 16 × 16 plane set.
struct PlanePooling: Sendable {
  static let kernel = MicrokernelRegistry.pool
  /// Floats after a padded plane that the kernel may read past the last valid column (a double-width load
  /// at column stride 2 reads 31 past its first float).
  static let slack = 64

  let axes: WindowAxes
  let input: PaddedInput
  let taps: [Int]
  let reduction: PoolTile.Reduction
  /// Each output's divisor when the windows' divisors differ (the kernel then sums).
  let borderDivisors: BorderDivisors?

  /// Nil when the pooling is not one this path computes: 3-D windows or global pooling.
  init?(_ kind: PoolOperator.Kind, axes: WindowAxes, countIncludePad: Bool, site: StepSite) throws(RuntimeError) {
    guard axes.input[0] == 1, axes.kernel[0] == 1, axes.padsBegin[0] == 0, axes.padsEnd[0] == 0 else { return nil }
    switch kind {
    case .globalAverage: return nil
    case .max:
      input = try PaddedInput(axes, border: -.infinity, site: site)
      reduction = .maximum
      borderDivisors = nil
    case .average:
      input = try PaddedInput(axes, border: 0, site: site)
      let divisors = BorderDivisors(axes, countIncludePad: countIncludePad)
      borderDivisors = divisors.areUniform(kernelVolume: axes.kernelVolume) ? nil : divisors
      reduction = .mean(scale: borderDivisors == nil ? 1 / Float(axes.kernelVolume) : 1)
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
          borderDivisors?.divide(output + plane * axes.outputPlane)
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

/// The divisor of each output of an average pooling whose windows count different numbers of cells: per output
/// row, the window's taps inside the counted rows (the input's, or with `count_include_pad` the padded
/// input's; ceil-mode cells past the end padding never count), per output column likewise, and each output's
/// divisor their product, as `PoolOperator` counts them.
struct BorderDivisors: Sendable {
  let rows: [Int]
  let columns: [Int]

  init(_ axes: WindowAxes, countIncludePad: Bool) {
    rows = Self.counts(axes, axis: 1, countIncludePad: countIncludePad)
    columns = Self.counts(axes, axis: 2, countIncludePad: countIncludePad)
  }

  /// Whether every window counts the whole kernel.
  func areUniform(kernelVolume: Int) -> Bool {
    rows.allSatisfy { $0 == rows.first } && columns.allSatisfy { $0 == columns.first }
      && (rows.first ?? 0) * (columns.first ?? 0) == kernelVolume
  }

  /// Divides each output of one plane (the kernel's window sums) by its divisor, in place: `sum / divisor`
  /// as the element-by-element path computes it.
  func divide(_ plane: UnsafeMutablePointer<Float>) {
    for (row, rowCount) in rows.enumerated() {
      let line = plane + row * columns.count
      for (column, columnCount) in columns.enumerated() {
        line[column] = line[column] / Float(rowCount * columnCount)
      }
    }
  }

  /// Per output index along `axis`: the taps `k` with `low ≤ start + k·dilation < high`.
  private static func counts(_ axes: WindowAxes, axis: Int, countIncludePad: Bool) -> [Int] {
    let (stride, dilation, kernel) = (axes.strides[axis], axes.dilations[axis], axes.kernel[axis])
    let low = countIncludePad ? -axes.padsBegin[axis] : 0
    let high = axes.input[axis] + (countIncludePad ? axes.padsEnd[axis] : 0)
    return (0..<axes.output[axis]).map { output in
      let start = output * stride - axes.padsBegin[axis]
      let first = start >= low ? 0 : (low - start + dilation - 1) / dilation
      let end = start >= high ? 0 : min(kernel, (high - start + dilation - 1) / dilation)
      return max(0, end - first)
    }
  }
}
