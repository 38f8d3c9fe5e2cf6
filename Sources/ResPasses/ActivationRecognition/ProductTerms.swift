import ResIR

/// A value written as a product: a constant coefficient times factors, read through a tree of Mul nodes,
/// Div by a one-element constant, and Pow with a small integer exponent — the ways exporters spell
/// `0.5 · x · (…)` or `0.044715 · x³`, in any operand order and grouping.
///
/// The walk stops at `leaves` (values the caller has identified, such as the activation's input), at values
/// that are not such products, and after `limit` nodes; it uses an explicit stack, never recursion.
struct ProductTerms {
  /// The product of every one-element constant factor (divisors inverted), in Double.
  var coefficient: Double = 1
  /// The remaining factors, in the order the walk met them; a factor raised to a power appears that often.
  var factors: [ValueID] = []
  /// The Mul, Div and Pow nodes the product was read through, the root first, each once.
  var nodes: [NodeID] = []

  static let limit = 16

  /// The product `value` computes, or nil when the tree is larger than `limit` nodes.
  init?(of value: ValueID, stoppingAt leaves: Set<ValueID> = [], in view: GraphView) {
    var stack = [value]
    var visited = 0
    while let current = stack.popLast() {
      if leaves.contains(current) {
        factors.append(current)
        continue
      }
      if let scalar = view.constant(current)?.scalar {
        coefficient *= scalar
        continue
      }
      guard let node = view.producer(of: current), let operands = Self.operands(of: node, in: view) else {
        factors.append(current)
        continue
      }
      visited += 1
      guard visited <= Self.limit else { return nil }
      if !nodes.contains(node.id) { nodes.append(node.id) }
      coefficient *= operands.coefficient
      stack.append(contentsOf: operands.factors.reversed())
    }
  }

  /// What one node contributes: its operands to walk into and a constant coefficient; nil when the node is
  /// not a Mul, a Div by a nonzero one-element constant, or a Pow with exponent 1 to 4.
  private static func operands(of node: Node, in view: GraphView) -> (factors: [ValueID], coefficient: Double)? {
    guard case .binary(let op) = node.op, let a = node.input(0), let b = node.input(1) else { return nil }
    switch op {
    case .mul:
      return ([a, b], 1)
    case .div:
      guard let divisor = view.constant(b)?.scalar, divisor != 0 else { return nil }
      return ([a], 1 / divisor)
    case .pow:
      guard let exponent = view.constant(b)?.scalar, let power = Int(exactly: exponent), (1...4).contains(power) else {
        return nil
      }
      return (Array(repeating: a, count: power), 1)
    case .add, .sub, .mod, .equal, .compare, .prelu:
      return nil
    }
  }

  /// Whether the factors are exactly `expected`, counted with multiplicity, in any order.
  func hasFactors(_ expected: [ValueID]) -> Bool {
    factors.sorted() == expected.sorted()
  }
}
