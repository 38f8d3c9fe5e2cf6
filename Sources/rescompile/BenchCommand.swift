import ArgumentParser
import ResCompiler
import ResRuntime

/// `rescompile bench PLAN|MODEL.onnx [--threads N] [--warmup N] [--iterations N] [--profile [--top N]]
/// [--format text|json]`: times runs on seeded inputs, after warm-up runs, and reports the load and compile times
/// too; `--profile` then times every step (`Runner.profile`) and reports where the time goes.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time a plan (or a model compiled in memory) on seeded inputs.",
    discussion: """
      Examples:
        # 3 warm-up runs, then 20 timed runs
        rescompile bench model.resplan
        rescompile bench model.resplan --threads 2 --iterations 100
        # Compile in memory without the optimizer; JSON for scripts
        rescompile bench model.onnx -O0 --format json
        rescompile bench dynamic.onnx --dim batch=8
        # Where the time goes: steps grouped by kernel, then the 20 slowest steps
        rescompile bench model.resplan --profile --top 20

      JSON keys: median_ms, min_ms, max_ms, mean_ms, p90_ms, samples_ms, iterations, warmup, threads, steps,
      arena_bytes, constant_bytes, load_ms, and for a model import_ms and compile_ms. Inputs are seeded
      pseudo-random values (floats in [-1, 1), integers 0 to 2), the same on every run and machine.

      --profile runs the plan again (the same warm-up and timed runs) reading the clock around every step,
      and prints the steps grouped by kernel and the --top slowest steps: name, kernel, output shape, median
      time, share of the summed step medians, and GFLOP/s for convolution, Gemm and MatMul. In JSON the
      "profile" key holds run_median_ms, step_total_ms, kernels (kernel, steps, ms, percent, gflop_per_s) and
      every step in plan order (index, name, kernel, shape, median_ms, percent, flop, gflop_per_s). The timed
      runs above stay free of the per-step clock reads.
      """
  )

  @Argument(help: "A plan, or an ONNX model to compile in memory.")
  var file: String

  @Option(parsing: .unconditional, help: ArgumentHelp("Untimed runs before timing.", valueName: "N"))
  var warmup: Int = 3

  @Option(parsing: .unconditional, help: ArgumentHelp("Timed runs.", valueName: "N"))
  var iterations: Int = 20

  @Option(help: "text for people, json for scripts.")
  var format: ReportFormat = .text

  @Flag(help: "Also time every step and report where the time goes.")
  var profile = false

  @Option(parsing: .unconditional, help: ArgumentHelp("Slowest steps the --profile text lists.", valueName: "N"))
  var top: Int = 15

  @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the generated inputs.", valueName: "N"))
  var seed: UInt64 = 0

  @OptionGroup var compilation: CompilationArguments
  @OptionGroup var execution: ExecutionArguments

  func validate() throws {
    guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0, not \(warmup)") }
    guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1, not \(iterations)") }
    guard top >= 0 else { throw ValidationError("--top must be at least 0, not \(top)") }
  }

  func run() throws {
    if RunnableFile.isPlanFile(file) { try compilation.refuseForPlan(file) }
    let setup = try Diagnostics.exitOnFileError(path: file) { try prepare() }
    let plan = setup.plan
    let (timings, stepProfile) = try Diagnostics.exitOnFileError(path: file) {
      let runner = try Runner(plan, threads: execution.threads)
      let inputs = try SeededTensors.make(for: plan.inputs, seed: seed)
      let timings = try Benchmark(warmup: warmup, iterations: iterations).measure(runner, inputs: inputs)
      let stepProfile = profile ? try runner.profile(inputs, warmup: warmup, iterations: iterations) : nil
      return (timings, stepProfile)
    }
    let report = BenchReport(
      file: file, kind: setup.importMilliseconds == nil ? "plan" : "model",
      compileOptions: setup.importMilliseconds == nil ? plan.summary.compileOptions : compilation.label,
      threads: execution.threads, warmup: warmup, iterations: iterations, steps: plan.stepCount,
      arenaBytes: plan.arenaBytes, constantBytes: plan.constantBytes, importMilliseconds: setup.importMilliseconds,
      compileMilliseconds: setup.compileMilliseconds, loadMilliseconds: setup.loadMilliseconds, timings: timings,
      profile: stepProfile.map { ProfileReport(profile: $0, top: top) })
    switch format {
    case .text: OutputStream.standardOutput.write(report.text + (report.profile.map { "\n" + $0.text } ?? ""))
    case .json: OutputStream.standardOutput.write(try JSONText.render(report))
    }
  }

  /// A loaded plan and how long getting it took, phase by phase.
  private struct Setup {
    var plan: Plan
    var importMilliseconds: Double?
    var compileMilliseconds: Double?
    var loadMilliseconds: Double
  }

  /// Loads the plan, or imports, compiles and loads the model, timing each phase.
  private func prepare() throws -> Setup {
    let clock = ContinuousClock()
    var start = clock.now
    func lap() -> Double {
      defer { start = clock.now }
      return Benchmark.milliseconds(clock.now - start)
    }
    if RunnableFile.isPlanFile(file) {
      let plan = try Plan(contentsOf: file)
      return Setup(plan: plan, loadMilliseconds: lap())
    }
    let model = try LoadedModel(contentsOf: file, options: compilation.importOptions)
    let importTime = lap()
    let compiled = try model.compile(options: compilation.options)
    let compileTime = lap()
    let plan = try compiled.loaded()
    return Setup(plan: plan, importMilliseconds: importTime, compileMilliseconds: compileTime, loadMilliseconds: lap())
  }
}
