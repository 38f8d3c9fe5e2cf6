import Foundation
import ResIR
import Testing

@testable import ResONNX

/// Mutated fixture models (every fixture in turn) go through the importer: each must import, verify and
/// print, or be refused with a one-line ModelError. A crash kills the test process; a mutant slower than
/// `slowestAllowed` fails the test (a hang never finishes, which CI's time limit catches).
///
/// CI runs `defaultIterations` mutants; more by hand:
///
///     RESCOMPILE_FUZZ_ITERATIONS=100000 RESCOMPILE_FUZZ_SEED=42 swift test -c release --filter ImporterFuzzTests
///
/// Each mutant's generator is seeded from the seed and its iteration, so one iteration can be replayed on its
/// own with `RESCOMPILE_FUZZ_START=<iteration> RESCOMPILE_FUZZ_ITERATIONS=1`. With `RESCOMPILE_FUZZ_DUMP=<file>`
/// every mutant is written to the file before it is imported, so after a crash the file holds the culprit.
@Suite struct ImporterFuzzTests {
  static let defaultIterations = 2000
  static let defaultSeed: UInt64 = 0x5EED_F022
  static let slowestAllowed = Duration.seconds(2)

  struct Settings {
    var iterations = ImporterFuzzTests.defaultIterations
    var seed = ImporterFuzzTests.defaultSeed
    var start = 0
    var dumpPath: String?

    /// The settings from the environment; a variable that is set but not a number is an error, never
    /// silently the default.
    static func fromEnvironment(_ environment: [String: String]) throws -> Settings {
      func number(_ name: String) throws -> UInt64? {
        guard let text = environment[name] else { return nil }
        let value = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let value else { throw InvalidSetting(description: "\(name)=\(text) is not a number") }
        return value
      }
      var settings = Settings()
      if let iterations = try number("RESCOMPILE_FUZZ_ITERATIONS") { settings.iterations = Int(iterations) }
      if let seed = try number("RESCOMPILE_FUZZ_SEED") { settings.seed = seed }
      if let start = try number("RESCOMPILE_FUZZ_START") { settings.start = Int(start) }
      settings.dumpPath = environment["RESCOMPILE_FUZZ_DUMP"]
      return settings
    }
  }

  struct InvalidSetting: Error, CustomStringConvertible {
    var description: String
  }

  /// Every fixture model in MANIFEST.json, read once.
  static func seedModels() throws -> [FuzzSeedModel] {
    try FixtureManifest.load().fixtures.map { fixture in
      let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture.modelPath)))
      return FuzzSeedModel(name: fixture.name, folder: fixture.folder, bytes: bytes)
    }
  }

  /// The generator of one iteration: independent of every other iteration, so any one can be replayed.
  static func generator(seed: UInt64, iteration: Int) -> SplitMix64 {
    var mixer = SplitMix64(seed: seed ^ (UInt64(iteration) &* 0x9E37_79B9_7F4A_7C15))
    return SplitMix64(seed: mixer.next())
  }

  /// Imports one mutant; a graph must verify and print.
  static func importMutant(_ bytes: [UInt8], baseDirectory: String) -> (error: ModelError?, problem: String?) {
    do {
      let graph = try ONNXImporter.importModel(bytes: bytes, baseDirectory: baseDirectory).graph
      do {
        try Verifier.verify(graph)
      } catch {
        return (nil, "imported, but the graph does not verify: \(error)")
      }
      return (nil, TextFormat.print(graph).isEmpty ? "imported, but the text form is empty" : nil)
    } catch {
      return (error, nil)
    }
  }

  @Test func mutatedFixturesImportOrFailCleanly() throws {
    let settings = try Settings.fromEnvironment(ProcessInfo.processInfo.environment)
    let models = try Self.seedModels()
    try #require(models.count >= 20, "only \(models.count) fixture models to mutate")
    let mutator = ModelMutator(models: models)
    print(
      "fuzz: seed 0x\(String(settings.seed, radix: 16)), iterations \(settings.start)..<\(settings.start + settings.iterations)"
    )
    var report = FuzzReport()
    let clock = ContinuousClock()
    for iteration in settings.start..<(settings.start + settings.iterations) {
      var random = Self.generator(seed: settings.seed, iteration: iteration)
      let index = iteration % models.count
      let mutant = mutator.mutant(of: index, &random)
      let origin = FuzzReport.Origin(iteration: iteration, model: models[index].name, mutation: mutant.kind)
      if let dumpPath = settings.dumpPath {
        try Data(mutant.bytes).write(to: URL(fileURLWithPath: dumpPath))
      }
      let started = clock.now
      let outcome = Self.importMutant(mutant.bytes, baseDirectory: models[index].folder)
      report.record(origin, error: outcome.error, duration: clock.now - started)
      if let problem = outcome.problem { report.recordProblem(origin, problem) }
    }
    print("fuzz: seed 0x\(String(settings.seed, radix: 16))\n" + report.text)
    #expect(report.problems.isEmpty, "\(report.problems.count) problems:\n\(report.problems.joined(separator: "\n"))")
    if let slowest = report.slowest {
      #expect(slowest.duration < Self.slowestAllowed, "\(slowest.origin.description) took \(slowest.duration)")
    }
  }
}
