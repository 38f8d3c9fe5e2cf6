import ResIR
import Testing

@testable import ResONNX

/// `EinsumEquation`, `EinsumRoles` and `EinsumLowering` without a graph: how equations parse (whitespace,
/// case, ellipses, implicit outputs), what each label becomes in the MatMul, which Transposes and Reshapes the
/// lowering keeps, and every refusal with its message.
@Suite struct EinsumEquationTests {
  private typealias Step = EinsumContraction.Step

  private static func letters(_ text: String) -> [EinsumLabel] {
    text.map(EinsumLabel.letter)
  }

  private static func ellipsis(_ indices: Int...) -> [EinsumLabel] {
    indices.map(EinsumLabel.ellipsis)
  }

  private static func dims(_ values: [Int]) -> [Dim] {
    values.map(Dim.known)
  }

  /// The message parsing or lowering `equation` for operands of `shapes` throws, or nil.
  private static func refusal(_ equation: String, _ shapes: [[Dim]]) -> String? {
    do {
      let parsed = try EinsumEquation(equation, operandRanks: shapes.map(\.count))
      _ = try EinsumLowering(parsed, shapes: shapes)
      return nil
    } catch {
      return error.message
    }
  }

  private static func contraction(_ equation: String, _ shapes: [[Dim]]) throws -> EinsumContraction {
    let lowering = try EinsumLowering(try EinsumEquation(equation, operandRanks: shapes.map(\.count)), shapes: shapes)
    guard case .contraction(let contraction) = lowering else {
      Issue.record("'\(equation)' is \(lowering), not a contraction")
      throw ModelError("not a contraction")
    }
    return contraction
  }

  // MARK: - Parsing

  @Test func parsesExplicitEquations() throws {
    let equation = try EinsumEquation("bij,bjk->bik", operandRanks: [3, 3])
    #expect(equation.operands == [Self.letters("bij"), Self.letters("bjk")])
    #expect(equation.output == Self.letters("bik"))
    #expect(equation.text == "bij,bjk->bik")
  }

  @Test func ignoresWhitespaceAndKeepsCase() throws {
    let equation = try EinsumEquation(" B G H I D, B G H J D -> B G H I J ", operandRanks: [5, 5])
    #expect(equation.operands == [Self.letters("BGHID"), Self.letters("BGHJD")])
    #expect(equation.output == Self.letters("BGHIJ"))
    let mixed = try EinsumEquation("aA,Ab->ab", operandRanks: [2, 2])
    #expect(mixed.operands[0] == [.letter("a"), .letter("A")])
    #expect(mixed.operands[0][0] != mixed.operands[1][0])
  }

  @Test func expandsEllipsesAlignedFromTheRight() throws {
    let equation = try EinsumEquation("...ij,...jk->...ik", operandRanks: [4, 3])
    #expect(equation.operands[0] == Self.ellipsis(0, 1) + Self.letters("ij"))
    #expect(equation.operands[1] == Self.ellipsis(1) + Self.letters("jk"))
    #expect(equation.output == Self.ellipsis(0, 1) + Self.letters("ik"))
    let middle = try EinsumEquation("a...b->ba...", operandRanks: [4])
    #expect(middle.operands[0] == [.letter("a")] + Self.ellipsis(0, 1) + [.letter("b")])
    #expect(middle.output == [.letter("b"), .letter("a")] + Self.ellipsis(0, 1))
    let empty = try EinsumEquation("...ij->...ji", operandRanks: [2])
    #expect(empty.operands[0] == Self.letters("ij") && empty.output == Self.letters("ji"))
  }

  @Test(arguments: [
    ("ij,jk", [2, 2], "ik"),
    ("ba", [2], "ab"),
    ("i,i", [1, 1], ""),
    ("bA", [2], "Ab"),
    ("Ba,aC", [2, 2], "BC"),
    ("ij", [2], "ij"),
  ] as [(String, [Int], String)])
  func implicitOutputsAreTheLabelsSeenOnceInASCIIOrder(_ text: String, _ ranks: [Int], _ output: String) throws {
    #expect(try EinsumEquation(text, operandRanks: ranks).output == Self.letters(output))
  }

