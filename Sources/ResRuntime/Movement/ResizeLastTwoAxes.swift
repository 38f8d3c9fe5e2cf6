/// The last two axes of `f32_resize`, computed separably. Level by level (one output row at a time, the taps
/// of each axis in turn) each output element multiplied and gathered every combination of its taps in scalar
/// code: a bilinear 8x upsampling of 5 channels to 96x96 (LR-ASPP's last step) took 0.14–0.20 ms alone against
/// onnxruntime's 0.08, and DeepLabV3's 21 classes upsampled to 520x520 took 21 ms.
///
/// Separably, the gather (each output element's last-axis taps, the part that does not vectorize) and the
/// blend of input rows by the second-to-last axis's taps (contiguous, vectorized) are two passes, in the order
/// that gathers less: where that axis is not shrunk, input rows are resampled along the last axis first, each
/// once for all the output rows that read it (`Workspace` keeps them), and then blended; where it is shrunk,
/// input rows are blended first and each output row gathers from the blend. A last axis that is not resampled
/// (a channels-last row of channels, or a row-major row not resized) is only the blend.
///
/// The last axis's table is tap-major (tap `k` of every element, then tap `k + 1`), and every tap's position
/// is clamped into its axis (`ResizeSampling`), so a gather never leaves the row. A tap of weight 0 adds −0 to
/// a gathered sum and is skipped in a blend, as it was level by level, so an infinity at a position only
/// weighted 0 (a clamped edge) stays out of the result; every sum starts at +0. Channels-last rows (`W · C`
/// elements) and row-major ones (`W`) take the same steps per element, so both layouts give the same bits.
struct ResizeLastTwoAxes {
  /// The second-to-last axis (none for a 1-D resize): per output row position, `rowTaps` input row offsets
  /// and weights, `rowOffsets[p · rowTaps + k]`.
  let rowTaps: Int
  let rowOffsets: [Int]
  let rowWeights: [Float]
  /// Taps per output element of the last axis.
  let taps: Int
  /// Output elements per row.
  let length: Int
  /// Elements of the input row the taps read: the last stored axis, or `W · C` when channels-last rows are
  /// merged.
  let inputLength: Int
  /// `weights[k · length + e]`, `offsets[k · length + e]`: element `e`'s tap `k`.
  let weights: [Float]
  let offsets: [Int]
  /// Whether element `e` reads input element `e` with weight 1 and nothing else.
  let copies: Bool
  /// Whether input rows are resampled before they are blended (the second-to-last axis is not shrunk).
  let resamplesRowsFirst: Bool

  /// The operator's element-major tables: `lastAxis` of the last axis (offsets in elements of the row), `rowAxis`
  /// of the axis before it (offsets in elements of the input), nil for a 1-D resize.
  init(
    lastAxis: (weights: [Float], offsets: [Int], taps: Int), inputLength: Int,
    rowAxis: (weights: [Float], offsets: [Int], taps: Int)?, copies: Bool, resamplesRowsFirst: Bool
  ) {
    let taps = lastAxis.taps
    let length = lastAxis.offsets.count / max(taps, 1)
    var weights = [Float](repeating: 0, count: taps * length)
    var offsets = [Int](repeating: 0, count: taps * length)
    for element in 0..<length {
      for tap in 0..<taps {
        weights[tap * length + element] = lastAxis.weights[element * taps + tap]
        offsets[tap * length + element] = lastAxis.offsets[element * taps + tap]
      }
    }
    (self.taps, self.length, self.inputLength) = (taps, length, inputLength)
    (self.weights, self.offsets, self.copies) = (weights, offsets, copies)
    (rowTaps, rowOffsets, rowWeights) = (rowAxis?.taps ?? 1, rowAxis?.offsets ?? [0], rowAxis?.weights ?? [1])
    self.resamplesRowsFirst = resamplesRowsFirst && !copies
  }

  /// Floats a worker's `Workspace` needs: the resampled rows it keeps, or one blended input row.
  var workspaceLength: Int {
    if copies { return 0 }
    return resamplesRowsFirst ? rowTaps * length : inputLength
  }

  /// Output row `position` of the second-to-last axis (0 for a 1-D resize) of the plane at `plane`, its
  /// sums scaled by `weight`, into `row`.
  func sampleRow(
    _ position: Int, of plane: UnsafePointer<Float>, weight: Float, _ workspace: inout Workspace,
    into row: UnsafeMutablePointer<Float>
  ) {
    workspace.count = 0
    for tap in (position * rowTaps)..<((position + 1) * rowTaps) where rowWeights[tap] != 0 {
      workspace.add(plane + rowOffsets[tap], scale: weight * rowWeights[tap])
    }
    if copies {
      workspace.blend(count: length, into: row)
    } else if resamplesRowsFirst {
      workspace.resampleRows(by: self)
      workspace.blend(count: length, into: row)
    } else if workspace.count == 1, workspace.scales[0] == 1 {
      sample(workspace.rows[0], into: row)
    } else {
      workspace.blend(count: inputLength, into: workspace.storage)
      sample(workspace.storage, into: row)
    }
  }

