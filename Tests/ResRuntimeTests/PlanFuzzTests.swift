import ResPlan
import Testing

@testable import ResRuntime

/// Mutates the metadata of valid plans thousands of times (re-encoding with correct checksums so that the
/// mutants reach validation) and loads each one: every mutant is either rejected with an error or loads and
/// runs on zero inputs without crashing (run-time errors such as a gather index out of range are fine).
@Suite struct PlanFuzzTests {
  /// Mutants whose arena is larger than this are loaded but not run, to keep the test fast.
  static let largestArenaToRun: UInt64 = 16 << 20

  struct Outcome {
    var rejected = 0
    var ran = 0
    var failedWhileRunning = 0
  }

  @Test(arguments: [("classifier", 0 as UInt64), ("mixed", 1), ("ranked", 2)])
  func mutantsAreRejectedOrRun(_ name: String, _ sample: UInt64) throws {
    let base: PlanBuilder
    switch sample {
    case 0: base = SamplePlans.convolutionalClassifier()
    case 1: base = SamplePlans.mixedKernels()
    default: base = SamplePlans.rankedSelection()
    }
    var random = SeededGenerator(seed: 0xF00D + sample)
    var outcome = Outcome()
    for iteration in 0..<1500 {
      var builder = base
      let mutations = Int.random(in: 1...3, using: &random)
      for _ in 0..<mutations { Mutator.mutate(&builder.metadata, &random) }
      var bytes = builder.bytes()
      if iteration % 5 == 0 { bytes = Mutator.damageEncodedMetadata(bytes, &random) }
      try Self.load(bytes, &outcome)
    }
    // Both outcomes must actually happen, or the loop tested nothing.
    #expect(outcome.rejected > 100, "\(name): \(outcome)")
    #expect(outcome.ran > 100, "\(name): \(outcome)")
  }

  static func load(_ bytes: [UInt8], _ outcome: inout Outcome) throws {
    let plan: Plan
    do {
      plan = try Plan(bytes: bytes)
    } catch {
      #expect(error.kind == .invalidPlan, "\(error.message)")
      #expect(!error.message.isEmpty)
      outcome.rejected += 1
      return
    }
    guard UInt64(plan.arenaBytes) <= largestArenaToRun else { return }
    do {
      let runner = try Runner(plan, threads: 2)
      _ = try runner.run(try SamplePlans.zeroInputs(plan))
      outcome.ran += 1
    } catch {
      outcome.failedWhileRunning += 1
    }
  }
}

/// Random edits of plan metadata: structural fields set to nearby, boundary or extreme values.
enum Mutator {
  static let extremes: [Int64] = [0, 1, -1, 2, 3, 7, 64, 1 << 20, 1 << 31, Int64(Int32.max), 1 << 62, .max, .min]

  static func value(_ random: inout SeededGenerator, near current: Int64) -> Int64 {
    switch Int.random(in: 0..<4, using: &random) {
    case 0: return extremes.randomElement(using: &random) ?? 0
    case 1: return current &+ Int64.random(in: -3...3, using: &random)
    case 2: return current &* 2
    default: return Int64.random(in: 0...16, using: &random)
    }
  }

  static func mutate(_ metadata: inout Rescompile_Plan_PlanMetadata, _ random: inout SeededGenerator) {
    switch Int.random(in: 0..<10, using: &random) {
    case 0...2: mutateBuffer(&metadata, &random)
    case 3...6: mutateStep(&metadata, &random)
    case 7: metadata.arenaBytes = UInt64(bitPattern: value(&random, near: Int64(bitPattern: metadata.arenaBytes)))
    case 8:
      if !metadata.inputs.isEmpty {
        let index = Int.random(in: 0..<metadata.inputs.count, using: &random)
        metadata.inputs[index].buffer = UInt32(truncatingIfNeeded: value(&random, near: Int64(metadata.inputs[index].buffer)))
      }
    default:
      if !metadata.outputs.isEmpty {
        let index = Int.random(in: 0..<metadata.outputs.count, using: &random)
        metadata.outputs[index].buffer = UInt32(truncatingIfNeeded: value(&random, near: Int64(metadata.outputs[index].buffer)))
      }
    }
  }

