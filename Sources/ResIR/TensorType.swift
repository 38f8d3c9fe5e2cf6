/// The static type of a value: element type and shape.
///
/// The rank is always known. ONNX allows unranked values, but every op rescompile compiles has an output rank
/// determined by its inputs' ranks and constant operands, so the importer rejects the rare model whose rank
/// cannot be derived rather than carrying "unranked" through every pass.
public struct TensorType: Sendable, Hashable, Codable {
  public var dtype: DType
  public var shape: [Dim]

  public init(_ dtype: DType, _ shape: [Dim]) {
    self.dtype = dtype
    self.shape = shape
  }

  /// A type whose dimensions are all numbers.
  public init(_ dtype: DType, dims: [Int]) {
    self.init(dtype, dims.map { Dim.known($0) })
  }

  public var rank: Int { shape.count }

  /// The dimensions as numbers, when all are known.
  public var knownDims: [Int]? {
    var out: [Int] = []
    out.reserveCapacity(shape.count)
    for d in shape {
      guard let v = d.value else { return nil }
      out.append(v)
    }
    return out
  }

  /// Number of elements when every dimension is known; `nil` otherwise or on overflow.
  public var elementCount: Int? {
    guard let dims = knownDims else { return nil }
    return TensorType.checkedProduct(dims)
  }

  /// True when both types have the same dtype and provably equal dimensions.
  public func provablyEquals(_ other: TensorType) -> Bool {
    dtype == other.dtype && rank == other.rank
      && zip(shape, other.shape).allSatisfy { $0.provablyEquals($1) }
  }

  /// The product of `dims`, or `nil` when it overflows `Int` or a dimension is negative.
  public static func checkedProduct(_ dims: [Int]) -> Int? {
    var total = 1
    for d in dims {
      guard d >= 0 else { return nil }
      let (p, overflow) = total.multipliedReportingOverflow(by: d)
      guard !overflow else { return nil }
      total = p
    }
    return total
  }
}

extension TensorType: CustomStringConvertible {
  /// `f32[1,64,N,?]`: the spelling used by the text form and error messages.
  public var description: String {
    "\(dtype.rawValue)[\(shape.map(\.description).joined(separator: ","))]"
  }
}
