/// Loads and stores of 16 floats, whole or partial.
///
/// A partial load fills the missing lanes with zeros and a partial store writes only the valid lanes, so a
/// kernel runs its one vector code path on the tail of a row too: the value of an element never depends on
/// whether it was in a full vector (and so never on how work was split over threads).
public enum VectorAccess {
  @inlinable @inline(__always)
  public static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inlinable @inline(__always)
  public static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  /// The 16 floats at `p + offset`, or zeros where there is no `p` (an epilogue without a bias).
  ///
  /// An `if`, where `p.map { load($0 + offset) } ?? zero` read the same: the optimizer kept `map`'s closure
  /// out of line in the largest kernels, a call per 16-channel panel around which every live accumulator was
  /// spilled and reloaded (ResNet's 7×7 stem: a tenth of the kernel's time on the instruction after the call).
  @inlinable @inline(__always)
  public static func load(_ p: UnsafePointer<Float>?, offset: Int = 0) -> SIMD16<Float> {
    guard let p else { return SIMD16() }
    return load(p + offset)
  }

  /// `load(_:offset:)`'s partial form: `count` floats at `p + offset`, zeros past them; all zeros without `p`.
  @inlinable @inline(__always)
  public static func loadPartial(_ p: UnsafePointer<Float>?, offset: Int = 0, _ count: Int) -> SIMD16<Float> {
    guard let p else { return SIMD16() }
    return loadPartial(p + offset, count)
  }

  /// The first 8 floats at `p + offset`, or zeros where there is no `p` (see `load(_:offset:)`).
  @inlinable @inline(__always)
  public static func loadLower(_ p: UnsafePointer<Float>?, offset: Int = 0) -> SIMD8<Float> {
    guard let p else { return SIMD8() }
    return loadLower(p + offset)
  }

