import ResCompiler

/// What the compile command does after each optimizer pass, while the optimizer runs: print the IR
/// (`--print-after`, `--print-after-all`) and measure the pass's numeric drift (`--verify-each`).
final class PassObserver {
  private let printAfter: PrintAfterArguments
  private let writer: DumpWriter
  private let verification: VerifyEachReport?
  /// Model changes made so far: they head every later IR print.
  private var modelChanges: [String] = []

  init(printAfter: PrintAfterArguments, writer: DumpWriter, verification: VerifyEachReport?) {
    self.printAfter = printAfter
    self.writer = writer
    self.verification = verification
  }

  func observe(_ run: PassRun, _ graph: Graph) throws(ModelError) {
    modelChanges += run.modelChanges
    if printAfter.wants(run.name) { printIR(after: run, graph) }
    try verification?.check(run, graph)
  }

  /// `// after pass 5/8 batchnorm-folding: 9 applied, 0 declined` and the text IR, to standard error or
  /// DIR/after-05-batchnorm-folding.ir.
  private func printIR(after run: PassRun, _ graph: Graph) {
    let header = "// after pass \(run.index)/\(run.passCount) \(run.name): \(run.appliedCount) applied, "
      + "\(run.declinedCount) declined\n"
    let text = header + graph.rendered(as: .text, modelChanges: modelChanges)
    writer.write(text, fileName: "after-\(run.paddedIndex)-\(run.name).ir", otherwise: .standardError)
  }
}
