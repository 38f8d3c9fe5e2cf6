import ResIR

extension Op {
  /// Whether the op only rearranges or selects the elements of its first operand, computing nothing: Reshape,
  /// Flatten, Squeeze, Unsqueeze, Identity, Transpose and Slice. An elementwise activation commutes with
  /// them, and an element keeps its channel through them when the channel axis survives (`ChannelPath`); the
  /// passes that look through such ops share this list, so they agree on what "only moves" means.
  var onlyMovesElements: Bool {
    switch self {
    case .reshape, .flatten, .squeeze, .unsqueeze, .identity, .transpose, .slice: true
    default: false
    }
  }
}
