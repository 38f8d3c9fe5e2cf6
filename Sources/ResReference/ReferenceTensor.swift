import ResIR

/// A tensor of concrete values: what the reference evaluator reads and produces.
///
/// Float dtypes store `Double` and integer and bool dtypes store `Int64` (bool as 0/1), so that int64 shape
/// arithmetic (a Slice end of `Int64.max` from PyTorch, say) stays exact while every float value is still
/// exactly one of its dtype's values: the initializers round to the dtype (`Float` for f32, `Float16` for f16),
/// so a tensor never holds a value its dtype could not.
public struct ReferenceTensor: Sendable, Hashable {
  public enum Storage: Sendable, Hashable {
    case floating([Double])
    case integral([Int64])
  }

  public var dtype: DType
  public var shape: [Int]
  public var storage: Storage

  /// Values converted to `dtype`: rounded to the float type, or, for integer and bool dtypes, converted as
  /// `Cast` converts (truncation toward zero, saturation at the type's range, NaN as 0, bool as `value != 0`).
  /// - Precondition: `doubles.count` is the product of `shape`.
  public init(dtype: DType, shape: [Int], doubles: [Double]) {
    precondition(ShapeArithmetic.product(shape) == doubles.count, "value count does not match the shape")
    self.dtype = dtype
    self.shape = shape
    if dtype.isFloatingPoint {
      storage = .floating(ElementConversion.rounded(doubles, to: dtype))
    } else {
      storage = .integral(doubles.map { ElementConversion.integer(from: $0, to: dtype) })
    }
  }

  /// Values converted to `dtype`: wrapped to the integer type's width as C and numpy do, bool as
  /// `value != 0`, or rounded to the float type.
  /// - Precondition: `integers.count` is the product of `shape`.
  public init(dtype: DType, shape: [Int], integers: [Int64]) {
    precondition(ShapeArithmetic.product(shape) == integers.count, "value count does not match the shape")
    self.dtype = dtype
    self.shape = shape
    if dtype.isFloatingPoint {
      storage = .floating(integers.map { ElementConversion.rounded(Double($0), to: dtype) })
    } else {
      storage = .integral(ElementConversion.wrapped(integers, to: dtype))
    }
  }

  /// The values of a constant of the graph.
  public init(constant: Constant) {
    dtype = constant.dtype
    shape = constant.dims
    if constant.dtype.isFloatingPoint {
      storage = .floating(constant.doubles())
    } else {
      // `integers()` gives the raw byte of a bool; normalize so that bool storage is always 0 or 1.
      let values = constant.integers().map { Int64($0) }
      storage = .integral(constant.dtype == .bool ? values.map { $0 != 0 ? 1 : 0 } : values)
    }
  }

  /// Every element as a `Double`, whatever the dtype (bool as 0/1).
  public var doubles: [Double] {
    switch storage {
    case .floating(let values): values
    case .integral(let values): values.map { Double($0) }
    }
  }

  /// The number of elements (the product of `shape`).
  public var elementCount: Int {
    switch storage {
    case .floating(let values): values.count
    case .integral(let values): values.count
    }
  }

  /// Every element as an integer: the integral storage itself, or float values converted as `Cast` converts
  /// them to int64.
  var integers: [Int64] {
    switch storage {
    case .floating(let values): values.map { ElementConversion.integer(from: $0, to: .int64) }
    case .integral(let values): values
    }
  }

  /// A tensor that already holds rounded or wrapped values: no conversion pass (the kernels use it for
  /// results they built element by element from values of the same dtype).
  init(dtype: DType, shape: [Int], storage: Storage) {
    self.dtype = dtype
    self.shape = shape
    self.storage = storage
  }
}

extension ReferenceTensor: CustomStringConvertible {
  /// `f32[2,3] [1.0, 2.0, ...]` with at most 16 values: enough to read a small result in a failed test.
  public var description: String {
    let values: [String]
    switch storage {
    case .floating(let v): values = v.prefix(16).map { "\($0)" }
    case .integral(let v): values = v.prefix(16).map { "\($0)" }
    }
    let more = elementCount > 16 ? ", ..." : ""
    return
      "\(dtype.rawValue)[\(shape.map(String.init).joined(separator: ","))] [\(values.joined(separator: ", "))\(more)]"
  }
}
