import ResIR

/// One label of an einsum equation: a letter, or one of the dimensions an ellipsis stands for.
///
/// The dimensions of `...` are numbered from the outermost dimension of the broadcast ellipsis (the longest
/// one among the operands): an operand whose ellipsis covers fewer dimensions holds the innermost ones, aligned
/// from the right as numpy broadcasting aligns shapes.
enum EinsumLabel: Hashable, CustomStringConvertible {
  case letter(Character)
  case ellipsis(Int)

  var description: String {
    switch self {
    case .letter(let letter): "'\(letter)'"
    case .ellipsis(let index): "'...' dimension \(index)"
    }
  }
}

/// A parsed ONNX `Einsum` equation with its ellipses expanded: the label of every dimension of every operand
/// and of the output.
///
/// The grammar is ONNX's (numpy's): terms of letters separated by commas, optionally `->` and the output term;
/// lower- and upper-case letters are distinct labels; whitespace anywhere is ignored; each term may hold one
/// `...`, which stands for the operand's leading dimensions not otherwise labelled. Without `->` the output is
/// the ellipsis dimensions followed by the letters that appear exactly once, in ASCII order (upper case before
/// lower case, as numpy, the ONNX reference implementation, orders them).
///
/// Parsing needs the operand ranks, known at import, to expand the ellipses; it refuses what no lowering
/// supports (a label repeated within one term), so every equation that parses has distinct labels per term.
struct EinsumEquation: Equatable {
  /// The equation as the model spells it: error messages quote it.
  let text: String
  /// The labels of each operand's dimensions, outermost first.
  let operands: [[EinsumLabel]]
  /// The labels of the output's dimensions, outermost first.
  let output: [EinsumLabel]

  init(_ text: String, operandRanks: [Int]) throws(ModelError) {
    self.text = text
    let compact = String(text.filter { !$0.isWhitespace })
    try Self.checkCharacters(compact, equation: text)
    let sides = compact.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
    guard sides.count <= 2 else { throw Self.error(text, "'->' appears more than once") }
    let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard terms.count == operandRanks.count else {
      throw Self.error(text, "\(terms.count) operand term(s) for \(operandRanks.count) input(s)")
    }
    var parsed: [Term] = []
    for term in terms { parsed.append(try Term(term, equation: text)) }
    let ellipsisRanks = try Self.ellipsisRanks(parsed, operandRanks: operandRanks, equation: text)
    let broadcastRank = ellipsisRanks.max() ?? 0
    operands = zip(parsed, ellipsisRanks).map { term, rank in
      term.labels(ellipsis: Array((broadcastRank - rank)..<broadcastRank))
    }
    for (position, labels) in operands.enumerated() {
      try Self.checkNoDiagonal(labels, operand: position, equation: text)
    }
    output =
      sides.count == 2
      ? try Self.explicitOutput(sides[1], operands: operands, broadcastRank: broadcastRank, equation: text)
      : Self.implicitOutput(operands, broadcastRank: broadcastRank)
  }

  /// A `ModelError` about `equation`, which the importer re-raises naming the node.
  static func error(_ equation: String, _ message: String) -> ModelError {
    ModelError("Einsum '\(equation)': \(message)")
  }

  // MARK: - Parsing

  /// One term as written: the letters before and after its `...`, if it has one.
  private struct Term {
    var leading: [Character] = []
    var trailing: [Character] = []
    var hasEllipsis = false

    init(_ text: String, equation: String) throws(ModelError) {
      var characters = Array(text)[...]
      while let character = characters.popFirst() {
        if character == "." {
          guard characters.prefix(2) == [".", "."] else {
            throw EinsumEquation.error(equation, "a '.' in term '\(text)' is not part of '...'")
          }
          guard !hasEllipsis else { throw EinsumEquation.error(equation, "term '\(text)' has more than one '...'") }
          characters.removeFirst(2)
          hasEllipsis = true
        } else if hasEllipsis {
          trailing.append(character)
        } else {
          leading.append(character)
        }
      }
    }

