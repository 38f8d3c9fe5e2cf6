import ResKernels

/// A copy of four-byte elements that is a batch of 2-D transposes, moved in tiles by
/// `TransposeMicrokernel8x8` instead of element by element.
///
/// It applies when the destination's contiguous row runs across the source (the row's source stride is
/// not 1) and the next axis out is contiguous in the source: ViT's key transpose ([1,197,3,64] →
/// [1,3,64,197]) and the patch embedding's [1,192,196] → [1,196,192]. The walk's row becomes the tile's
/// rows ("source rows", `sourceRowStride` apart in the source, adjacent in the destination) and that outer
/// axis its columns (adjacent in the source, `destinationColumnStride` apart in the destination); any axes
/// further out are batches. Every element is still written exactly once, so the result is the element
/// loop's, bit for bit. Fewer than eight columns (a channels-last image of 3 colours made channels-first: rows
/// of 50,176 elements, 3 columns) run `DeinterleaveMicrokernel` over pieces of the rows instead of tiles.
struct TransposedCopy: Sendable {
  /// Source elements between consecutive elements of a destination row.
  let sourceRowStride: Int
  /// Destination elements between consecutive destination rows (consecutive source elements).
  let destinationColumnStride: Int
  /// Elements per destination row (the walk's row length).
  let rowLength: Int
  /// Destination rows per batch (the size of the axis contiguous in the source).
  let columns: Int
  /// The remaining axes, source offsets in lane 0 and destination offsets in lane 3.
  let batches: StridedWalk

  /// Nil unless `walk` (with `elementWidth`-byte elements) has the shape of a batched transpose with at least
  /// one full tile of rows and two columns, and destination rows that cannot overlap.
  init?(_ walk: StridedWalk, elementWidth: Int) {
    let tile = TransposeMicrokernel8x8.size
    guard elementWidth == 4, walk.rowStrides[3] == 1, walk.rowStrides[0] != 1, walk.rowLength >= tile,
      let columnStrides = walk.outerStrides.last, let columns = walk.outerShape.last, columnStrides[0] == 1,
      columns >= 2, columnStrides[3].magnitude >= walk.rowLength
    else { return nil }
    sourceRowStride = walk.rowStrides[0]
    destinationColumnStride = columnStrides[3]
    rowLength = walk.rowLength
    self.columns = columns
    batches = StridedWalk(shape: Array(walk.outerShape.dropLast()), axisStrides: Array(walk.outerStrides.dropLast()))
  }

  /// Copies from `source` to `destination` (four-byte elements), offsets `start` (in elements; lane 0:
  /// source, lane 3: destination) added to every element's, split over the context's workers by batch and
  /// column block.
  func run(
    _ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer, start: SIMD4<Int>, _ context: RunContext
  ) {
    let tile = TransposeMicrokernel8x8.size
    guard columns >= tile else {
      runNarrow(source, destination, start: start, context)
      return
    }
    let columnBlocks = (columns + tile - 1) / tile
    let batchCount = batches.rowCount * batches.rowLength
    let tasks = batchCount * columnBlocks
    let workers = context.workers(elements: batchCount * columns * rowLength, tasks: tasks)
    context.parallelFor(tasks: tasks, workers: workers) { task, _ in
      let batch = task / columnBlocks
      let firstColumn = (task % columnBlocks) * tile
      batches.forEachRow(in: (batch / batches.rowLength)..<(batch / batches.rowLength + 1)) { rowOffsets in
        let offsets = rowOffsets &+ batches.rowStrides &* (batch % batches.rowLength) &+ start
        transposeBlock(
          source + (offsets[0] + firstColumn) * 4,
          destination + (offsets[3] + firstColumn * destinationColumnStride) * 4,
          columns: min(tile, columns - firstColumn))
      }
    }
  }

  /// Fewer columns than a tile: each batch's rows in pieces (split over the workers), every column of a piece
  /// in one `DeinterleaveMicrokernel` call.
  private func runNarrow(
    _ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer, start: SIMD4<Int>, _ context: RunContext
  ) {
    let batchCount = batches.rowCount * batches.rowLength
    let elements = RunContext.work(batchCount, columns, rowLength)
    let workers = context.workers(elements: elements, tasks: RunContext.work(batchCount, rowLength))
    let pieces = RunContext.ranges(
      of: rowLength, parts: RunContext.streamingPieces(workers: workers), granule: TransposeMicrokernel8x8.size)
    context.parallelFor(tasks: batchCount * pieces.count, workers: workers) { task, _ in
      let batch = task / pieces.count
      let piece = pieces[task % pieces.count]
      batches.forEachRow(in: (batch / batches.rowLength)..<(batch / batches.rowLength + 1)) { rowOffsets in
        let offsets = rowOffsets &+ batches.rowStrides &* (batch % batches.rowLength) &+ start
        DeinterleaveMicrokernel.run(
          source + (offsets[0] + piece.lowerBound * sourceRowStride) * 4, sourceStride: sourceRowStride,
          destination + (offsets[3] + piece.lowerBound) * 4, destinationStride: destinationColumnStride,
          rows: piece.count, columns: columns)
      }
    }
  }

  /// One block of up to 8 destination rows, tile by tile along the row.
  private func transposeBlock(
    _ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer, columns: Int
  ) {
    let tile = TransposeMicrokernel8x8.size
    for first in stride(from: 0, to: rowLength, by: tile) {
      TransposeMicrokernel8x8.run(
        source + first * sourceRowStride * 4, sourceStride: sourceRowStride, destination + first * 4,
        destinationStride: destinationColumnStride, rows: min(tile, rowLength - first), columns: columns)
    }
  }
}
