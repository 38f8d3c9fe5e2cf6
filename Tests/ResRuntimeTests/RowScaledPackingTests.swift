import ResPlan
import Testing

/// `PanelLayout.pack(_:rowScales:into:)`, which packs a batch-norm-folded weight from the unscaled one, against
/// packing the weight scaled first: bit for bit equal for panels (one and two matrices) and Winograd's
/// transform (eight-filter vectors and the narrower remainder), steps scaled eight at a time and one by one,
/// from a source at an odd address.
@Suite struct RowScaledPackingTests {
  static let layouts: [PanelLayout] = [
    PanelLayout(width: 6, matrices: 1, rows: 13, depth: 7, matrixStride: 0, rowStride: 7, depthStride: 1),
    PanelLayout(width: 16, matrices: 2, rows: 5, depth: 9, matrixStride: 45, rowStride: 9, depthStride: 1),
    PanelLayout(width: 16, matrices: 1, rows: 21, depth: 27, matrixStride: 0, rowStride: 27, depthStride: 1),
    WinogradFilter.layout(outputTile: 4, groups: 2, rows: 9, depth: 8, width: 6)!,
    WinogradFilter.layout(outputTile: 2, groups: 1, rows: 7, depth: 6, width: 6)!,
    WinogradFilter.layout(outputTile: 4, groups: 1, rows: 19, depth: 5, width: 16)!,
  ]

  @Test(arguments: layouts)
  func rowScaledPackingIsPackingOfTheScaledWeight(_ layout: PanelLayout) {
    let rowCount = layout.sourceMatrices * layout.rows
    let rowLength = layout.isTransformed ? layout.depth * 9 : layout.depth
    let values = (0..<(rowCount * rowLength)).map { i in Float((i * 29) % 83 - 41) / 13 }
    let factors = (0..<rowCount).map { 0.45 + Double($0) * 0.31 }
    let scaled = values.indices.map { i in Float(Double(values[i]) * factors[i / rowLength]) }
    var expected = [Float](repeating: .nan, count: layout.floatCount)
    scaled.withUnsafeBufferPointer { source in
      expected.withUnsafeMutableBufferPointer { layout.pack(source.baseAddress!, into: $0.baseAddress!) }
    }
    let unaligned = UnsafeMutableRawBufferPointer.allocate(byteCount: values.count * 4 + 1, alignment: 16)
    defer { unaligned.deallocate() }
    values.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: unaligned[1...]).copyMemory(from: $0) }
    var packed = [Float](repeating: .nan, count: layout.floatCount)
    factors.withUnsafeBufferPointer { rowScales in
      packed.withUnsafeMutableBufferPointer {
        layout.pack(unaligned.baseAddress! + 1, rowScales: rowScales.baseAddress!, into: $0.baseAddress!)
      }
    }
    #expect(packed.map(\.bitPattern) == expected.map(\.bitPattern))
  }
}
