import ResKernels
import Testing

/// The transpose tile kernel against the element-by-element definition: every tile size from 1×1 to 8×8
/// (full tiles and every partial edge), at strides equal to and larger than the tile, with NaN bit patterns
/// and signed zeros among the values (the kernel moves bits, not numbers), and with the destination's
/// elements outside the tile left untouched. Run from KernelGridTests as the registry's `transpose`; the
/// deinterleaving kernel likewise (`deinterleave`).
enum MovementKernelTests {
  /// Rows of 1 to 7 elements, packed (the vectorized loops for 2, 3 and 4) and spread wider (the element loop),
  /// 0 to 70 rows (vector multiples and the remainders past them), into destination rows exactly as long and
  /// longer.
  static func checkDeinterleavedRows() {
    for columns in 1...DeinterleaveMicrokernel.widest {
      for sourceStride in [columns, columns + 3] {
        for rows in [0, 1, 5, 16, 17, 47, 70] {
          for padding in [0, 9] {
            checkDeinterleave(rows: rows, columns: columns, sourceStride: sourceStride, destinationStride: rows + padding)
          }
        }
      }
    }
  }

  private static func checkDeinterleave(rows: Int, columns: Int, sourceStride: Int, destinationStride: Int) {
    let source = patterned(count: max(1, rows * sourceStride))
    let sentinel: UInt32 = 0xDEAD_BEEF
    let count = max(1, columns * destinationStride)
    var destination = [UInt32](repeating: sentinel, count: count)
    source.withUnsafeBytes { input in
      destination.withUnsafeMutableBytes { output in
        DeinterleaveMicrokernel.run(
          input.baseAddress!, sourceStride: sourceStride, output.baseAddress!, destinationStride: destinationStride,
          rows: rows, columns: columns)
      }
    }
    var expected = [UInt32](repeating: sentinel, count: count)
    for row in 0..<rows {
      for column in 0..<columns { expected[column * destinationStride + row] = source[row * sourceStride + column] }
    }
    #expect(
      destination == expected,
      "deinterleave \(rows) rows of \(columns), strides \(sourceStride) → \(destinationStride)")
  }

  /// Distinct bit patterns with NaNs (one with a payload), a negative zero and an infinity among them.
  private static func patterned(count: Int) -> [UInt32] {
    let special: [UInt32] = [Float.nan.bitPattern | 0x1234, (-0.0 as Float).bitPattern, Float.infinity.bitPattern]
    return (0..<count).map { index in
      index % 7 == 3 ? special[index % special.count] : UInt32(truncatingIfNeeded: index &* 2_654_435_761)
    }
  }

  static func checkTransposeTiles() {
    let size = TransposeMicrokernel8x8.size
    for (sourceStride, destinationStride) in [(size, size), (13, 11), (197, 64)] {
      for rows in 1...size {
        for columns in 1...size {
          checkTile(rows: rows, columns: columns, sourceStride: sourceStride, destinationStride: destinationStride)
        }
      }
    }
  }

  private static func checkTile(rows: Int, columns: Int, sourceStride: Int, destinationStride: Int) {
    let size = TransposeMicrokernel8x8.size
    let source = patterned(count: size * sourceStride)
    let sentinel: UInt32 = 0xDEAD_BEEF
    var destination = [UInt32](repeating: sentinel, count: size * destinationStride)
    source.withUnsafeBytes { input in
      destination.withUnsafeMutableBytes { output in
        TransposeMicrokernel8x8.run(
          input.baseAddress!, sourceStride: sourceStride, output.baseAddress!, destinationStride: destinationStride,
          rows: rows, columns: columns)
      }
    }
    var expected = [UInt32](repeating: sentinel, count: size * destinationStride)
    for row in 0..<rows {
      for column in 0..<columns { expected[column * destinationStride + row] = source[row * sourceStride + column] }
    }
    #expect(
      destination == expected,
      "transpose tile \(rows)x\(columns), strides \(sourceStride) → \(destinationStride)")
  }
}
