/// Einsum by its definition, the oracle for the importer's lowering: for every assignment of values to the
/// labels, the product of the operands' elements at those indices is added to the output element at its
/// indices. A dimension of size 1 is read at index 0 whatever its label's value (numpy broadcasting).
///
/// Equations are letters only, one string per operand, no `...` and no implicit output: the tests spell out
/// what they expect an ellipsis or an implicit output to mean.
enum NaiveEinsum {
  struct Tensor {
    var shape: [Int]
    var values: [Double]
  }

  static func evaluate(_ terms: [String], _ output: String, _ operands: [Tensor]) -> Tensor {
    var sizes: [Character: Int] = [:]
    for (term, operand) in zip(terms, operands) {
      for (label, size) in zip(term, operand.shape) { sizes[label] = max(sizes[label] ?? 1, size) }
    }
    let labels = Array(Set(terms.joined())).sorted()
    let outputShape = output.map { sizes[$0] ?? 1 }
    var result = Tensor(shape: outputShape, values: [Double](repeating: 0, count: outputShape.reduce(1, *)))
    var index = [Character: Int](uniqueKeysWithValues: labels.map { ($0, 0) })
    repeat {
      var product = 1.0
      for (term, operand) in zip(terms, operands) {
        product *= operand.values[offset(of: term, shape: operand.shape, at: index)]
      }
      result.values[offset(of: output, shape: outputShape, at: index)] += product
    } while advance(&index, labels: labels, sizes: sizes)
    return result
  }

  /// The row-major offset of the element `term` labels at `index`.
  private static func offset(of term: String, shape: [Int], at index: [Character: Int]) -> Int {
    var offset = 0
    for (label, size) in zip(term, shape) {
      offset = offset * size + (size == 1 ? 0 : index[label] ?? 0)
    }
    return offset
  }

  /// Steps `index` to the next assignment, the last label fastest; false after the last one.
  private static func advance(_ index: inout [Character: Int], labels: [Character], sizes: [Character: Int]) -> Bool {
    for label in labels.reversed() {
      index[label, default: 0] += 1
      if index[label, default: 0] < sizes[label, default: 1] { return true }
      index[label] = 0
    }
    return false
  }
}
