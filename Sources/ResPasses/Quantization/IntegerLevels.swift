import ResIR

/// What is known about a value that holds whole numbers only: the quantization levels a `QuantizeLinear`
/// computes in float (`Clip(Round(x / s) + zp, lo, hi)`) and the integers a `Cast` from an integer type makes.
///
/// Why: the importer writes every quantization as float arithmetic on such levels, followed by a Cast to the
/// 8-bit type and, for each reader, a Cast back. Knowing that a float already holds an in-range whole number
/// is what makes those round trips, and the zero-point shifts around them, removable without changing a bit.
///
/// `low` and `high` bound every element when known; an unbounded side is nil. A NaN is none of these numbers:
/// the analysis speaks of finite inputs, which is why the rewrites that use it run at -O2.
struct IntegerLevels: Equatable {
  var low: Double?
  var high: Double?

  /// How far `of` follows producers: a quantization chain is four nodes deep; more only costs time.
  private static let depthLimit = 8

  /// True when every element lies in `[low, high]` (both finite).
  func fits(within low: Double, _ high: Double) -> Bool {
    guard let ownLow = self.low, let ownHigh = self.high else { return false }
    return ownLow >= low && ownHigh <= high
  }

  /// The levels `value` holds, or nil when it may hold a fraction (or the analysis cannot tell).
  static func of(_ value: ValueID?, in view: GraphView) -> IntegerLevels? {
    of(value, in: view, depth: 0)
  }

  private static func of(_ value: ValueID?, in view: GraphView, depth: Int) -> IntegerLevels? {
    guard let value, depth < depthLimit else { return nil }
    let dtype = view.type(of: value).dtype
    if let bounds = IntegerRange(dtype) { return IntegerLevels(low: bounds.low, high: bounds.high) }
    guard dtype.isFloatingPoint else { return nil }
    if let constant = view.constant(value) { return ofConstant(constant) }
    guard let node = view.producer(of: value) else { return nil }
    return ofResult(of: node, in: view, depth: depth + 1)
  }

  private static func ofConstant(_ constant: Constant) -> IntegerLevels? {
    let values = constant.doubles()
    guard !values.isEmpty, values.allSatisfy({ $0.isFinite && $0.rounded() == $0 }) else { return nil }
    return IntegerLevels(low: values.min(), high: values.max())
  }

  private static func ofResult(of node: Node, in view: GraphView, depth: Int) -> IntegerLevels? {
    switch node.op {
    case .unary(.round), .unary(.floor), .unary(.ceil):
      // Rounding a number whose levels are known keeps them; rounding any other float gives whole numbers.
      return of(node.input(0), in: view, depth: depth) ?? IntegerLevels(low: nil, high: nil)
    case .cast(let target):
      // A conversion keeps whole numbers the target holds exactly; f32 → f16 may round 70000 to infinity.
      guard let source = node.input(0), let levels = of(source, in: view, depth: depth) else { return nil }
      let widening = target.byteWidth >= view.type(of: source).dtype.byteWidth
      guard !widening, let exact = IntegerRange(exactIn: target) else { return levels }
      return levels.fits(within: exact.low, exact.high) ? levels : nil
    case .unary(.relu):
      guard let levels = of(node.input(0), in: view, depth: depth) else { return nil }
      return levels.clipped(low: 0, high: nil)
    case .clip:
      return clipLevels(node, in: view, depth: depth)
    case .binary(.add):
      return sum(node.input(0), node.input(1), sign: 1, in: view, depth: depth)
    case .binary(.sub):
      return sum(node.input(0), node.input(1), sign: -1, in: view, depth: depth)
    case .conv(let attributes) where attributes.exactSums && attributes.epilogue.isEmpty
      && attributes.prologue == nil:
      return integerSums(node, in: view, depth: depth)
    default:
      return nil
    }
  }

