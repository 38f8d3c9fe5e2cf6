/// Lane numbers as a vector, for masks of a partial vector's missing lanes (`index .>= Float(valid)`).
///
/// Float lanes because a float comparison is one vector instruction; the same comparison on `SIMD16<Int32>`
/// compiled to a loop over the lanes through memory, which took a third of a softmax row.
public enum VectorLanes {
  public static let index = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
}