  static func mutateBuffer(_ metadata: inout Rescompile_Plan_PlanMetadata, _ random: inout SeededGenerator) {
    let index = Int.random(in: 0..<metadata.buffers.count, using: &random)
    var buffer = metadata.buffers[index]
    switch Int.random(in: 0..<7, using: &random) {
    case 6: buffer.layout = buffer.layout == .channelsLast ? .rowMajor : .channelsLast
    case 0:
      if !buffer.shape.isEmpty {
        let axis = Int.random(in: 0..<buffer.shape.count, using: &random)
        buffer.shape[axis] = value(&random, near: buffer.shape[axis])
      }
    case 1: buffer.dtype = Rescompile_Plan_DataType(rawValue: Int.random(in: 0...9, using: &random)) ?? .f32
    case 2:
      switch buffer.storage {
      case .arenaOffset(let offset):
        buffer.arenaOffset = UInt64(bitPattern: value(&random, near: Int64(bitPattern: offset)))
      case .constantOffset(let offset):
        buffer.constantOffset = UInt64(bitPattern: value(&random, near: Int64(bitPattern: offset)))
      case nil: buffer.arenaOffset = 0
      }
    case 3:
      if Bool.random(using: &random) { buffer.shape.append(value(&random, near: 1)) } else if !buffer.shape.isEmpty {
        buffer.shape.removeLast()
      }
    case 4: buffer.storage = Bool.random(using: &random) ? nil : .constantOffset(0)
    default:
      // Point at another buffer's bytes.
      let other = metadata.buffers[Int.random(in: 0..<metadata.buffers.count, using: &random)]
      buffer.storage = other.storage
    }
    metadata.buffers[index] = buffer
  }

  static func mutateStep(_ metadata: inout Rescompile_Plan_PlanMetadata, _ random: inout SeededGenerator) {
    let index = Int.random(in: 0..<metadata.steps.count, using: &random)
    var step = metadata.steps[index]
    let bufferCount = Int64(metadata.buffers.count)
    switch Int.random(in: 0..<6, using: &random) {
    case 0:
      if !step.inputs.isEmpty {
        let position = Int.random(in: 0..<step.inputs.count, using: &random)
        step.inputs[position] = UInt32(truncatingIfNeeded: Int64.random(in: 0...(bufferCount + 1), using: &random))
      }
    case 1:
      if !step.outputs.isEmpty {
        let position = Int.random(in: 0..<step.outputs.count, using: &random)
        step.outputs[position] = UInt32(truncatingIfNeeded: Int64.random(in: 0...(bufferCount + 1), using: &random))
      }
    case 2:
      if Bool.random(using: &random) || step.inputs.isEmpty {
        step.inputs.append(UInt32(Int64.random(in: 0..<bufferCount, using: &random)))
      } else {
        step.inputs.removeLast()
      }
    case 3: step.kernel = KernelID.allCases.randomElement(using: &random)?.rawValue ?? step.kernel
    default: mutateParams(&step, &random)
    }
    metadata.steps[index] = step
  }

