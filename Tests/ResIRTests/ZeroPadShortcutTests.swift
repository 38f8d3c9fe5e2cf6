import ResIR
import ResTestSupport
import Testing

/// `ZeroPadShortcut`: the stride rule (ceil semantics), the weight `[0; I; 0]`, and its refusals.
@Suite struct ZeroPadShortcutTests {
  @Test(arguments: [
    (7, 4, 2), (8, 4, 2), (32, 16, 2), (4, 2, 2), (7, 3, 3), (10, 4, 3), (5, 1, 5), (1, 1, 1), (6, 6, 1),
  ])
  func strideTakesTheSkipToTheMainSize(_ skip: Int, _ main: Int, _ stride: Int) {
    #expect(ZeroPadShortcut.stride(from: skip, to: main) == stride)
  }

  @Test(arguments: [(5, 4), (6, 4), (4, 8), (0, 0), (3, 0), (0, 3)])
  func noStrideGivesTheSize(_ skip: Int, _ main: Int) {
    #expect(ZeroPadShortcut.stride(from: skip, to: main) == nil)
  }

  /// The definition, checked exhaustively on small sizes: the stride is the smallest `s` with `⌈skip/s⌉ = main`
  /// (which is also the output size of a 1x1 convolution with stride `s` and no padding), and nil exactly
  /// when no `s` gives `main`.
  @Test func strideIsTheSmallestWithThatManySamples() {
    for skip in 1...48 {
      for main in 1...48 {
        let sampled = { (s: Int) in (skip + s - 1) / s }
        let smallest = (1...(skip + 1)).first { sampled($0) == main }
        let stride = ZeroPadShortcut.stride(from: skip, to: main)
        #expect(stride == smallest, "\(skip) → \(main)")
        if let stride { #expect((skip - 1) / stride + 1 == main, "a 1x1 conv with stride \(stride) on \(skip)") }
      }
    }
  }

  @Test func weightIsTheZeroPaddedIdentity() throws {
    let shortcut = try ZeroPadShortcut(inputChannels: 2, outputChannels: 5, channelOffset: 2, strides: [2, 2])
    let weight = try #require(shortcut.weight(.float32))
    #expect(weight.dims == [5, 2, 1, 1])
    #expect(weight.doubles() == [0, 0, 0, 0, 1, 0, 0, 1, 0, 0])
    #expect(shortcut.attributes == ConvAttributes(
      kernelShape: [1, 1], strides: [2, 2], dilations: [1, 1], padding: .explicit([0, 0, 0, 0]), group: 1))
    #expect(try #require(shortcut.weight(.float16)).doubles() == weight.doubles())
    #expect(try #require(shortcut.weight(.float64)).doubles() == weight.doubles())
    #expect(shortcut.weight(.int64) == nil)
  }

  @Test func refusesWhatIsNotAZeroPadProjection() {
    let cases: [(Int, Int, Int, [Int], String)] = [
      (8, 4, 0, [2, 2], "channels shrink from 8 to 4"),
      (4, 8, 5, [1, 1], "channels shrink"),
      (4, 8, -1, [1, 1], "channel offset -1 is negative"),
      (4, 8, 0, [0, 2], "strides [0,2] must be positive"),
      (0, 8, 0, [1, 1], "the skip path has 0 channels"),
      (1 << 12, 1 << 13, 0, [1, 1], "would have more than 16777216 elements"),
      (2, Int.max, Int.max - 1, [1, 1], "channels shrink"),
      (Int.max / 2, Int.max, 0, [1, 1], "would have more than"),
    ]
    for (input, output, offset, strides, phrase) in cases {
      #expect {
        _ = try ZeroPadShortcut(inputChannels: input, outputChannels: output, channelOffset: offset, strides: strides)
      } throws: { error in
        (error as? ShortcutRefusal)?.reason.contains(phrase) == true
      }
    }
  }
}

