/// One change the editing methods made to a graph's nodes or outputs, recorded while the graph records edits
/// (`Graph.startRecordingEdits`).
///
/// Why: a pattern pass keeps an index of who produces and who reads each value, and after a rewrite it
/// follows these edits instead of reading every node again; rebuilding after each of k rewrites on n nodes
/// cost k·n (two minutes for 10,000 residual blocks). Each edit carries what the index needs to undo the old
/// state: the node as it was before it was removed or changed.
///
/// Positions are those at the moment of the edit, so edits must be applied in order.
public enum GraphEdit: Sendable {
  /// A node was placed at `position` (the nodes from there on moved up by one).
  case inserted(NodeID, position: Int)
  /// `node` was taken out of `position` (the nodes after it moved down by one).
  case removed(Node, position: Int)
  /// The node with `before.id` changed its operands, results or op in place.
  case changed(before: Node)
  /// The graph's outputs were `before`.
  case outputsChanged(before: [ValueID])
}

extension Graph {
  /// Starts (or restarts) recording edits; `takeEdits()` returns them. Only the editing methods record:
  /// a caller that writes `nodes` or `outputs` directly while recording leaves its index stale (debug builds
  /// check the pattern pass's index against a fresh one after every rewrite).
  public mutating func startRecordingEdits() { editLog = [] }

  /// Stops recording and drops what was recorded.
  public mutating func stopRecordingEdits() { editLog = nil }

  /// The edits since recording started or since the last call, oldest first; recording goes on.
  public mutating func takeEdits() -> [GraphEdit] {
    guard let edits = editLog else { return [] }
    editLog = []
    return edits
  }

  /// Appends `edit` to the log when recording.
  mutating func record(_ edit: GraphEdit) {
    if editLog != nil { editLog!.append(edit) }
  }
}
