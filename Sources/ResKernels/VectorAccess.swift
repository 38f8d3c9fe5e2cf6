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
}
