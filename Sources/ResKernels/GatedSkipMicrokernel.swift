/// `y[i] = t[i]·h[i] + (1 − t[i])·x[i]` over one row: a Highway network's gated skip, computed as
/// `x + t·(h − x)` (one multiply, two adds; no fused multiply–add, which baseline x86 builds would make a
/// libm call per lane).
public enum GatedSkipMicrokernel {
  /// One row of `count` outputs, each operand read as `pattern` says (a scalar operand is its element 0).
  /// `y` may be any one of the operands read as a vector (in place).
  public static func run(
    _ pattern: GatedSkipPattern, _ t: UnsafePointer<Float>, _ h: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch pattern.gate {
    case .vector: withGate(ContiguousLanes(t), pattern, h, x, y, count)
    case .scalar: withGate(RepeatedLanes(t), pattern, h, x, y, count)
    }
  }

  // Each operand's reading is fixed before the loop, so every pattern gets its own specialized loop.

  @inline(__always)
  private static func withGate<T: LaneSource>(
    _ t: T, _ pattern: GatedSkipPattern, _ h: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, _ count: Int
  ) {
    switch pattern.transformed {
    case .vector: withTransformed(t, ContiguousLanes(h), pattern, x, y, count)
    case .scalar: withTransformed(t, RepeatedLanes(h), pattern, x, y, count)
    }
  }

  @inline(__always)
  private static func withTransformed<T: LaneSource, H: LaneSource>(
    _ t: T, _ h: H, _ pattern: GatedSkipPattern, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    _ count: Int
  ) {
    switch pattern.skipped {
    case .vector: row(t, h, ContiguousLanes(x), y, count)
    case .scalar: row(t, h, RepeatedLanes(x), y, count)
    }
  }

  @inline(__always)
  private static func row<T: LaneSource, H: LaneSource, X: LaneSource>(
    _ t: T, _ h: H, _ x: X, _ y: UnsafeMutablePointer<Float>, _ count: Int
  ) {
    BinaryMicrokernels.chunks(count) { offset, width in
      let skipped = x.lanes(offset, width)
      let gated = skipped + t.lanes(offset, width) * (h.lanes(offset, width) - skipped)
      VectorAccess.storePartial(gated, y + offset, width)
    }
  }
}

/// Where a row operand's 16 lanes at `offset` come from.
private protocol LaneSource {
  func lanes(_ offset: Int, _ width: Int) -> SIMD16<Float>
}

/// A contiguous run: lanes are consecutive elements (a partial load past `width` gives zeros).
private struct ContiguousLanes: LaneSource {
  let base: UnsafePointer<Float>
  init(_ base: UnsafePointer<Float>) { self.base = base }

  @inline(__always)
  func lanes(_ offset: Int, _ width: Int) -> SIMD16<Float> { VectorAccess.loadPartial(base + offset, width) }
}

/// One value repeated along the row, loaded once.
private struct RepeatedLanes: LaneSource {
  let value: SIMD16<Float>
  init(_ base: UnsafePointer<Float>) { value = SIMD16<Float>(repeating: base[0]) }

  @inline(__always)
  func lanes(_ offset: Int, _ width: Int) -> SIMD16<Float> { value }
}
