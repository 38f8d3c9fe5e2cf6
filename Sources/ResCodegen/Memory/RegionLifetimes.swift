/// When each arena region holds a value, in step times: graph inputs are written before the first step
/// (time 0), step `i` runs at time `i + 1`, and graph outputs are read after the last step (time
/// `steps.count + 1`).
///
/// A graph input's region is kept until that last time, not freed after its last reader: the runtime reads an
/// input straight from the caller's memory only when no step writes any byte of the input's arena range
/// (`InPlaceBindings`), so a region that reused those bytes made every run copy the input into the arena first.
/// MobileNetV2's 602 KB image was copied in every run, 0.8 % of a one-thread run's samples in `memmove` on one
/// thread. The arena grows by at most the inputs' size, and only where their bytes were reused.
///
/// A region lives from the first to the last time anything touches it through any of its tensors, so a view
/// (a Reshape's result, sharing its source's bytes) extends its source's lifetime to its own last reader, and a
/// Concat's output lives from its first copy step. Regions nothing touches have no lifetime. (`ArenaLayout` then
/// merges the lifetimes of regions nested in a Concat's output into that of the outermost region.)
enum RegionLifetimes {
  static func compute(
    regionCount: Int, tensors: [PlanTensor], steps: [PlanStep], inputs: [TensorID], outputs: [TensorID]
  ) -> [ClosedRange<Int>?] {
    var lifetimes = [ClosedRange<Int>?](repeating: nil, count: regionCount)
    func touch(_ tensor: TensorID, at time: Int) {
      guard case .arena(let region) = tensors[tensor.index].storage else { return }
      if let lifetime = lifetimes[region] {
        lifetimes[region] = min(lifetime.lowerBound, time)...max(lifetime.upperBound, time)
      } else {
        lifetimes[region] = time...time
      }
    }
    for input in inputs {
      touch(input, at: 0)
      touch(input, at: steps.count + 1)
    }
    for (index, step) in steps.enumerated() {
      for tensor in step.inputs + step.outputs { touch(tensor, at: index + 1) }
    }
    for output in outputs { touch(output, at: steps.count + 1) }
    return lifetimes
  }
}
