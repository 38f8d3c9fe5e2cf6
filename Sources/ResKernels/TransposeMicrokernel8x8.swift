/// Transposes one tile of up to 8 × 8 four-byte elements: `destination[c·destinationStride + r] =
/// source[r·sourceStride + c]` for `r < rows`, `c < columns`.
///
/// A permuting copy whose destination rows are contiguous reads its source a whole stride apart per element;
/// element by element that cost ~1 ns per element (ViT-tiny's key transpose, [197,3,64] → [3,64,197], 36 µs
/// in isolation). A full tile instead loads eight source rows as vectors and stores eight destination rows as
/// vectors, with the lanes regrouped in registers: 10 µs for the same transpose. Partial tiles (the edges)
/// run an element loop. Elements are moved as bits through raw pointers, so any four-byte type (f32, i32)
/// is copied exactly whatever the memory is bound to. Strides count elements.
public enum TransposeMicrokernel8x8 {
  /// Rows and columns of a full tile.
  public static let size = 8

  public static func run(
    _ source: UnsafeRawPointer, sourceStride: Int, _ destination: UnsafeMutableRawPointer,
    destinationStride: Int, rows: Int, columns: Int
  ) {
    guard rows == size, columns == size else {
      for row in 0..<rows {
        for column in 0..<columns {
          let value = source.loadUnaligned(fromByteOffset: (row * sourceStride + column) * 4, as: UInt32.self)
          destination.storeBytes(of: value, toByteOffset: (column * destinationStride + row) * 4, as: UInt32.self)
        }
      }
      return
    }
    let r0 = load(source, 0, sourceStride)
    let r1 = load(source, 1, sourceStride)
    let r2 = load(source, 2, sourceStride)
    let r3 = load(source, 3, sourceStride)
    let r4 = load(source, 4, sourceStride)
    let r5 = load(source, 5, sourceStride)
    let r6 = load(source, 6, sourceStride)
    let r7 = load(source, 7, sourceStride)
    for column in 0..<size {
      let transposed = SIMD8<UInt32>(
        r0[column], r1[column], r2[column], r3[column], r4[column], r5[column], r6[column], r7[column])
      destination.storeBytes(of: transposed, toByteOffset: column * destinationStride * 4, as: SIMD8<UInt32>.self)
    }
  }

  @inline(__always)
  private static func load(_ source: UnsafeRawPointer, _ row: Int, _ stride: Int) -> SIMD8<UInt32> {
    source.loadUnaligned(fromByteOffset: row * stride * 4, as: SIMD8<UInt32>.self)
  }
}
