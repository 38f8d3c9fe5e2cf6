import ResIR
import Testing

/// The parser never crashes on damaged input: every random mutation of a printed graph either parses (and
/// then prints stably) or throws a `TextParseError` pointing inside the text.
@Suite struct TextFormatMutationTests {
  static let mutationCount = 300

  @Test func randomMutationsParseOrThrow() {
    let original = TextFormat.print(DumpSampleGraphs.everyOp()) + TextFormat.print(DumpSampleGraphs.oddNames())
    let printed = TextFormat.print(DumpSampleGraphs.everyOp())
    var random = SplitMix64(seed: 0x5EED)
    var parsedCount = 0
    var failedCount = 0
    for round in 0..<Self.mutationCount {
      // Mostly mutate the every-op graph; sometimes the concatenation of two graphs (trailing text).
      var text = round % 10 == 0 ? original : printed
      for _ in 0...(random.next() % 3) { text = Self.mutate(text, &random) }
      let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
      do {
        let graph = try TextFormat.parse(text)
        let reprinted = TextFormat.print(graph)
        #expect((try? TextFormat.print(TextFormat.parse(reprinted))) == reprinted, "round \(round)")
        parsedCount += 1
      } catch {
        #expect((1...lineCount).contains(error.line), "round \(round): \(error)")
        #expect(error.column >= 1, "round \(round): \(error)")
        failedCount += 1
      }
    }
    // Both outcomes occur, so the test exercises the error paths and the success path.
    #expect(parsedCount > 0)
    #expect(failedCount > Self.mutationCount / 2)
  }

  private static let insertions: [String] = [
    "%", "@", "[", "]", "(", ")", "{", "}", ",", "=", ":", "?", "_", "-", "0", "9", "a", "Z", " ", "\n", "\"", "\\",
    "//", "é", "\u{0}", "nan", "epilogue(relu)", "99999999999999999999", "-1", "1e5", "residual", "f16",
  ]

  private static func mutate(_ text: String, _ random: inout SplitMix64) -> String {
    var scalars = Array(text.unicodeScalars)
    guard !scalars.isEmpty else { return insertions[Int(random.next() % UInt64(insertions.count))] }
    let at = Int(random.next() % UInt64(scalars.count))
    let insertion = Array(insertions[Int(random.next() % UInt64(insertions.count))].unicodeScalars)
    switch random.next() % 7 {
    case 0: scalars.remove(at: at)
    case 1: scalars.insert(contentsOf: insertion, at: at)
    case 2: scalars.replaceSubrange(at...at, with: insertion)
    case 3: scalars.removeSubrange(at...)
    default: return mutateLines(text, &random)
    }
    var result = ""
    result.unicodeScalars.append(contentsOf: scalars)
    return result
  }

  /// Deletes, duplicates or swaps whole lines: reorders definitions and uses.
  private static func mutateLines(_ text: String, _ random: inout SplitMix64) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let a = Int(random.next() % UInt64(lines.count))
    let b = Int(random.next() % UInt64(lines.count))
    switch random.next() % 3 {
    case 0: lines.remove(at: a)
    case 1: lines.insert(lines[a], at: b)
    default: lines.swapAt(a, b)
    }
    return lines.joined(separator: "\n")
  }
}
