/// numpy's multidirectional broadcasting on static shapes, for the intermediate results the lowering creates
/// itself (a chain of binary steps for a variadic Sum). Operand shapes were validated by shape inference.
enum StaticBroadcast {
  static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
    let rank = max(a.count, b.count)
    let paddedA = [Int](repeating: 1, count: rank - a.count) + a
    let paddedB = [Int](repeating: 1, count: rank - b.count) + b
    return zip(paddedA, paddedB).map { x, y in x == 1 ? y : x }
  }
}
