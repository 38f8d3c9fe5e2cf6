import ResPlan

/// `copy`: the strided copy behind Transpose, Slice (any step sign), Expand, Concat and Split:
/// `Y[dst_offset + Σ i·dst_strides] = X[src_offset + Σ i·src_strides]` for every index `i` of `shape`.
///
/// Validation computes the lowest and highest element each side can reach (strides may be negative or zero)
/// and requires both inside the buffer, so no index can leave it; it also requires the walk to be no longer
/// than Y, which keeps the work of a hostile copy bounded by its output.
///
/// The offsets and strides address the buffers' storage, whatever their layout, so a copy may read and write
/// channels-last buffers (`readsChannelsLast`): a Concat, Split or Slice inside a channels-last region walks
/// the logical indices at channels-last strides. Validation is the same either way: every reach stays inside
/// its buffer.
///
/// Rows (or, for a few long rows, pieces of rows) are split over the workers; a copy that is a batch of
/// transposes of four-byte elements moves 8×8 tiles instead (`TransposedCopy`). Only a copy that provably writes
/// each destination element once is split: a (malformed) plan whose destination indices repeat gets the one-thread
/// result, the last write winning, instead of a race between workers.
struct CopyOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  let walk: StridedWalk
  let transposed: TransposedCopy?
  let sourceOffset: Int
  let destinationOffset: Int
  /// Whether no two indices of the walk reach the same destination element, so pieces can run concurrently.
  let writesEachElementOnce: Bool

  /// The strides are in storage elements, so the layout only changes which strides the compiler emits.
  var readsChannelsLast: Bool { true }

  /// Copies of more axes than this are rejected (ONNX tensors in real models have far fewer).
  static let maximumRank = 16

  init(_ params: Rescompile_Plan_CopyParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = operands.inputs[0]
    y = operands.outputs[0]
    try operands.requireSameType(y, "Y", as: x)
    let rank = params.shape.count
    guard rank <= CopyOperator.maximumRank, params.srcStrides.count == rank, params.dstStrides.count == rank else {
      throw operands.failure(
        "copy of rank \(rank) has \(params.srcStrides.count) source and \(params.dstStrides.count) destination strides")
    }
    var shape: [Int] = []
    for size in params.shape {
      guard size >= 0 else { throw operands.failure("copy shape has a negative size \(size)") }
      shape.append(try CheckedMath.int(size, "\(operands.site): copy size"))
    }
    let count = try CheckedMath.product(shape, "\(operands.site): copy element count")
    guard count <= y.count else {
      throw operands.failure("copies \(count) elements into \(y.label), which has \(y.count)")
    }
    let sourceStrides = try params.srcStrides.map { (value: Int64) throws(RuntimeError) in
      try CheckedMath.int(value, "\(operands.site): source stride")
    }
    let destinationStrides = try params.dstStrides.map { (value: Int64) throws(RuntimeError) in
      try CheckedMath.int(value, "\(operands.site): destination stride")
    }
    sourceOffset = try CheckedMath.int(params.srcOffset, "\(operands.site): source offset")
    destinationOffset = try CheckedMath.int(params.dstOffset, "\(operands.site): destination offset")
    if count > 0 {
      try CopyOperator.requireReach(
        offset: sourceOffset, strides: sourceStrides, shape: shape, inside: x, "source", operands)
      try CopyOperator.requireReach(
        offset: destinationOffset, strides: destinationStrides, shape: shape, inside: y, "destination", operands)
    }
    let axisStrides = shape.indices.map { SIMD4<Int>(sourceStrides[$0], 0, 0, destinationStrides[$0]) }
    let inOrder = StridedWalk(shape: shape, axisStrides: axisStrides)
    writesEachElementOnce = CopyOperator.isOneToOne(strides: destinationStrides, shape: shape)
    transposed = writesEachElementOnce ? TransposedCopy(inOrder, elementWidth: x.elementType.byteWidth) : nil
    let order = transposed == nil && writesEachElementOnce ? CopyOperator.longRowOrder(shape, axisStrides) : nil
    walk = order.map { StridedWalk(shape: $0.map { shape[$0] }, axisStrides: $0.map { axisStrides[$0] }) } ?? inOrder
  }

  /// An axis order whose last axis (the walk's row) is long, for a copy whose destination's contiguous axis
  /// is short: DepthToSpace's and PixelShuffle's [N, C, H, s, W, s] destination has rows of s = 2 elements,
  /// where the per-row cost dominates; the source's contiguous W axis makes rows of W elements (contiguous
  /// reads, stride-s writes) instead. Nil when the rows are long enough already or no axis is better. Only
  /// for copies that write each element once, where the order cannot change the result.
  static func longRowOrder(_ shape: [Int], _ strides: [SIMD4<Int>]) -> [Int]? {
    guard let last = shape.indices.last, shape[last] < 16 else { return nil }
    let contiguous = shape.indices.filter { strides[$0][0].magnitude == 1 || strides[$0][3].magnitude == 1 }
    guard let row = contiguous.max(by: { shape[$0] < shape[$1] }), row != last, shape[row] >= 16 else {
      return nil
    }
    return shape.indices.filter { $0 != row } + [row]
  }

  /// Whether `Σ i·strides` differs for every two indices `i` of `shape`: ordered by magnitude, each stride of an
  /// axis longer than one exceeds the farthest reach of the shorter ones. Sufficient, not necessary; every
  /// layout the compiler emits (a tensor, a slice of one, a permutation of either) passes.
  static func isOneToOne(strides: [Int], shape: [Int]) -> Bool {
    let axes = zip(strides, shape).filter { $0.1 > 1 }.map { (stride: $0.0.magnitude, size: UInt($0.1)) }
    var reach: UInt = 0
    for axis in axes.sorted(by: { $0.stride < $1.stride }) {
      guard axis.stride > reach else { return false }
      let (span, overflow) = axis.stride.multipliedReportingOverflow(by: axis.size - 1)
      let (next, tooFar) = reach.addingReportingOverflow(span)
      guard !overflow, !tooFar else { return false }
      reach = next
    }
    return true
  }

  /// Requires every element `offset + Σ i·strides` (for `i` in `shape`, all sizes ≥ 1) inside `buffer`.
  private static func requireReach(
    offset: Int, strides: [Int], shape: [Int], inside buffer: PlanBuffer, _ side: String, _ operands: StepOperands
  ) throws(RuntimeError) {
    var lowest = offset
    var highest = offset
    for (stride, size) in zip(strides, shape) {
      let span = try CheckedMath.multiply(stride, size - 1, "\(operands.site): \(side) span")
      if span < 0 {
        lowest = try CheckedMath.add(lowest, span, "\(operands.site): \(side) reach")
      } else {
        highest = try CheckedMath.add(highest, span, "\(operands.site): \(side) reach")
      }
    }
    guard lowest >= 0, highest < buffer.count else {
      throw operands.failure(
        "\(side) elements \(lowest)...\(highest) are outside \(buffer.label) (\(buffer.count) elements)")
    }
  }

  func run(_ context: RunContext) {
    if let transposed {
      transposed.run(
        UnsafeRawPointer(context.raw(x)), context.raw(y), start: SIMD4<Int>(sourceOffset, 0, 0, destinationOffset),
        context)
      return
    }
    switch x.elementType.byteWidth {
    case 8: copy(UInt64.self, context)
    case 4: copy(UInt32.self, context)
    case 2: copy(UInt16.self, context)
    default: copy(UInt8.self, context)
    }
  }

  private func copy<T: FixedWidthInteger>(_: T.Type, _ context: RunContext) {
    let source = UnsafeRawPointer(context.raw(x))
    let destination = context.raw(y)
    let width = MemoryLayout<T>.size
    let start = SIMD4<Int>(sourceOffset, 0, 0, destinationOffset)
    let strides = walk.rowStrides
    // Zero elements of work: the walk stays on one worker.
    let elements = writesEachElementOnce ? walk.rowCount * walk.rowLength : 0
    walk.run(context, elements: elements) { rowOffsets, columns in
      let offsets = rowOffsets &+ start
      if strides[0] == 1 && strides[3] == 1 {
        (destination + (offsets[3] + columns.lowerBound) * width).copyMemory(
          from: source + (offsets[0] + columns.lowerBound) * width, byteCount: columns.count * width)
        return
      }
      if strides[0] == 1 {
        // A contiguous source row scattered at a fixed stride (the long rows `longRowOrder` picks).
        let from = source + (offsets[0] + columns.lowerBound) * width
        let to = destination + (offsets[3] + columns.lowerBound * strides[3]) * width
        let step = strides[3] * width
        for element in 0..<columns.count {
          let value = from.load(fromByteOffset: element * width, as: T.self)
          to.storeBytes(of: value, toByteOffset: element * step, as: T.self)
        }
        return
      }
      for element in columns {
        let value = source.load(fromByteOffset: (offsets[0] + element * strides[0]) * width, as: T.self)
        destination.storeBytes(of: value, toByteOffset: (offsets[3] + element * strides[3]) * width, as: T.self)
      }
    }
  }
}