  /// Each output element of `row`: `0 + Σₖ wₖ · source[oₖ]`, a tap of weight 0 adding −0.
  func sample(_ source: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>) {
    weights.withUnsafeBufferPointer { weights in
      offsets.withUnsafeBufferPointer { offsets in
        let (weights, offsets) = (weights.baseAddress!, offsets.baseAddress!)
        for element in 0..<length {
          let weight = weights[element]
          let term = weight * source[offsets[element]]
          row[element] = 0 + (weight != 0 ? term : -0.0)
        }
        for tap in 1..<max(taps, 1) {
          let (tapWeights, tapOffsets) = (weights + tap * length, offsets + tap * length)
          for element in 0..<length {
            let weight = tapWeights[element]
            let term = weight * source[tapOffsets[element]]
            row[element] += weight != 0 ? term : -0.0
          }
        }
      }
    }
  }

  /// A worker's input rows for the output row at hand, with their weights, and the rows it keeps resampled
  /// for the output rows after: consecutive output rows of an upsampling read the same one to four input
  /// rows. A kept row is replaced oldest first, never while the output row at hand reads it, which keeps a
  /// sliding window of taps. One worker's rows run in order, each worker with a workspace of its own, in
  /// memory it allocates for the run.
  struct Workspace {
    /// `ResizeLastTwoAxes.workspaceLength` floats: `slots` resampled rows, or one blended row.
    let storage: UnsafeMutablePointer<Float>
    /// The output row's input rows and their weights: `count` of `slots`.
    let rows: UnsafeMutablePointer<UnsafePointer<Float>>
    let scales: UnsafeMutablePointer<Float>
    var count = 0
    /// The input row each kept row was resampled from, per slot.
    let keys: UnsafeMutablePointer<UnsafePointer<Float>?>
    let slots: Int
    private var next = 0

    /// `pointers` has room for `2 · slots` pointers (the rows and the keys), `scales` for `slots` floats.
    init(
      storage: UnsafeMutablePointer<Float>, pointers: UnsafeMutableRawPointer, scales: UnsafeMutablePointer<Float>,
      slots: Int
    ) {
      (self.storage, self.scales, self.slots) = (storage, scales, slots)
      rows = pointers.bindMemory(to: UnsafePointer<Float>.self, capacity: slots)
      keys = (pointers + slots * MemoryLayout<UnsafePointer<Float>>.stride)
        .bindMemory(to: UnsafePointer<Float>?.self, capacity: slots)
      keys.initialize(repeating: nil, count: slots)
    }

    /// An input row the output row reads, with its weight (≠ 0).
    mutating func add(_ row: UnsafePointer<Float>, scale: Float) {
      (rows[count], scales[count]) = (row, scale)
      count += 1
    }

    /// `count` elements of `0 + Σ scale · row` over the rows.
    func blend(count length: Int, into blended: UnsafeMutablePointer<Float>) {
      guard count > 0 else { return blended.update(repeating: 0, count: length) }
      let (first, scale) = (rows[0], scales[0])
      for element in 0..<length { blended[element] = 0 + scale * first[element] }
      for index in 1..<count {
        let (row, scale) = (rows[index], scales[index])
        for element in 0..<length { blended[element] += scale * row[element] }
      }
    }

    private func slot(holding row: UnsafePointer<Float>) -> Int? {
      (0..<slots).first { keys[$0] == row }
    }

    /// Replaces each input row by that row resampled along the last axis, kept or computed into a slot that
    /// none of the rows at hand holds, the oldest such first (there always is one: an output row reads at most
    /// as many distinct rows as there are slots).
    mutating func resampleRows(by axes: ResizeLastTwoAxes) {
      var held = 0  // bit per slot: keeps one of the rows at hand
      for index in 0..<count { if let slot = slot(holding: rows[index]) { held |= 1 << slot } }
      for index in 0..<count {
        let slot: Int
        if let kept = self.slot(holding: rows[index]) {
          slot = kept
        } else {
          var free = next
          while held & (1 << free) != 0 { free = (free + 1) % slots }
          (slot, next) = (free, (free + 1) % slots)
          held |= 1 << slot
          axes.sample(rows[index], into: storage + slot * axes.length)
          keys[slot] = rows[index]
        }
        rows[index] = UnsafePointer(storage + slot * axes.length)
      }
    }
  }
}