  /// A Clip of whole numbers by whole bounds (absent bounds leave that side as it was). A fractional bound
  /// would put a fraction in the result.
  private static func clipLevels(_ node: Node, in view: GraphView, depth: Int) -> IntegerLevels? {
    guard let levels = of(node.input(0), in: view, depth: depth) else { return nil }
    var bounds: [Double?] = []
    for slot in 1...2 {
      guard let operand = node.input(slot) else {
        bounds.append(nil)
        continue
      }
      guard let bound = view.constant(operand)?.scalar, bound.isFinite, bound.rounded() == bound else { return nil }
      bounds.append(bound)
    }
    return levels.clipped(low: bounds[0], high: bounds[1])
  }

  /// `a + sign · b` of whole numbers is a whole number in every float type: a sum below 2^p (p the mantissa
  /// width) is exact, and any rounded one is at least 2^p, where every float is whole.
  private static func sum(
    _ a: ValueID?, _ b: ValueID?, sign: Double, in view: GraphView, depth: Int
  ) -> IntegerLevels? {
    guard let left = of(a, in: view, depth: depth), let right = of(b, in: view, depth: depth) else { return nil }
    let (rightLow, rightHigh) = sign > 0 ? (right.low, right.high) : (right.high.map { -$0 }, right.low.map { -$0 })
    return IntegerLevels(
      low: left.low.flatMap { l in rightLow.map { l + $0 } },
      high: left.high.flatMap { h in rightHigh.map { h + $0 } })
  }

  /// The sums of a ConvInteger's or QLinearConv's integer levels (`exact_sums`): whole numbers whatever the
  /// order of the additions, within `±(terms · max|x| · max|w|) + max|bias|` where each output sums `terms`
  /// products. Only for constant weights and bias (the bound needs their largest magnitude).
  private static func integerSums(_ node: Node, in view: GraphView, depth: Int) -> IntegerLevels? {
    guard let x = of(node.input(0), in: view, depth: depth), let xLow = x.low, let xHigh = x.high,
      let weight = view.constant(node.input(1)), let wLevels = ofConstant(weight), let outputs = weight.dims.first,
      outputs > 0
    else { return nil }
    var biasMagnitude = 0.0
    if let bias = node.input(2) {
      guard let constant = view.constant(bias), let levels = ofConstant(constant) else { return nil }
      biasMagnitude = max(abs(levels.low ?? 0), abs(levels.high ?? 0))
    }
    let terms = Double(weight.elementCount / outputs)
    let bound = terms * max(abs(xLow), abs(xHigh)) * max(abs(wLevels.low ?? 0), abs(wLevels.high ?? 0)) + biasMagnitude
    return IntegerLevels(low: -bound, high: bound)
  }

  /// These levels clamped to `[low, high]`: a Clip's result (with `min > max` giving `max` everywhere, as the
  /// runtime's and numpy's clip do).
  func clipped(low: Double?, high: Double?) -> IntegerLevels {
    var result = self
    if let low { result.low = max(result.low ?? low, low); result.high = result.high.map { max($0, low) } }
    if let high { result.high = min(result.high ?? high, high); result.low = result.low.map { min($0, high) } }
    return result
  }
}

/// The values an integer element type holds, as doubles.
struct IntegerRange {
  let low: Double
  let high: Double

  init?(_ dtype: DType) {
    switch dtype {
    case .int8: (low, high) = (-128, 127)
    case .uint8: (low, high) = (0, 255)
    case .int32: (low, high) = (-2_147_483_648, 2_147_483_647)
    case .int64: (low, high) = (-0x1p63, 0x1p63)
    case .bool: (low, high) = (0, 1)
    case .float32, .float16, .float64: return nil
    }
  }

  /// The whole numbers a float type holds exactly with every neighbour: ±2^p, p the significand's bits.
  init?(exactIn dtype: DType) {
    switch dtype {
    case .float16: (low, high) = (-0x1p11, 0x1p11)
    case .float32: (low, high) = (-0x1p24, 0x1p24)
    case .float64: (low, high) = (-0x1p53, 0x1p53)
    case .int8, .uint8, .int32, .int64, .bool: return nil
    }
  }
}
