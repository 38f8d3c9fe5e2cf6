import Dispatch

/// An f32 tensor defined as another one scaled per channel: element `i` is
/// `ChannelScaling.scale(source[i], by: factors[(i / inner) mod factors.count])`, one product rounded once.
///
/// BatchNormalization folding makes one of these for every weight it folds (ResNet-50: 100 MB of them). Kept as
/// a description (`TensorBytes(scaling:)`), a folded weight is never written out unless something reads its
/// bytes: the plan writer forms the products while it packs the weight (`PanelLayout`'s row-scaled packing
/// rounds them the same way), so a compile neither faults in nor fills a second copy of the model's weights.
/// Writing them out cost a quarter of the time to compile a ResNet-50.
public struct ChannelScaling: Sendable {
  /// The unscaled tensor: whole f32 elements, in the host's (little-endian) order, at any alignment.
  public let source: TensorBytes
  /// Elements per run of one channel: the product of the dimensions after the scaled axis.
  public let inner: Int
  /// One factor per index of the scaled axis; run `r` has factor `r mod factors.count`.
  public let factors: [Double]

  /// - Precondition: `inner ≥ 1`, at least one factor, and `source` holds whole runs of f32 elements.
  public init(source: TensorBytes, inner: Int, factors: [Double]) {
    precondition(inner >= 1 && !factors.isEmpty, "a scaling has runs of at least one element and factors")
    precondition(source.count % (4 * inner) == 0, "the source holds whole runs of f32 elements")
    self.source = source
    self.inner = inner
    self.factors = factors
  }

  public var elementCount: Int { source.count / 4 }

  /// The factor of element `i`.
  public func factor(ofElement i: Int) -> Double { factors[(i / inner) % factors.count] }

  /// The rounding every reader of a scaled tensor uses: the product in `Double`, rounded once to `Float`.
  @inlinable @inline(__always)
  public static func scale(_ value: Float, by factor: Double) -> Float { Float(Double(value) * factor) }

  /// Writes the scaled elements `range` to `target` (`range.count` floats).
  func write(elements range: Range<Int>, into target: UnsafeMutablePointer<Float>) {
    source.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return }
      var start = range.lowerBound
      while start < range.upperBound {
        // Elements of one run share a factor: no division per element, and a loop the compiler vectorizes.
        let end = min((start / inner + 1) * inner, range.upperBound)
        Self.scale(base + start * 4, by: factor(ofElement: start), count: end - start,
          into: target + (start - range.lowerBound))
        start = end
      }
    }
  }

  /// Writes every scaled element to `target` (`elementCount` floats); a large tensor in two halves of runs on
  /// two threads, each element the same whichever thread computes it.
  func write(into target: UnsafeMutablePointer<Float>) {
    let count = elementCount
    let runs = count / inner
    let parts = runs >= 2 && count >= Self.parallelElementCount ? 2 : 1
    let buffer = SendableTarget(pointer: target)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let elements = (runs * part / parts * inner)..<(runs * (part + 1) / parts * inner)
      write(elements: elements, into: buffer.pointer + elements.lowerBound)
    }
  }

  /// Tensors from this many elements (1 MB of f32) are written on two threads; smaller ones are not worth
  /// the handoff.
  private static let parallelElementCount = 1 << 18

  /// `target[i] = scale(source[i], by: factor)` for `count` floats read unaligned from `source`.
  private static func scale(
    _ source: UnsafeRawPointer, by factor: Double, count: Int, into target: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<count {
      target[i] = scale(source.loadUnaligned(fromByteOffset: i &* 4, as: Float.self), by: factor)
    }
  }

  /// The position of the first element whose scaled value is infinite or NaN, if any, found without writing
  /// the scaled tensor: a run's largest magnitude decides whether any of its products overflows (rounding is
  /// monotonic), so only a run that fails is scaled element by element.
  public var firstNonFiniteIndex: Int? {
    source.withUnsafeBytes { raw -> Int? in
      guard let base = raw.baseAddress else { return nil }
      for run in 0..<(elementCount / inner) {
        let first = run * inner
        let factor = factor(ofElement: first)
        let largest = Float(bitPattern: Self.largestMagnitudeBits(base + first * 4, count: inner))
        guard !Self.scale(largest, by: factor.magnitude).isFinite else { continue }
        return (first..<(first + inner)).first { i in
          !Self.scale(raw.loadUnaligned(fromByteOffset: i * 4, as: Float.self), by: factor).isFinite
        }
      }
      return nil
    }
  }

  /// The bits of the largest magnitude among `count` floats at `floats` (unaligned), sign cleared. Compared
  /// as integers, such bits order every finite magnitude below infinity and infinity below every NaN, so the
  /// largest is a NaN whenever one is present; a branch-free loop the compiler vectorizes.
  private static func largestMagnitudeBits(_ floats: UnsafeRawPointer, count: Int) -> UInt32 {
    var largest: UInt32 = 0
    for i in 0..<count {
      largest = max(largest, floats.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self) & 0x7FFF_FFFF)
    }
    return largest
  }
}

/// The target of one tensor's writing, shared by the threads that each write their own runs of it.
private struct SendableTarget: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
}