/// An Add or Sum whose operands cannot broadcast: shape inference's error names the skip operand, the strides
/// and the option that repairs it, or says why the option cannot (`ResidualMismatch`).
@Suite struct ResidualMismatchInferenceTests {
  @Test func theErrorNamesTheRepair() {
    let b = GraphBuilder()
    let main = b.input("f32[N,8,4,4]", name: "main")
    let skip = b.input("f32[N,4,7,7]", name: "skip")
    let error = modelError { _ = try b.value(.binary(.add), [main, skip], name: "block.add") }
    #expect(
      error?.description == "node 'block.add' (Add): operands [N,8,4,4] and [N,4,7,7] cannot broadcast (invalid "
        + "ONNX); if operand 2 is a residual skip path, --residual-mismatch zero-pad repairs it with ResNet's "
        + "parameter-free option-A shortcut: a 1x1 Conv with strides [2,2] and zero-padded identity weight "
        + "[8,4,1,1]")
  }

  @Test func theSkipIsTheOperandWithTheLargerImage() throws {
    let shapes: [([TensorType], Int, [Int], [Int])] = [
      ([.spelled("f32[1,8,4,4]"), .spelled("f32[1,4,8,8]")], 1, [2, 2], [8, 4, 1, 1]),
      ([.spelled("f32[1,4,8,8]"), .spelled("f32[1,8,4,4]")], 0, [2, 2], [8, 4, 1, 1]),
      ([.spelled("f32[1,4,8,8]"), .spelled("f32[1,8,8,8]")], 0, [1, 1], [8, 4, 1, 1]),
      ([.spelled("f32[1,8,8,6]"), .spelled("f32[1,8,4,2]")], 0, [2, 3], [8, 8, 1, 1]),
      ([.spelled("f32[1,16,1,1]"), .spelled("f32[1,2,5,5]")], 1, [5, 5], [16, 2, 1, 1]),
    ]
    for (operands, skip, strides, weight) in shapes {
      let mismatch = try #require(ResidualMismatch(operands: operands))
      let projection = try mismatch.repair.get()
      #expect(projection.skipSlot == skip)
      #expect(projection.shortcut.strides == strides)
      #expect(projection.shortcut.weightDims == weight)
    }
    #expect(ResidualMismatch(operands: [.spelled("f32[1,8,4,4]"), .spelled("f32[1,1,4,4]")]) == nil)
  }

  @Test(arguments: [
    ("Add", ["f32[1,16,8,8]", "f32[1,8,4,4]"], "channels shrink from 16 to 8 on the skip path"),
    ("Add", ["f32[1,4,7,7]", "f32[1,8,5,5]"], "no integer stride takes spatial axis 0 of the skip path (operand 1)"),
    ("Add", ["f32[1,4,8,4]", "f32[1,8,4,8]"], "neither operand's spatial size ([8,4] and [4,8])"),
    ("Add", ["f32[1,4,8]", "f32[1,8,4]"], "the operands have rank 3 and 3"),
    ("Add", ["i64[1,4,8,8]", "i64[1,8,4,4]"], "the operands are int64"),
    ("Add", ["f32[2,4,8,8]", "f32[3,8,4,4]"], "the batch sizes 2 and 3 differ"),
    ("Add", ["f32[1,4,H,W]", "f32[1,8,4,4]"], "operand 1 [1,4,H,W] has channel or spatial sizes that are not numbers"),
    ("Sum", ["f32[1,4,8,8]", "f32[1,8,4,4]", "f32[1,8,4,4]"], "there are 3 operands"),
  ])
  func theErrorSaysWhyTheRepairCannotApply(_ op: String, _ types: [String], _ reason: String) {
    let b = GraphBuilder()
    let operands = types.enumerated().map { b.input($1, name: "v\($0)") }
    let message = errorMessage { _ = try b.value(op == "Sum" ? .variadic(.sum) : .binary(.add), operands) }
    let expected = "cannot broadcast (invalid ONNX), and --residual-mismatch zero-pad cannot repair it: \(reason)"
    #expect(message?.contains(expected) == true, "\(message ?? "no error")")
  }
}
