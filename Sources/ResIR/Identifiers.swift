/// Identifies a value (graph input, constant or node result) inside one `Graph`.
///
/// IDs are dense indices into `Graph.values`. They are typed so that a node index can never be used where a
/// value is meant; they are stable under node insertion and removal because values are never renumbered.
public struct ValueID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public let index: Int
  public init(_ index: Int) { self.index = index }
  public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
  public var description: String { "v\(index)" }
}

/// Identifies a node inside one `Graph`. Stable under insertion and removal of other nodes; the node's
/// position in `Graph.nodes` (its place in topological order) is separate from its identity.
public struct NodeID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public let index: Int
  public init(_ index: Int) { self.index = index }
  public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }
  public var description: String { "n\(index)" }
}
