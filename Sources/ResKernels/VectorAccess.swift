/// Loads and stores of 16 floats, whole or partial.
///
/// A partial load fills the missing lanes with zeros and a partial store writes only the valid lanes, so a
/// kernel runs its one vector code path on the tail of a row too: the value of an element never depends on
/// whether it was in a full vector (and so never on how work was split over threads).
public enum VectorAccess {
  @inline(__always)
  public static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  public static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  public static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }

  /// Lanes `0..<count` from `p` (`count ≤ 16`), zeros above.
  @inline(__always)
  public static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD16<Float> {
    if count >= 16 { return load(p) }
    var v = SIMD16<Float>()
    for lane in 0..<count { v[lane] = p[lane] }
    return v
  }

  @inline(__always)
  public static func loadPartial(_ p: UnsafeMutablePointer<Float>, _ count: Int) -> SIMD16<Float> {
    loadPartial(UnsafePointer(p), count)
  }

  /// Writes lanes `0..<count` (`count ≤ 16`) of `v` to `p`.
  @inline(__always)
  public static func storePartial(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count >= 16 {
      store(v, p)
      return
    }
    for lane in 0..<count { p[lane] = v[lane] }
  }

  /// Lanes `0..<count` (`count ≤ 16`) from `p[lane·stride]`, zeros above: a column of a row-major matrix.
  @inline(__always)
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
    for lane in 0..<min(count, 16) { v[lane] = p[lane * stride] }
    return v
  }

  /// Writes lanes `0..<count` (`count ≤ 16`) of `v` to `p[lane·stride]`.
  @inline(__always)
  public static func scatter(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, stride: Int, _ count: Int) {
    for lane in 0..<min(count, 16) { p[lane * stride] = v[lane] }
  }
}