    var letterCount: Int { leading.count + trailing.count }

    var spelling: String { String(leading) + (hasEllipsis ? "..." : "") + String(trailing) }

    /// The term's labels with its `...` (if any) standing for the ellipsis dimensions `ellipsis`.
    func labels(ellipsis: [Int]) -> [EinsumLabel] {
      let middle = hasEllipsis ? ellipsis.map(EinsumLabel.ellipsis) : []
      return leading.map(EinsumLabel.letter) + middle + trailing.map(EinsumLabel.letter)
    }
  }

  /// Only ASCII letters, `,`, `.` and the arrow may remain once whitespace is gone; a lone `-` or `>` is caught
  /// here too, because splitting at `->` leaves it in place.
  private static func checkCharacters(_ compact: String, equation: String) throws(ModelError) {
    let arrowless = compact.split(separator: "->", omittingEmptySubsequences: false).joined()
    for character in arrowless where !(character.isASCII && character.isLetter) && !",.".contains(character) {
      throw error(equation, "'\(character)' is not a label (labels are the letters a-z and A-Z)")
    }
  }

  /// How many dimensions each operand's `...` stands for: its rank less its letters. A term without `...`
  /// must label every dimension.
  private static func ellipsisRanks(
    _ terms: [Term], operandRanks: [Int], equation: String
  ) throws(ModelError) -> [Int] {
    var ranks: [Int] = []
    for (position, (term, rank)) in zip(terms, operandRanks).enumerated() {
      let spare = rank - term.letterCount
      guard term.hasEllipsis ? spare >= 0 : spare == 0 else {
        let labels = term.hasEllipsis ? "\(term.letterCount) labels besides '...'" : "\(term.letterCount) labels"
        throw error(equation, "operand \(position + 1) has rank \(rank), but its term '\(term.spelling)' has \(labels)")
      }
      ranks.append(term.hasEllipsis ? spare : 0)
    }
    return ranks
  }

  // MARK: - Checks

  /// A label repeated within one operand's term takes a diagonal (`ii->i`) or a trace (`ii`): no chain of
  /// Transpose, Reshape and MatMul computes either.
  private static func checkNoDiagonal(_ labels: [EinsumLabel], operand: Int, equation: String) throws(ModelError) {
    if let repeated = firstRepeated(labels) {
      throw error(
        equation,
        "a label repeated within one operand (a diagonal) is not supported: \(repeated) in operand \(operand + 1)")
    }
  }

  // MARK: - Output

  /// The output term's labels, each distinct and an operand's.
  private static func explicitOutput(
    _ term: String, operands: [[EinsumLabel]], broadcastRank: Int, equation: String
  ) throws(ModelError) -> [EinsumLabel] {
    let output = try Term(term, equation: equation).labels(ellipsis: Array(0..<broadcastRank))
    if let repeated = firstRepeated(output) {
      throw error(equation, "output label \(repeated) appears more than once")
    }
    let inputLabels = Set(operands.joined())
    if let orphan = output.first(where: { !inputLabels.contains($0) }) {
      throw error(equation, "output label \(orphan) appears in no operand")
    }
    return output
  }

  private static func firstRepeated(_ labels: [EinsumLabel]) -> EinsumLabel? {
    var seen: Set<EinsumLabel> = []
    return labels.first { !seen.insert($0).inserted }
  }

  /// The ellipsis dimensions, then every letter that appears exactly once, in ASCII order.
  private static func implicitOutput(_ operands: [[EinsumLabel]], broadcastRank: Int) -> [EinsumLabel] {
    var counts: [Character: Int] = [:]
    for case .letter(let letter) in operands.joined() { counts[letter, default: 0] += 1 }
    let once = counts.keys.filter { counts[$0] == 1 }.sorted { $0.asciiValue ?? 0 < $1.asciiValue ?? 0 }
    return (0..<broadcastRank).map(EinsumLabel.ellipsis) + once.map(EinsumLabel.letter)
  }
}
