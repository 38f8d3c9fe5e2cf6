import ResKernels
import Testing

/// `GemmMicrokernel6x32` (and the other wide and tall tiles) against `GemmMicrokernel6x16` bit for bit: a GEMM may run either kernel (the build's
/// ISA) and any column split over threads pairs different panels, so a column's sum must not depend on which
/// kernel or pairing computed it. (`KernelGridTests` checks both against naive loops.)
@Suite struct WideGemmKernelTests {
  @Test(arguments: [1, 7, 33, 130])
  func wideTilesEqualTheirPanelsOnTheNarrowKernel(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth))
    for columns in [17, 24, 25, 31, 32] {
      for rows in [1, 4, 6] {
        for readsRows in [false, true] {
          let wide = Operands(depth: depth, rows: rows, columns: columns, &random)
          let narrow = Operands(copying: wide)
          wide.run(readsRows ? GemmMicrokernel6x32.runReadingRows : GemmMicrokernel6x32.run, readsRows: readsRows)
          let kernel = readsRows ? GemmMicrokernel6x16.runReadingRows : GemmMicrokernel6x16.run
          narrow.runByPanels(kernel, readsRows: readsRows)
          #expect(
            zip(wide.c, narrow.c).allSatisfy { $0.bitPattern == $1.bitPattern },
            "depth \(depth), \(rows) × \(columns), A \(readsRows ? "in place" : "packed")")
        }
      }
    }
  }

  @Test(arguments: [1, 7, 33, 130])
  func tallTilesEqualTheirHalvesOnTheNarrowKernel(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth) + 100)
    for columns in [3, 8, 9, 16] {
      for rows in [7, 11, 12] {
        let tall = Operands(depth: depth, rows: rows, columns: columns, &random)
        let narrow = Operands(copying: tall)
        tall.runRows(GemmMicrokernel12x16.runReadingRows, first: 0, count: rows)
        narrow.runRows(GemmMicrokernel6x16.runReadingRows, first: 0, count: 6)
        narrow.runRows(GemmMicrokernel6x16.runReadingRows, first: 6, count: rows - 6)
        #expect(
          zip(tall.c, narrow.c).allSatisfy { $0.bitPattern == $1.bitPattern }, "depth \(depth), \(rows) × \(columns)")
      }
    }
  }

  /// Fewer than 32 columns in one tile (`GemmMicrokernel6x24.narrowRowsReadingRows`, 18–24 columns on the
  /// fused 6 × 24 kernel) equal the same tile split at the panel boundary on `GemmMicrokernel12x16`, as a
  /// thread's column split runs it.
  @Test(arguments: [1, 2, 7, 33, 130])
  func narrowTilesEqualTheirPanelsOnTheTallKernel(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth) + 300)
    for columns in [17, 18, 20, 24, 25, 31] {
      for rows in [1, 5, 6, 7, 12] {
        let narrow = Operands(depth: depth, rows: rows, columns: columns, &random)
        let split = Operands(copying: narrow)
        narrow.run(GemmMicrokernel6x24.narrowRowsReadingRows, readsRows: true)
        split.runByPanels(GemmMicrokernel12x16.runReadingRows, readsRows: true)
        #expect(
          zip(narrow.c, split.c).allSatisfy { $0.bitPattern == $1.bitPattern }, "depth \(depth), \(rows) × \(columns)")
      }
    }
  }

  /// The 256-bit builds' 6 × 24 tile, summed three rows at a time (`narrowRowsInThreeRowPasses`, and its strip
  /// down twelve rows), equals the same tile split at the panel boundary on `GemmMicrokernel6x16` (its last 8
  /// columns on `runLowerHalf`, A read in place and packed) and the 512-bit builds' one-pass 6 × 24 tile:
  /// every column is one chain, whichever kernel a split or a packed A gives it.
  @Test(arguments: [1, 2, 7, 33, 130])
  func threeRowPassesEqualEveryOtherKernelOnTheirColumns(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth) + 400)
    for columns in [2, 8, 16, 17, 18, 20, 24] {
      for rows in [1, 3, 4, 6] {
        let passes = Operands(depth: depth, rows: rows, columns: columns, &random)
        let split = Operands(copying: passes)
        let packed = Operands(copying: passes)
        let onePass = Operands(copying: passes)
        passes.run(GemmMicrokernel6x24.narrowRowsInThreeRowPasses, readsRows: true)
        split.runByPanels(GemmMicrokernel6x16.runReadingRows, readsRows: true)
        packed.runByPanels(GemmMicrokernel6x16.run, readsRows: false)
        let label = "depth \(depth), \(rows) × \(columns)"
        #expect(zip(passes.c, split.c).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(label), split")
        #expect(zip(passes.c, packed.c).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(label), packed A")
        if GemmMicrokernel6x24.widths.contains(columns) {
          onePass.run(GemmMicrokernel6x24.runReadingRows, readsRows: true)
          #expect(zip(passes.c, onePass.c).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(label), one pass")
        }
      }
      for rows in [1, 4, 6] {
        // The 16-column strip joins a last panel of 2 to 8 columns to the one before it in a 6 × 24 tile.
        let strip = Operands(depth: depth, rows: rows, columns: columns, &random)
        let split = Operands(copying: strip)
        strip.run(GemmMicrokernel6x16.runReadingRowsStrip, readsRows: true)
        split.runByPanels(GemmMicrokernel6x16.runReadingRows, readsRows: true)
        #expect(
          zip(strip.c, split.c).allSatisfy { $0.bitPattern == $1.bitPattern },
          "depth \(depth), \(rows) × \(columns), 16-column strip")
      }
      for rows in [7, 12] {
        let strip = Operands(depth: depth, rows: rows, columns: columns, &random)
        let split = Operands(copying: strip)
        strip.run(GemmMicrokernel6x24.runReadingRowsInThreeRowPassesStrip, readsRows: true)
        split.run(GemmMicrokernel6x24.narrowRowsInThreeRowPasses, rows: 0..<6)
        split.run(GemmMicrokernel6x24.narrowRowsInThreeRowPasses, rows: 6..<rows)
        #expect(
          zip(strip.c, split.c).allSatisfy { $0.bitPattern == $1.bitPattern }, "depth \(depth), \(rows) × \(columns), strip")
      }
    }
  }

  /// The prefetching tiles with A read in place (channels-last Winograd's products): twelve rows on
  /// `GemmMicrokernel12x32`, and up to six on `GemmMicrokernel6x32`, whose tiles of at most four rows take
  /// a four-row loop, equal the same tile in six-row tiles without hints bit for bit (16-column panels on
  /// `GemmMicrokernel6x16` up to six rows), with and without a hint.
  @Test(arguments: [1, 7, 33, 130])
  func prefetchingTilesReadingRowsEqualTheirPanelsOnTheNarrowKernel(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth) + 500)
    let hints = UnsafeMutablePointer<Float>.allocate(capacity: 16 * depth)
    defer { hints.deallocate() }
    hints.initialize(repeating: 0, count: 16 * depth)
    for columns in [25, 31, 32] {
      for rows in [1, 2, 3, 4, 5, 6, 7, 11, 12] {
        for hint in [UnsafePointer(hints), nil] {
          let prefetching = Operands(depth: depth, rows: rows, columns: columns, &random)
          let narrow = Operands(copying: prefetching)
          if rows > 6 {
            prefetching.run(
              { GemmMicrokernel12x32.runReadingRows($0, prefetching: hint, into: .secondLevel) }, readsRows: true)
          } else {
            prefetching.run(
              { GemmMicrokernel6x32.runReadingRows($0, prefetching: hint, into: .secondLevel) }, readsRows: true)
          }
          if rows > 6 {
            // Six-row tiles on the kernel the test above holds to the narrow one.
            narrow.run(GemmMicrokernel6x32.runReadingRows, rows: 0..<6)
            narrow.run(GemmMicrokernel6x32.runReadingRows, rows: 6..<rows)
          } else {
            narrow.runByPanels(GemmMicrokernel6x16.runReadingRows, readsRows: true)
          }
          #expect(
            zip(prefetching.c, narrow.c).allSatisfy { $0.bitPattern == $1.bitPattern },
            "depth \(depth), \(rows) × \(columns), hint \(hint != nil)")
        }
      }
    }
  }

  /// A 12 × 32 tile over two packed 6-row panels equals its four 6 × 16 quarters bit for bit.
  @Test(arguments: [1, 7, 33, 130])
  func twelveRowTilesEqualTheirQuartersOnTheNarrowKernel(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth) + 200)
    for (rows, columns) in [(12, 32), (7, 25), (12, 20), (6, 32), (9, 31)] {
      let a = random.floats(12 * depth)
      // Two 6-row panels, 6 floats per step, zero past the valid rows.
      let panels = (0..<(12 * depth)).map { index -> Float in
        let (panel, step, row) = (index / (6 * depth), index % (6 * depth) / 6, index % 6)
        let i = panel * 6 + row
        return i < rows ? a[i * depth + step] : 0
      }
      let b = random.floats(32 * depth)
      let bias = random.floats(12)
      let residual = random.floats(12 * 40)
      var wide = random.floats(12 * 40)
      var narrow = wide
      func run(_ kernel: (GemmTile) -> Void, _ c: inout [Float], firstRow: Int, rowCount: Int, firstColumn: Int, columnCount: Int) {
        panels.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            bias.withUnsafeBufferPointer { pbias in
              residual.withUnsafeBufferPointer { pres in
                c.withUnsafeMutableBufferPointer { pc in
                  kernel(
                    GemmTile(
                      depth: depth, a: pa.baseAddress! + firstRow / 6 * 6 * depth, aPanelStride: 6 * depth,
                      b: pb.baseAddress! + firstColumn * depth, bPanelStride: 16 * depth,
                      c: pc.baseAddress! + firstRow * 40 + firstColumn, cRowStride: 40, rows: rowCount,
                      columns: columnCount, accumulate: false,
                      epilogue: TileEpilogue(
                        bias: pbias.baseAddress! + firstRow, biasRowStride: 1,
                        residual: pres.baseAddress! + firstRow * 40 + firstColumn, residualRowStride: 40,
                        activation: .relu)))
                }
              }
            }
          }
        }
      }
      run(GemmMicrokernel12x32.run, &wide, firstRow: 0, rowCount: rows, firstColumn: 0, columnCount: columns)
      for firstRow in stride(from: 0, to: rows, by: 6) {
        for firstColumn in stride(from: 0, to: columns, by: 16) {
          run(
            GemmMicrokernel6x16.run, &narrow, firstRow: firstRow, rowCount: min(6, rows - firstRow),
            firstColumn: firstColumn, columnCount: min(16, columns - firstColumn))
        }
      }
      #expect(zip(wide, narrow).allSatisfy { $0.bitPattern == $1.bitPattern }, "depth \(depth), \(rows) × \(columns)")
    }
  }

  /// One tile's operands: A both packed (6 rows per step) and in place, B in two 16-wide panels, C with an
  /// epilogue of a per-column bias, a residual and ReLU.
  private final class Operands {
    let depth: Int
    let rows: Int
    let columns: Int
    let packedA: [Float]
    let rowsA: [Float]
    let b: [Float]
    let bias: [Float]
    let residual: [Float]
    var c: [Float]
    static let cStride = 37

    init(depth: Int, rows: Int, columns: Int, _ random: inout SeededGenerator) {
      self.depth = depth
      self.rows = rows
      self.columns = columns
      let a = random.floats(12 * depth)
      packedA = (0..<(6 * depth)).map { index in index % 6 < rows ? a[(index % 6) * depth + index / 6] : 0 }
      rowsA = (0..<(rows * depth)).map { a[$0] }
      b = (0..<(32 * depth)).map { index in
        let (panel, step, lane) = (index / (16 * depth), index % (16 * depth) / 16, index % 16)
        return panel * 16 + lane < columns ? random.floats(1)[0] * Float(step % 3 + 1) : 0
      }
      bias = random.floats(32)
      residual = random.floats(12 * Self.cStride)
      c = random.floats(12 * Self.cStride)
    }

    init(copying other: Operands) {
      depth = other.depth
      rows = other.rows
      columns = other.columns
      packedA = other.packedA
      rowsA = other.rowsA
      b = other.b
      bias = other.bias
      residual = other.residual
      c = other.c
    }

    func run(_ kernel: (GemmTile) -> Void, readsRows: Bool) {
      tile(readsRows: readsRows, firstColumn: 0, columns: columns, kernel)
    }

    /// Each 16-column panel as its own tile (one panel when there are at most 16 columns).
    func runByPanels(_ kernel: (GemmTile) -> Void, readsRows: Bool) {
      tile(readsRows: readsRows, firstColumn: 0, columns: min(columns, 16), kernel)
      if columns > 16 { tile(readsRows: readsRows, firstColumn: 16, columns: columns - 16, kernel) }
    }

    /// All columns of the rows `rows` of A read in place as one tile.
    func run(_ kernel: (GemmTile) -> Void, rows: Range<Int>) {
      tile(readsRows: true, firstColumn: 0, columns: columns, firstRow: rows.lowerBound, rows: rows.count, kernel)
    }

    /// Rows `first..<first+count` of A read in place, one 16-column panel, per-row bias and a residual.
    func runRows(_ kernel: (GemmTile) -> Void, first: Int, count: Int) {
      rowsA.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          bias.withUnsafeBufferPointer { bias in
            residual.withUnsafeBufferPointer { residual in
              c.withUnsafeMutableBufferPointer { c in
                kernel(
                  GemmTile(
                    depth: depth, a: a.baseAddress! + first * depth, aRowStride: depth, b: b.baseAddress!,
                    c: c.baseAddress! + first * Self.cStride, cRowStride: Self.cStride, rows: count,
                    columns: min(columns, 16), accumulate: false,
                    epilogue: TileEpilogue(
                      bias: bias.baseAddress! + first, biasRowStride: 1,
                      residual: residual.baseAddress! + first * Self.cStride, residualRowStride: Self.cStride,
                      activation: .clip(min: -0.5, max: 0.5))))
              }
            }
          }
        }
      }
    }

    /// `rows` rows from `firstRow` (A read in place, or packed from row 0) and `columns` columns from
    /// `firstColumn` as one tile.
    private func tile(
      readsRows: Bool, firstColumn: Int, columns: Int, firstRow: Int = 0, rows: Int? = nil,
      _ kernel: (GemmTile) -> Void
    ) {
      let a = readsRows ? rowsA : packedA
      let origin = firstRow * Self.cStride + firstColumn
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          bias.withUnsafeBufferPointer { bias in
            residual.withUnsafeBufferPointer { residual in
              c.withUnsafeMutableBufferPointer { c in
                kernel(
                  GemmTile(
                    depth: depth, a: a.baseAddress! + firstRow * depth, aRowStride: depth,
                    b: b.baseAddress! + firstColumn * depth, bPanelStride: 16 * depth, c: c.baseAddress! + origin,
                    cRowStride: Self.cStride, rows: rows ?? self.rows, columns: columns, accumulate: false,
                    epilogue: TileEpilogue(
                      bias: bias.baseAddress! + firstColumn, biasColumnStride: 1,
                      residual: residual.baseAddress! + origin, residualRowStride: Self.cStride,
                      activation: .relu)))
              }
            }
          }
        }
      }
    }
  }
}
