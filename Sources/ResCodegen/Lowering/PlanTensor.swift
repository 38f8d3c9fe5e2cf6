import ResIR

/// Identifies a tensor of the plan under construction. Becomes a buffer index when the plan is emitted (only
/// tensors a step or a binding refers to are emitted, so the numbers change then).
struct TensorID: Hashable, Comparable, Sendable {
  let index: Int

  static func < (a: TensorID, b: TensorID) -> Bool { a.index < b.index }
}

/// A typed, shaped tensor the plan's steps read or write, and where its bytes live.
///
/// Several tensors may share one storage: a Reshape's result is a second tensor over its source's bytes (a
/// view), which is how the plan avoids copying for the ops that only reinterpret a shape.
struct PlanTensor: Sendable {
  /// Where the bytes of a tensor live.
  enum Storage: Hashable, Sendable {
    /// A region of the activation arena; the memory planner gives it an offset.
    case arena(region: Int)
    /// A payload of the constant section.
    case constant(payload: Int)
  }

  var name: String
  var dtype: DType
  var dims: [Int]
  var storage: Storage
  /// Channels-last (plan.proto `ActivationLayout`): `dims` stays the logical `[N, C, spatial...]`, the bytes
  /// are `[N, spatial..., C]`. Only activations of rank 3–5 (`ChannelsLastAssignment`).
  var isChannelsLast = false

  /// The arena region holding the tensor, nil for a constant.
  var arenaRegion: Int? {
    guard case .arena(let region) = storage else { return nil }
    return region
  }

  var elementCount: Int { dims.reduce(1, *) }
  var byteCount: Int { elementCount * dtype.byteWidth }
  var isEmpty: Bool { dims.contains(0) }
}
