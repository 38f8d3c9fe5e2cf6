import ResIR

/// A chain of Slices that subsamples the spatial axes of an `[N, C, H, W]` tensor from index 0 to the end
/// with positive steps (`x[:, :, ::2, ::2]`, exported as one Slice or one per axis): exactly what a 1x1
/// convolution with those strides reads.
///
/// Each slice must take, on every axis it names, either the whole axis (`0:∞:1`) or positions
/// `0, s, 2s, ...` through the last one (`⌈n/s⌉` positions); slices of slices multiply their steps
/// (`x[::2][::2]` is `x[::4]`, as `⌈⌈n/2⌉/2⌉ = ⌈n/4⌉`).
struct StridedSampling {
  /// The tensor the first slice reads.
  var source: ValueID
  /// The combined step of each spatial axis (H, W).
  var strides: [Int]
  /// The slices, from the last (the one read by the consumer) to the first.
  var slices: [NodeID]

  /// Follows the Slices that produce `value` back to their source; fails with the reason the chain is not a
  /// strided sampling a convolution reproduces. Stops at the first producer that is not a Slice (a loop,
  /// not recursion).
  static func trace(_ value: ValueID, in view: GraphView) -> Result<StridedSampling, ShortcutRefusal> {
    var sampling = StridedSampling(source: value, strides: [1, 1], slices: [])
    while let slice = view.producer(of: sampling.source), case .slice = slice.op {
      if let reason = view.intermediateDecline(sampling.source) {
        return .failure(ShortcutRefusal("\(reason): the Slice would stay, so a convolution would add work"))
      }
      guard let data = slice.input(0) else { return .failure(ShortcutRefusal("Slice '\(slice.name)' has no data")) }
      switch spatialSteps(of: slice, data: data, in: view) {
      case .failure(let refusal):
        return .failure(refusal)
      case .success(let steps):
        for axis in sampling.strides.indices {
          let (product, overflow) = sampling.strides[axis].multipliedReportingOverflow(by: steps[axis])
          guard !overflow else { return .failure(ShortcutRefusal("the combined step on axis \(axis + 2) overflows")) }
          sampling.strides[axis] = product
        }
      }
      sampling.slices.append(slice.id)
      sampling.source = data
    }
    return .success(sampling)
  }

  /// The step one Slice takes on H and W (1 where it keeps the axis whole), or why it is not a sampling from
  /// index 0 to the end.
  private static func spatialSteps(
    of slice: Node, data: ValueID, in view: GraphView
  ) -> Result<[Int], ShortcutRefusal> {
    let shape = view.type(of: data).shape
    guard shape.count == 4 else {
      return .failure(ShortcutRefusal("Slice '\(slice.name)' reads a rank-\(shape.count) tensor, not [N,C,H,W]"))
    }
    guard let starts = view.constant(slice.input(1))?.integers(), let ends = view.constant(slice.input(2))?.integers()
    else { return .failure(ShortcutRefusal("Slice '\(slice.name)' has starts or ends that are not constants")) }
    let axes = slice.input(3).map { view.constant($0)?.integers() } ?? Array(starts.indices)
    let steps = slice.input(4).map { view.constant($0)?.integers() } ?? [Int](repeating: 1, count: starts.count)
    guard let axes, let steps, axes.count == starts.count, steps.count == starts.count, ends.count == starts.count
    else { return .failure(ShortcutRefusal("Slice '\(slice.name)' has axes or steps that are not constants")) }
    var result = [1, 1]
    for (index, rawAxis) in axes.enumerated() {
      let axis = rawAxis < 0 ? rawAxis + 4 : rawAxis
      let entry = SliceEntry(start: starts[index], end: ends[index], step: steps[index])
      if let reason = entry.decline(axis: axis, size: shape[axis], slice: slice.name) {
        return .failure(ShortcutRefusal(reason))
      }
      if axis >= 2 { result[axis - 2] = entry.step }
    }
    return .success(result)
  }
}

/// One axis of a Slice: its start, end and step as written.
private struct SliceEntry {
  var start: Int
  var end: Int
  var step: Int

  /// Why slicing an axis of `size` this way is not a convolution's sampling, or nil when it is: the batch and
  /// channel axes must be kept whole, a spatial axis sampled from 0 to the end with a positive step.
  func decline(axis: Int, size: Dim, slice: String) -> String? {
    guard step > 0 else {
      return "Slice '\(slice)' has step \(step) on axis \(axis); a convolution reads an axis forwards"
    }
    guard case .known(let length) = size else {
      return "Slice '\(slice)' reads axis \(axis) of size \(size), which is not a number"
    }
    let bounds = SliceBounds(start: start, end: end, step: step, size: length)
    guard axis >= 2 else {
      guard step == 1, bounds.start == 0, bounds.count == length else {
        let name = axis == 0 ? "batch" : "channels"
        return "Slice '\(slice)' cuts axis \(axis) (\(name)); only H and W may be subsampled"
      }
      return nil
    }
    guard length > 0 else { return "Slice '\(slice)' reads an empty axis \(axis)" }
    guard bounds.start == 0 else {
      return "Slice '\(slice)' starts at \(bounds.start) on axis \(axis); a 1x1 strided convolution samples from "
        + "index 0"
    }
    let sampled = length / step + (length % step == 0 ? 0 : 1)
    guard bounds.count == sampled else {
      return "Slice '\(slice)' keeps \(bounds.count) of the \(sampled) positions a stride of \(step) reaches on axis "
        + "\(axis); a convolution runs to the end of the axis"
    }
    return nil
  }
}
