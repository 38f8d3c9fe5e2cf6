import ResPlan
import Testing

/// `PanelLayout.pack(unaligned:into:)`, which packs a weight where a model file holds it, against packing an
/// aligned copy: bit for bit equal (NaN payloads included) for panels of a MatMul's `[K, N]` weight (sixteen
/// adjacent rows), a convolution's (adjacent steps) and Winograd's transform, from an odd address. And
/// `pack(unaligned:rowScales:panels:into:)`, run after run, gives the whole packing's bytes.
@Suite struct UnalignedPackingTests {
  static let layouts: [PanelLayout] = [
    PanelLayout(width: 16, matrices: 1, rows: 48, depth: 11, matrixStride: 0, rowStride: 1, depthStride: 48),
    PanelLayout(width: 16, matrices: 2, rows: 21, depth: 5, matrixStride: 105, rowStride: 1, depthStride: 21),
    PanelLayout(width: 6, matrices: 1, rows: 13, depth: 7, matrixStride: 0, rowStride: 7, depthStride: 1),
    PanelLayout(width: 16, matrices: 2, rows: 37, depth: 19, matrixStride: 703, rowStride: 19, depthStride: 1),
    WinogradFilter.layout(outputTile: 4, groups: 2, rows: 9, depth: 8, width: 6)!,
    WinogradFilter.layout(outputTile: 2, groups: 1, rows: 7, depth: 6, width: 16)!,
  ]

  /// The row-major source of `layout`: distinct values, a quiet and a signalling NaN with payloads among them.
  private static func values(for layout: PanelLayout) -> [Float] {
    let count = layout.sourceMatrices * layout.rows * (layout.isTransformed ? layout.depth * 9 : layout.depth)
    var values = (0..<count).map { i in Float((i * 29) % 83 - 41) / 13 }
    if !layout.isTransformed && count > 5 {
      values[3] = Float(bitPattern: 0x7FC0_1234)
      values[5] = Float(bitPattern: 0xFFA0_0001)
    }
    return values
  }

  /// `values` copied to an odd address, for `body`.
  private static func atOddAddress<R>(_ values: [Float], _ body: (UnsafeRawPointer) -> R) -> R {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: values.count * 4 + 1, alignment: 16)
    defer { buffer.deallocate() }
    values.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[1...]).copyMemory(from: $0) }
    return body(UnsafeRawPointer(buffer.baseAddress! + 1))
  }

  private static func packedAligned(_ values: [Float], _ layout: PanelLayout) -> [UInt32] {
    var packed = [Float](repeating: .nan, count: layout.floatCount)
    values.withUnsafeBufferPointer { source in
      packed.withUnsafeMutableBufferPointer { layout.pack(source.baseAddress!, into: $0.baseAddress!) }
    }
    return packed.map(\.bitPattern)
  }

  @Test(arguments: layouts)
  func unalignedPackingIsAlignedPacking(_ layout: PanelLayout) {
    let values = Self.values(for: layout)
    var packed = [Float](repeating: .nan, count: layout.floatCount)
    Self.atOddAddress(values) { source in
      packed.withUnsafeMutableBufferPointer { layout.pack(unaligned: source, into: $0.baseAddress!) }
    }
    #expect(packed.map(\.bitPattern) == Self.packedAligned(values, layout))
  }

  @Test(arguments: layouts.filter { !$0.isTransformed }, [1, 2, 3])
  func packingRunAfterRunIsPackingWhole(_ layout: PanelLayout, panelsPerRun: Int) {
    let values = Self.values(for: layout)
    var packed = [Float](repeating: .nan, count: layout.floatCount)
    Self.atOddAddress(values) { source in
      packed.withUnsafeMutableBufferPointer { destination in
        for first in stride(from: 0, to: layout.panelCount, by: panelsPerRun) {
          let run = first..<min(first + panelsPerRun, layout.panelCount)
          layout.pack(
            unaligned: source, panels: run, into: destination.baseAddress! + first * layout.floatsPerPanel)
        }
      }
    }
    #expect(packed.map(\.bitPattern) == Self.packedAligned(values, layout))
  }

  @Test(arguments: layouts.filter { !$0.isTransformed })
  func scaledPackingRunAfterRunIsScaledPackingWhole(_ layout: PanelLayout) {
    let values = Self.values(for: layout).map { $0.isNaN ? 1 : $0 }
    let factors = (0..<(layout.sourceMatrices * layout.rows)).map { 0.45 + Double($0) * 0.31 }
    var whole = [Float](repeating: .nan, count: layout.floatCount)
    var runs = [Float](repeating: .nan, count: layout.floatCount)
    Self.atOddAddress(values) { source in
      factors.withUnsafeBufferPointer { scales in
        whole.withUnsafeMutableBufferPointer { layout.pack(source, rowScales: scales.baseAddress!, into: $0.baseAddress!) }
        runs.withUnsafeMutableBufferPointer { destination in
          for panel in 0..<layout.panelCount {
            layout.pack(
              unaligned: source, rowScales: scales.baseAddress!, panels: panel..<(panel + 1),
              into: destination.baseAddress! + panel * layout.floatsPerPanel)
          }
        }
      }
    }
    #expect(runs.map(\.bitPattern) == whole.map(\.bitPattern))
  }
}