  /// Edits one integer-list or scalar parameter of the step's parameter message.
  static func mutateParams(_ step: inout Rescompile_Plan_Step, _ random: inout SeededGenerator) {
    func edit(_ list: inout [Int64]) {
      if list.isEmpty || Int.random(in: 0..<5, using: &random) == 0 {
        list.append(value(&random, near: 1))
      } else {
        let position = Int.random(in: 0..<list.count, using: &random)
        list[position] = value(&random, near: list[position])
      }
    }
    switch step.params {
    case .conv(var params):
      switch Int.random(in: 0..<5, using: &random) {
      case 0: edit(&params.kernelShape)
      case 1: edit(&params.strides)
      case 2: edit(&params.dilations)
      case 3: edit(&params.pads)
      default: params.group = value(&random, near: params.group)
      }
      step.params = .conv(params)
    case .pool(var params):
      switch Int.random(in: 0..<4, using: &random) {
      case 0: edit(&params.kernelShape)
      case 1: edit(&params.strides)
      case 2: edit(&params.pads)
      default: params.kind = Rescompile_Plan_PoolParams.Kind(rawValue: Int.random(in: 0...3, using: &random)) ?? .max
      }
      step.params = .pool(params)
    case .copy(var params):
      switch Int.random(in: 0..<5, using: &random) {
      case 0: edit(&params.shape)
      case 1: edit(&params.srcStrides)
      case 2: edit(&params.dstStrides)
      case 3: params.srcOffset = value(&random, near: params.srcOffset)
      default: params.dstOffset = value(&random, near: params.dstOffset)
      }
      step.params = .copy(params)
    case .pad(var params):
      edit(&params.pads)
      step.params = .pad(params)
    case .gather(var params):
      params.axis = value(&random, near: params.axis)
      step.params = .gather(params)
    case .softmax(var params):
      params.axis = value(&random, near: params.axis)
      params.coerced2D.toggle()
      step.params = .softmax(params)
    case .gemm(var params):
      params.transA.toggle()
      step.params = .gemm(params)
    case .recurrent(var params):
      params.hiddenSize = value(&random, near: params.hiddenSize)
      step.params = .recurrent(params)
    case .layerNorm(var params):
      if Bool.random(using: &random) {
        params.axis = value(&random, near: params.axis)
      } else {
        params.hasResidual_p.toggle()
      }
      step.params = .layerNorm(params)
    case .reduceMean(var params):
      edit(&params.axes)
      step.params = .reduceMean(params)
    case .channelAffine(var params):
      switch Int.random(in: 0..<3, using: &random) {
      case 0: params.axis = value(&random, near: params.axis)
      case 1: params.epilogue.hasResidual_p.toggle()
      default: params.epilogue.hasBias_p.toggle()
      }
      step.params = .channelAffine(params)
    case .lrn(var params):
      params.size = value(&random, near: params.size)
      step.params = .lrn(params)
    case .scatterNd(var params):
      let raw = Int.random(in: 0...6, using: &random)
      params.reduction = Rescompile_Plan_ScatterNDParams.Reduction(rawValue: raw) ?? .none
      step.params = .scatterNd(params)
    case .gatherElements(var params):
      params.axis = value(&random, near: params.axis)
      step.params = .gatherElements(params)
    case .cumSum(var params):
      params.axis = value(&random, near: params.axis)
      params.reverse.toggle()
      step.params = .cumSum(params)
    case .trilu(var params):
      params.k = value(&random, near: params.k)
      params.upper.toggle()
      step.params = .trilu(params)
    case .resize(var params):
      if params.scales.isEmpty { params.scales = [1] }
      params.scales[0] = Float(value(&random, near: Int64(params.scales[0])))
      step.params = .resize(params)
    case .argReduce(var params):
      params.axis = value(&random, near: params.axis)
      params.max.toggle()
      step.params = .argReduce(params)
    case .topK(var params):
      params.axis = value(&random, near: params.axis)
      params.largest.toggle()
      step.params = .topK(params)
    case .matmul, .unary, .binary, .where, .gatedSkip, .cast, .fill, .reorder, nil:
      step.params = nil
    }
  }

  /// Flips, inserts or deletes bytes of the encoded metadata and re-assembles the file with correct
  /// checksums, so the damage reaches the protobuf decoder.
  static func damageEncodedMetadata(_ file: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
    let header = file.withUnsafeBytes { try? PlanHeader(parsing: $0) }
    guard let header else { return file }
    let start = Int(header.metadataOffset)
    var metadata = Array(file[start..<(start + Int(header.metadataLength))])
    let constants = Array(file[Int(header.constantsOffset)...])
    for _ in 0..<Int.random(in: 1...4, using: &random) where !metadata.isEmpty {
      let position = Int.random(in: 0..<metadata.count, using: &random)
      switch Int.random(in: 0..<3, using: &random) {
      case 0: metadata[position] ^= UInt8.random(in: 1...255, using: &random)
      case 1: metadata.insert(UInt8.random(in: 0...255, using: &random), at: position)
      default: metadata.remove(at: position)
      }
    }
    return PlanFile.assemble(
      metadata: metadata, constants: constants, producer: header.producer, requiredFeatures: header.requiredFeatures)
  }
}