  @Test func implicitOutputsStartWithTheEllipsis() throws {
    let equation = try EinsumEquation("...ij,...jk", operandRanks: [3, 4])
    #expect(equation.output == Self.ellipsis(0, 1) + Self.letters("ik"))
  }

  @Test(arguments: [
    ("ii->i", [2], "a label repeated within one operand (a diagonal) is not supported: 'i' in operand 1"),
    ("ij,jj->i", [2, 2], "a label repeated within one operand (a diagonal) is not supported: 'j' in operand 2"),
    ("...ii ->...i", [3], "a label repeated within one operand (a diagonal) is not supported: 'i' in operand 1"),
    ("ij->ik", [2], "output label 'k' appears in no operand"),
    ("ij->ii", [2], "output label 'i' appears more than once"),
    ("ij,jk", [2], "2 operand term(s) for 1 input(s)"),
    ("ij", [3], "operand 1 has rank 3, but its term 'ij' has 2 labels"),
    ("...ijk", [2], "operand 1 has rank 2, but its term '...ijk' has 3 labels besides '...'"),
    ("i.j", [2], "a '.' in term 'i.j' is not part of '...'"),
    ("......", [2], "term '......' has more than one '...'"),
    ("i1", [2], "'1' is not a label (labels are the letters a-z and A-Z)"),
    ("ij-j", [2], "'-' is not a label (labels are the letters a-z and A-Z)"),
    ("ij->j->i", [2], "'->' appears more than once"),
  ] as [(String, [Int], String)])
  func refusesMalformedEquations(_ text: String, _ ranks: [Int], _ message: String) {
    #expect(throws: ModelError("Einsum '\(text)': \(message)")) {
      try EinsumEquation(text, operandRanks: ranks)
    }
  }

  // MARK: - Roles

  @Test func classifiesTheLabelsOfAttention() throws {
    let roles = try EinsumRoles(try EinsumEquation("bhqd,bhkd->bhqk", operandRanks: [4, 4]))
    #expect(roles.batch == Self.letters("bh"))
    #expect(roles.contracted == Self.letters("d"))
    #expect(roles.leftKept == Self.letters("q"))
    #expect(roles.rightKept == Self.letters("k"))
  }

  @Test func keepsTheOutputsOrderAndTheLeftOperandsForContractedLabels() throws {
    let roles = try EinsumRoles(try EinsumEquation("dcba,cdef->feab", operandRanks: [4, 4]))
    #expect(roles.batch.isEmpty)
    #expect(roles.contracted == Self.letters("dc"))
    #expect(roles.leftKept == Self.letters("ab"))
    #expect(roles.rightKept == Self.letters("fe"))
  }

  @Test func broadcastDimensionsOneOperandLacksComeFirst() throws {
    let shorter = try EinsumRoles(try EinsumEquation("...ij,...jk->...ik", operandRanks: [4, 3]))
    #expect(shorter.batch == Self.ellipsis(0, 1))
    let interleaved = try EinsumRoles(try EinsumEquation("b...ij,b...jk->b...ik", operandRanks: [4, 5]))
    #expect(interleaved.batch == Self.ellipsis(0) + [.letter("b")] + Self.ellipsis(1))
  }

  @Test(arguments: [
    ("ij,jk->k", [2, 2], "'i' of operand 1 is in neither the output nor another operand"),
    ("ij,k->ik", [2, 1], "'j' of operand 1 is in neither the output nor another operand"),
    ("ij,jk->i", [2, 2], "'k' of operand 2 is in neither the output nor another operand"),
    ("ij->i", [2], "'j' of operand 1 is not in the output"),
    ("...i->i", [3], "'...' dimension 0 of operand 1 is not in the output"),
  ] as [(String, [Int], String)])
  func refusesSumsOverOneOperandsLabel(_ text: String, _ ranks: [Int], _ detail: String) {
    let shapes = ranks.map { [Dim](repeating: .known(2), count: $0) }
    #expect(
      Self.refusal(text, shapes)
        == "Einsum '\(text)': a sum over a label of only one operand is not supported: \(detail)")
  }

  // MARK: - Lowering

  @Test func oneOperandIsATransposeOrNothing() throws {
    let transpose = try EinsumLowering(try EinsumEquation("ij->ji", operandRanks: [2]), shapes: [Self.dims([2, 3])])
    #expect(transpose == .transpose(perm: [1, 0]))
    let ellipsis = try EinsumEquation("...ij->...ji", operandRanks: [4])
    #expect(try EinsumLowering(ellipsis, shapes: [Self.dims([1, 2, 3, 4])]) == .transpose(perm: [0, 1, 3, 2]))
    let same = try EinsumLowering(try EinsumEquation("ij->ij", operandRanks: [2]), shapes: [Self.dims([2, 3])])
    #expect(same == .identity)
    #expect(try EinsumLowering(try EinsumEquation("->", operandRanks: [0]), shapes: [[]]) == .identity)
  }

  @Test func maxVitsAttentionIsOneMatMulAndAtMostOneTranspose() throws {
    let scores = try Self.contraction(
      "B G H I D, B G H J D -> B G H I J", [Self.dims([1, 2, 4, 49, 32]), Self.dims([1, 2, 4, 49, 32])])
    #expect(scores == EinsumContraction(left: [], right: [.transpose(perm: [0, 1, 2, 4, 3])], result: []))
    let weighted = try Self.contraction(
      "B G H I J, B G H J D -> B G H I D", [Self.dims([1, 2, 4, 49, 49]), Self.dims([1, 2, 4, 49, 32])])
    #expect(weighted == EinsumContraction(left: [], right: [], result: []))
  }

  @Test(arguments: [
    ("bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]),
    ("ij,jk", [[3, 4], [4, 5]]),
    ("i,i->", [[5], [5]]),
    ("ij,j->i", [[3, 4], [4]]),
    ("j,jk->k", [[4], [4, 5]]),
    ("...ij,...jk->...ik", [[2, 1, 3, 4], [5, 4, 6]]),
    ("...ij,jk->...ik", [[2, 3, 4], [4, 5]]),
  ] as [(String, [[Int]])])
  func matMulShapedEquationsNeedNoOtherStep(_ text: String, _ shapes: [[Int]]) throws {
    #expect(try Self.contraction(text, shapes.map(Self.dims)) == EinsumContraction(left: [], right: [], result: []))
  }

  @Test func groupsSeveralLabelsWithReshapes() throws {
    let contraction = try Self.contraction("abcd,cde->abe", [Self.dims([2, 3, 4, 5]), Self.dims([4, 5, 6])])
    #expect(contraction.left == [.reshape(shape: [6, 20])])
    #expect(contraction.right == [.reshape(shape: [20, 6])])
    #expect(contraction.result == [.reshape(shape: [2, 3, 6])])
  }

  @Test func transposesTheResultToTheOutputsOrder() throws {
    let contraction = try Self.contraction("ij,jk->ki", [Self.dims([2, 3]), Self.dims([3, 4])])
    #expect(contraction == EinsumContraction(left: [], right: [], result: [.transpose(perm: [1, 0])]))
  }

  @Test func transposesOperandsToBatchKeptContracted() throws {
    let contraction = try Self.contraction("jbi,kjb->bki", [Self.dims([3, 2, 4]), Self.dims([5, 3, 2])])
    // Left: [j,b,i] → [b,i,j]; right: [k,j,b] → [b,j,k]; the product [b,i,k] → [b,k,i].
    #expect(contraction.left == [.transpose(perm: [1, 2, 0])])
    #expect(contraction.right == [.transpose(perm: [2, 1, 0])])
    #expect(contraction.result == [.transpose(perm: [0, 2, 1])])
  }

  @Test func vectorsAndOuterProductsGetTheUnitDimensionsTheyNeed() throws {
    let outer = try Self.contraction("i,j->ij", [Self.dims([2]), Self.dims([3])])
    #expect(outer == EinsumContraction(left: [.reshape(shape: [2, 1])], right: [.reshape(shape: [1, 3])], result: []))
    let batched = try Self.contraction("bij,bj->bi", [Self.dims([4, 2, 3]), Self.dims([4, 3])])
    #expect(batched.left.isEmpty)
    #expect(batched.right == [.reshape(shape: [0, 3, 1])])
    #expect(batched.result == [.reshape(shape: [0, 2])])
    let scalars = try Self.contraction(",->", [[], []])
    #expect(scalars == EinsumContraction(left: [.reshape(shape: [1])], right: [.reshape(shape: [1])], result: []))
  }

  @Test func symbolicSizesAreCopiedOrInferred() throws {
    let batch = try Self.contraction("bij,bjk->bik", [[.symbol("N"), 2, 3], [.symbol("N"), 3, 4]])
    #expect(batch == EinsumContraction(left: [], right: [], result: []))
    let grouped = try Self.contraction("abcd,cde->abe", [[.symbol("N"), 3, 4, 5], [4, 5, 6]])
    #expect(grouped.left == [.reshape(shape: [-1, 20])])
    #expect(grouped.right == [.reshape(shape: [20, 6])])
    #expect(grouped.result == [.reshape(shape: [-1, 3, 6])])
    let rowVector = try Self.contraction("bi,bij->bj", [[.symbol("N"), 3], [.symbol("N"), 3, .symbol("S")]])
    #expect(rowVector.left == [.reshape(shape: [0, 1, 3])])
    #expect(rowVector.right.isEmpty)
    #expect(rowVector.result == [.reshape(shape: [0, -1])])
  }

  @Test func aKnownSizeOnOneSideFillsInTheOther() throws {
    let contraction = try Self.contraction("abcd,cde->abe", [[2, 3, .unknown, 5], [4, 5, 6]])
    #expect(contraction.left == [.reshape(shape: [6, 20])])
  }

  @Test func refusesGroupsWithTwoUnknownSizes() {
    #expect(
      Self.refusal("abcd,cde->abe", [[.symbol("N"), 3, .symbol("M"), 5], [.symbol("M"), 5, 6]])
        == "Einsum 'abcd,cde->abe': reshaping operand 1 for the MatMul to [a·b=N·3, c·d=M·5] needs more than one "
        + "size that is not a number, and a Reshape infers only one")
    #expect(
      Self.refusal("ab,c->abc", [[.symbol("N"), .symbol("M")], [4]])
        == "Einsum 'ab,c->abc': reshaping the MatMul's result to [a=N, b=M, c=4] needs more than one size "
        + "that is not a number, and a Reshape infers only one")
  }

  @Test(arguments: [
    ("ij,jk", [[2, 3], [4, 5]], "label 'j' has size 3 in operand 1 but 4 in operand 2"),
    ("ij,jk", [[2, 1], [3, 5]], "label 'j' has size 1 in operand 1 but 3 in operand 2"),
    ("bij,bjk->bik", [[2, 2, 3], [3, 3, 4]], "label 'b' has size 2 in operand 1 but 3 in operand 2"),
  ] as [(String, [[Int]], String)])
  func refusesMismatchedSizes(_ text: String, _ shapes: [[Int]], _ message: String) {
    #expect(Self.refusal(text, shapes.map(Self.dims)) == "Einsum '\(text)': \(message)")
  }

  @Test func batchLabelsOfSizeOneBroadcast() throws {
    let contraction = try Self.contraction("bij,bjk->bik", [Self.dims([1, 2, 3]), Self.dims([5, 3, 4])])
    #expect(contraction == EinsumContraction(left: [], right: [], result: []))
  }

  @Test func refusesMoreThanTwoOperands() {
    #expect(
      Self.refusal("ij,jk,kl->il", [Self.dims([2, 2]), Self.dims([2, 2]), Self.dims([2, 2])])
        == "Einsum 'ij,jk,kl->il': 3 operands are not supported (one operand is a transpose, two a MatMul)")
  }
}
