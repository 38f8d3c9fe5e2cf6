/// Splits rows of 2 to 7 interleaved four-byte elements into as many contiguous rows:
/// `destination[c·destinationStride + r] = source[r·sourceStride + c]` for `r < rows`, `c < columns`. It is the
/// transpose whose short side is too narrow for `TransposeMicrokernel8x8`'s tiles: a channels-last image made
/// channels-first. tf2onnx's exports of Keras image models begin with one ([1,224,224,3] → [1,3,224,224]),
/// which element by element took 0.22 ms of their ResNet50 (onnxruntime: 0.056 ms).
///
/// Packed rows of 2, 3 or 4 elements (`sourceStride == columns`: an image's pixels) run a loop that reads a
/// whole row per iteration, which the compiler vectorizes as wide loads and lane shuffles; any other shape
/// runs the element loop. Elements are moved as bits, so any four-byte type is copied exactly.
public enum DeinterleaveMicrokernel {
  /// The widest row: from 8 elements on, `TransposeMicrokernel8x8` takes whole tiles.
  public static let widest = TransposeMicrokernel8x8.size - 1

  public static func run(
    _ source: UnsafeRawPointer, sourceStride: Int, _ destination: UnsafeMutableRawPointer,
    destinationStride: Int, rows: Int, columns: Int
  ) {
    precondition(columns <= widest, "a deinterleaved row has at most \(widest) elements")
    let planes = Planes(destination, stride: destinationStride)
    switch (columns, sourceStride) {
    case (2, 2): split(source, planes, rows: rows, InlineArray<2, Int>.self)
    case (3, 3): split(source, planes, rows: rows, InlineArray<3, Int>.self)
    case (4, 4): split(source, planes, rows: rows, InlineArray<4, Int>.self)
    default:
      for column in 0..<columns {
        for row in 0..<rows {
          let value = source.loadUnaligned(fromByteOffset: (row &* sourceStride &+ column) &* 4, as: UInt32.self)
          destination.storeBytes(
            of: value, toByteOffset: (column &* destinationStride &+ row) &* 4, as: UInt32.self)
        }
      }
    }
  }

  /// The destination rows, one per source column.
  private struct Planes {
    let base: UnsafeMutableRawPointer
    let stride: Int

    init(_ base: UnsafeMutableRawPointer, stride: Int) {
      self.base = base
      self.stride = stride
    }

    @inline(__always)
    func store(_ value: UInt32, column: Int, row: Int) {
      base.storeBytes(of: value, toByteOffset: (column &* stride &+ row) &* 4, as: UInt32.self)
    }
  }

  @inline(__always)
  private static func element(_ source: UnsafeRawPointer, _ index: Int) -> UInt32 {
    source.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self)
  }

  /// Packed rows of `columns` elements; the width a generic constant, so that each specialization reads a
  /// whole row per iteration of a loop the compiler vectorizes.
  @inline(__always)
  private static func split<let columns: Int>(
    _ source: UnsafeRawPointer, _ planes: Planes, rows: Int, _: InlineArray<columns, Int>.Type
  ) {
    for row in 0..<rows {
      let first = row &* columns
      for column in 0..<columns {
        planes.store(element(source, first &+ column), column: column, row: row)
      }
    }
  }
}
