import ResIR
import ResReference
import Testing

/// Attribute values and data a malicious or broken model could carry: each is a `ModelError` naming the node
/// (or, where ONNX defines a meaning, a correct result), never a trap or a runaway allocation.
@Suite struct HostileInputTests {
  /// A one-node graph on `%x: f32[2,3]` whose node is `node` (named "n") with result type `output`.
  private func failure(_ node: String, output: String = "f32[?,?]", extra: String = "", mentioning fragment: String)
    throws
  {
    let opType = String(node.prefix { $0 != " " })
    try expectFailure(
      """
      graph "hostile" {
        input %x: f32[2,3]
      \(extra)
        %y = \(node) : \(output)
        return %y
      }
      """, ["x": ramp([2, 3])], node: "n", opType: opType, mentioning: fragment)
  }

  @Test func oversizedShapesAreRefused() throws {
    try failure(
      #"ConstantOfShape "n" (@s) {value=f32 0.0}"#, extra: "  const @s: i64[2] = [1048576, 1048576]",
      mentioning: "more than the reference evaluator's limit")
    try failure(
      #"Expand "n" (%x, @s)"#, output: "f32[?,?,?]", extra: "  const @s: i64[3] = [4611686018427387904, 2, 3]",
      mentioning: "negative or oversized dimension")
    try failure(
      #"Reshape "n" (%x, @s) {allowzero=0}"#, extra: "  const @s: i64[2] = [1099511627776, 1099511627776]",
      mentioning: "not a valid dimension")
    try failure(
      #"Pad "n" (%x, _) {mode=constant, pads=[0,0,9223372036854775807,0]}"#, mentioning: "remove more than axis 0")
    try failure(
      #"Split "n" (%x) {axis=1, split=[9223372036854775807,9223372036854775807,2]}"#, output: "f32[2,1]",
      mentioning: "do not add up")
  }

  @Test func extremeAttributesAreRefused() throws {
    try failure(#"Softmax "n" (%x) {axis=9223372036854775807, coerced_2d=0}"#, mentioning: "out of range for rank 2")
    try failure(#"Flatten "n" (%x) {axis=-9223372036854775808}"#, mentioning: "out of range for rank 2")
    try failure(#"Unsqueeze "n" (%x) {axes=[9223372036854775807]}"#, mentioning: "out of range for rank 3")
    try failure(#"Transpose "n" (%x) {perm=[1,9223372036854775807]}"#, mentioning: "is not a permutation")
    try failure(
      #"Gather "n" (%x, @i) {axis=1}"#, extra: "  const @i: i64[1] = [-9223372036854775808]",
      mentioning: "out of range for axis 1")
  }

  @Test func hugeGroupCountAndWindowSizeAreErrors() throws {
    try expectFailure(
      """
      graph "conv" {
        input %x: f32[1,0,3]
        input %w: f32[1,0,1]
        %y = Conv "n" (%x, %w) {dilations=[1], group=9223372036854775807, kernel_shape=[1], pads=[0,0], strides=[1]} : f32[1,1,3]
        return %y
      }
      """, ["x": f32([1, 0, 3], []), "w": f32([1, 0, 1], [])], node: "n", opType: "Conv",
      mentioning: "do not fit group 9223372036854775807")
    try expectFailure(
      """
      graph "lrn" {
        input %x: f32[1,2,3]
        %y = LRN "n" (%x) {alpha=0.1, beta=0.5, bias=1.0, size=9223372036854775807} : f32[1,2,3]
        return %y
      }
      """, ["x": ramp([1, 2, 3])], node: "n", opType: "LRN", mentioning: "size must be between")
  }

  /// A 2^30-wide pooling window over a 1-long axis: only the taps that land somewhere are visited.
  @Test func hugePoolingWindowStaysCheap() throws {
    let y = try Reference.run(
      """
      graph "pool" {
        input %x: f32[1,1,1]
        %y = MaxPool "n" (%x) {ceil_mode=0, dilations=[1], kernel_shape=[1073741824], pads=[1073741823,0], strides=[1]} : f32[1,1,1]
        %z = AveragePool "a" (%x) {ceil_mode=0, count_include_pad=1, dilations=[1], kernel_shape=[1073741824], pads=[1073741823,0], strides=[1]} : f32[1,1,1]
        return %y, %z
      }
      """, ["x": f32([1, 1, 1], [3])])
    #expect(y == [f32([1, 1, 1], [3]), f32([1, 1, 1], [3.0 / 1_073_741_824])])
  }

  /// Slice steps and bounds at the ends of Int64 select correctly.
  @Test func extremeSliceStepsSelectOneElement() throws {
    let y = try Reference.run(
      """
      graph "slice" {
        input %x: f32[5]
        const @starts: i64[1] = [-1]
        const @ends: i64[1] = [-9223372036854775808]
        const @steps: i64[1] = [-9223372036854775808]
        %y = Slice "n" (%x, @starts, @ends, _, @steps) : f32[1]
        return %y
      }
      """, ["x": ramp([5])])
    #expect(y == [f32([1], [4])])
  }
}
