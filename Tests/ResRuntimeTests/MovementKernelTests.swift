import ResKernels
import Testing

/// The transpose tile kernel against the element-by-element definition: every tile size from 1×1 to 8×8
/// (full tiles and every partial edge), at strides equal to and larger than the tile, with NaN bit patterns
/// and signed zeros among the values (the kernel moves bits, not numbers), and with the destination's
/// elements outside the tile left untouched. Run from KernelGridTests as the registry's `transpose`.
enum MovementKernelTests {
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
    let special: [UInt32] = [Float.nan.bitPattern | 0x1234, (-0.0 as Float).bitPattern, Float.infinity.bitPattern]
    let source = (0..<(size * sourceStride)).map { index in
      index % 7 == 3 ? special[index % special.count] : UInt32(truncatingIfNeeded: index &* 2_654_435_761)
    }
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
