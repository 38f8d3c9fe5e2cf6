import ResIR

/// Makes nodes that read constants holding the same tensor (same dtype, same dims, same bytes) read the first
/// of them. Exporters copy a weight when two modules share it, and folding turns equal `Shape` chains into
/// equal constants; once the readers name one constant, `eliminate-common-subexpressions` sees that they
/// compute the same thing.
///
/// ## Before
/// ```
/// const @w: f32[8,8] fingerprint 0123456789abcdef
/// const @w_copy: f32[8,8] fingerprint 0123456789abcdef
/// %a = MatMul "a" (%x, @w, _) : f32[1,8]
/// %b = MatMul "b" (%x, @w_copy, _) : f32[1,8]
/// ```
/// ## After
/// ```
/// const @w: f32[8,8] fingerprint 0123456789abcdef
/// %a = MatMul "a" (%x, @w, _) : f32[1,8]
/// %b = MatMul "b" (%x, @w, _) : f32[1,8]
/// ```
/// Bytes decide, not values: `-0.0` and `0.0`, or two NaNs with different payloads, are different constants.
/// A graph output that is a constant keeps its own value and name. Constants are grouped by type first, and
/// within a group sorted by their bytes: two different weights compare by their first differing bytes, so
/// ResNet-50's 100 MB of weights (many blocks repeat a shape) are barely read, where hashing each of them cost
/// a quarter of the optimizer's time.
public struct MergeIdenticalConstants: GraphPass {
  public init() {}
  public let name = "merge-identical-constants"

  public func run(on graph: inout Graph, context: inout PassContext) throws(ModelError) {
    var kept: [ValueID: ValueID] = [:]
    for (duplicate, original) in Self.duplicates(in: graph) {
      kept[duplicate] = original
      context.recordApplied(name, node: graph[duplicate].name, "identical to the constant '\(graph[original].name)'")
    }
    guard !kept.isEmpty else { return }
    for position in graph.nodes.indices {
      graph.nodes[position].inputs = graph.nodes[position].inputs.map { $0.map { kept[$0] ?? $0 } }
    }
  }

  /// Every constant a node reads that is identical to one with a lower value ID, with that first one; in
  /// value ID order.
  static func duplicates(in graph: Graph) -> [(duplicate: ValueID, original: ValueID)] {
    var groups: [TensorType: [ValueID]] = [:]
    for value in operandConstants(of: graph) {
      guard let constant = graph.constant(value) else { continue }
      groups[constant.type, default: []].append(value)
    }
    var result: [(duplicate: ValueID, original: ValueID)] = []
    for members in groups.values where members.count > 1 {
      result += duplicates(among: members, in: graph)
    }
    return result.sorted { $0.duplicate < $1.duplicate }
  }

  /// The constants some node reads, in value ID order.
  private static func operandConstants(of graph: Graph) -> [ValueID] {
    var seen = Set<ValueID>()
    for node in graph.nodes {
      for value in node.presentInputs where graph.constant(value) != nil { seen.insert(value) }
    }
    return seen.sorted()
  }

  /// Within constants of one type (in ID order): each one equal to an earlier one, with the first of them.
  /// Sorted by bytes (ties by ID), equal constants are neighbours and the first of each run is the original.
  private static func duplicates(among members: [ValueID], in graph: Graph) -> [(duplicate: ValueID, original: ValueID)]
  {
    let constants = members.compactMap { value in graph.constant(value).map { (value, $0) } }
    let sorted = constants.sorted { a, b in
      let order = byteOrder(a.1, b.1)
      return order != 0 ? order < 0 : a.0 < b.0
    }
    var result: [(duplicate: ValueID, original: ValueID)] = []
    var original = 0
    for index in sorted.indices.dropFirst() {
      if byteOrder(sorted[index].1, sorted[original].1) == 0 {
        result.append((sorted[index].0, sorted[original].0))
      } else {
        original = index
      }
    }
    return result
  }

  /// `memcmp`'s order of two constants' bytes (negative, zero, positive), stopping at the first difference.
  private static func byteOrder(_ a: Constant, _ b: Constant) -> Int {
    TensorBytes.order(a.bytes, b.bytes)
  }
}