  /// The first 8 floats at `p`: the lower half of a 16-wide panel row.
  @inlinable @inline(__always)
  public static func loadLower(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  /// Stores 8 floats at `p`: the lower half of a 16-wide row.
  @inlinable @inline(__always)
  public static func storeLower(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  @inlinable @inline(__always)
  public static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }

  /// Lanes `0..<count` from `p` (`count ≤ 16`), zeros above: built in registers from loads of 8, 4, 2 and 1
  /// floats, each widened with zeros. Writing the lanes to memory and reading the vector back stalled on store
  /// forwarding (a 64-byte load over smaller stores): about 20 cycles a load, which made a channels-last
  /// depthwise layer on 8 channels 25x slower than on 16. Inlined: called out of line, the call in the loops
  /// that load every chunk through it (LayerNorm's rows) made ViT-tiny's LayerNorms 29 % slower.
  @inlinable @inline(__always)
  public static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD16<Float> {
    loadPartialInRegisters(p, count)
  }

  /// `loadPartial`'s body.
  @inlinable @inline(__always)
  public static func loadPartialInRegisters(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD16<Float> {
    if count >= 16 { return load(p) }
    let raw = UnsafeRawPointer(p)
    if count >= 8 {
      return SIMD16(lowHalf: raw.loadUnaligned(as: SIMD8<Float>.self), highHalf: partial8(raw + 32, count - 8))
    }
    return SIMD16(lowHalf: partial8(raw, count), highHalf: SIMD8())
  }

  /// Lanes `0..<count` (`count < 8`) of 8 floats at `p`, zeros above.
  @inlinable @inline(__always)
  public static func partial8(_ p: UnsafeRawPointer, _ count: Int) -> SIMD8<Float> {
    if count >= 4 {
      return SIMD8(lowHalf: p.loadUnaligned(as: SIMD4<Float>.self), highHalf: partial4(p + 16, count - 4))
    }
    return SIMD8(lowHalf: partial4(p, count), highHalf: SIMD4())
  }

  /// Lanes `0..<count` (`count < 4`) of 4 floats at `p`, zeros above.
  @inlinable @inline(__always)
  public static func partial4(_ p: UnsafeRawPointer, _ count: Int) -> SIMD4<Float> {
    switch count {
    case 3:
      SIMD4(
        lowHalf: p.loadUnaligned(as: SIMD2<Float>.self),
        highHalf: SIMD2(p.loadUnaligned(fromByteOffset: 8, as: Float.self), 0))
    case 2: SIMD4(lowHalf: p.loadUnaligned(as: SIMD2<Float>.self), highHalf: SIMD2())
    case 1: SIMD4(p.loadUnaligned(as: Float.self), 0, 0, 0)
    default: SIMD4()
    }
  }

  @inlinable @inline(__always)
  public static func loadPartial(_ p: UnsafeMutablePointer<Float>, _ count: Int) -> SIMD16<Float> {
    loadPartial(UnsafePointer(p), count)
  }

  /// Writes lanes `0..<count` (`count ≤ 16`) of `v` to `p`.
  @inlinable @inline(__always)
  public static func storePartial(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count >= 16 {
      store(v, p)
      return
    }
    withUnsafeBytes(of: v) { bytes in copy(bytes.baseAddress!, to: UnsafeMutableRawPointer(p), floats: count) }
  }

  /// Copies `floats` floats (any count) in steps of 16, 8 and 4 floats and at most three single ones. Short
  /// copies are frequent in kernels (row tails, partial vectors): a loop would become a `memmove` call, which
  /// costs more than the few moves, and writing vector lanes one at a time stalls on store forwarding.
  @inlinable @inline(__always)
  public static func copy(_ source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, floats: Int) {
    var at = 0
    var rest = floats
    while rest >= 16 {
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self), toByteOffset: at, as: SIMD16<Float>.self)
      at += 64
      rest -= 16
    }
    if rest >= 8 {
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self), toByteOffset: at, as: SIMD8<Float>.self)
      at += 32
      rest -= 8
    }
    if rest >= 4 {
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: at, as: SIMD4<Float>.self), toByteOffset: at, as: SIMD4<Float>.self)
      at += 16
      rest -= 4
    }
    if rest >= 1 { destination.storeBytes(of: source.loadUnaligned(fromByteOffset: at, as: Float.self), toByteOffset: at, as: Float.self) }
    if rest >= 2 {
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: at + 4, as: Float.self), toByteOffset: at + 4, as: Float.self)
    }
    if rest >= 3 {
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: at + 8, as: Float.self), toByteOffset: at + 8, as: Float.self)
    }
  }

  /// Sets `floats` floats to `value` in the steps of `copy`.
  @inlinable @inline(__always)
  public static func fill(_ destination: UnsafeMutableRawPointer, floats: Int, with value: Float) {
    var at = 0
    var rest = floats
    while rest >= 16 {
      destination.storeBytes(of: SIMD16<Float>(repeating: value), toByteOffset: at, as: SIMD16<Float>.self)
      at += 64
      rest -= 16
    }
    if rest >= 8 {
      destination.storeBytes(of: SIMD8<Float>(repeating: value), toByteOffset: at, as: SIMD8<Float>.self)
      at += 32
      rest -= 8
    }
    if rest >= 4 {
      destination.storeBytes(of: SIMD4<Float>(repeating: value), toByteOffset: at, as: SIMD4<Float>.self)
      at += 16
      rest -= 4
    }
    if rest >= 1 { destination.storeBytes(of: value, toByteOffset: at, as: Float.self) }
    if rest >= 2 { destination.storeBytes(of: value, toByteOffset: at + 4, as: Float.self) }
    if rest >= 3 { destination.storeBytes(of: value, toByteOffset: at + 8, as: Float.self) }
  }

  /// Lanes `0..<count` (`count ≤ 16`) from `p[lane·stride]`, zeros above: a column of a row-major matrix.
  @inlinable @inline(__always)
  public static func gather(_ p: UnsafePointer<Float>, stride: Int, _ count: Int) -> SIMD16<Float> {
    if count >= 16 {
      // Sixteen scalars into one initializer become loads and lane inserts; writing lanes one by one into
      // a vector goes through memory and stalls on store forwarding at every lane.
      return SIMD16(
        p[0], p[stride], p[2 * stride], p[3 * stride], p[4 * stride], p[5 * stride], p[6 * stride],
        p[7 * stride], p[8 * stride], p[9 * stride], p[10 * stride], p[11 * stride], p[12 * stride],
        p[13 * stride], p[14 * stride], p[15 * stride])
    }
    var v = SIMD16<Float>()
    withUnsafeMutableBytes(of: &v) { bytes in
      let lanes = bytes.baseAddress!.assumingMemoryBound(to: Float.self)
      for lane in 0..<count { lanes[lane] = p[lane * stride] }
    }
    return v
  }

  /// Writes lanes `0..<count` (`count ≤ 16`) of `v` to `p[lane·stride]`.
  @inlinable @inline(__always)
  public static func scatter(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, stride: Int, _ count: Int) {
    withUnsafeBytes(of: v) { bytes in
      let lanes = bytes.baseAddress!.assumingMemoryBound(to: Float.self)
      for lane in 0..<min(count, 16) { p[lane * stride] = lanes[lane] }
    }
  }

  /// `p[0], p[2], …, p[30]`: sixteen values at stride 2 from two vector loads (which read `p[31]` too).
  /// Through `SIMD16.evenHalf` of each load, which the compiler emits as one `shufps` per 128-bit quarter; the
  /// same vector spelled lane by lane (`SIMD16(a[0], a[2], …)`) became a chain of single-lane inserts on AVX2,
  /// which made the stride-2 depthwise tiles slower than their multiply-adds.
  @inlinable @inline(__always)
  public static func loadEvenLanes(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    SIMD16(lowHalf: load(p).evenHalf, highHalf: load(p + 16).evenHalf)
  }

  /// `loadEvenLanes(p)` and the odd lanes `p[1], p[3], …, p[31]` from the same two vector loads: splitting a
  /// row into its two column phases (a stride-2 convolution's input) in one pass.
  @inlinable @inline(__always)
  public static func loadEvenAndOddLanes(_ p: UnsafePointer<Float>) -> (even: SIMD16<Float>, odd: SIMD16<Float>) {
    let a = load(p)
    let b = load(p + 16)
    return (SIMD16(lowHalf: a.evenHalf, highHalf: b.evenHalf), SIMD16(lowHalf: a.oddHalf, highHalf: b.oddHalf))
  }
}
