/// A graph input or output of a plan: its name, element type and (fixed) shape.
public struct TensorDescription: Sendable, Hashable, Codable, CustomStringConvertible {
  public var name: String
  public var elementType: ElementType
  public var shape: [Int]

  public init(name: String, elementType: ElementType, shape: [Int]) {
    self.name = name
    self.elementType = elementType
    self.shape = shape
  }

  /// `input: f32[1,3,224,224]`.
  public var description: String { "\(name): \(elementType.rawValue)\(ShapeText.of(shape))" }

  enum CodingKeys: String, CodingKey {
    case name
    case elementType = "dtype"
    case shape
  }
}

/// A buffer a step reads or writes, as `inspect` shows it.
public struct BufferSummary: Sendable, Hashable, Codable {
  public enum Storage: String, Sendable, Hashable, Codable {
    case arena
    case constant
  }

  public var index: Int
  public var name: String
  public var elementType: ElementType
  public var shape: [Int]
  public var storage: Storage
  /// Byte offset in the arena or the constant section.
  public var offset: Int
  public var bytes: Int

  enum CodingKeys: String, CodingKey {
    case index, name
    case elementType = "dtype"
    case shape, storage, offset, bytes
  }
}

/// One step of a plan: its kernel, the method the runtime chose for it, and the buffers it reads and writes.
public struct StepSummary: Sendable, Hashable, Codable {
  public var index: Int
  public var name: String
  public var kernel: String
  /// How this runtime computes the step where its kernel has several ways (`Winograd F(4x4,3x3)`, `pointwise
  /// GEMM`...), as `bench --profile` labels it; nil for a kernel with one. Absent from the JSON when nil.
  public var method: String?
  public var inputs: [BufferSummary]
  public var outputs: [BufferSummary]
}

/// Everything `rescompile inspect` shows about a plan, in a structure the command line renders as text or
/// JSON. Encoded with `JSONEncoder`, the keys follow the CLI's JSON contract (DESIGN.md §8): `steps` (each
/// with `kernel`, `inputs`, `outputs`), `arena_bytes`, `constant_bytes`.
public struct PlanSummary: Sendable, Hashable, Codable {
  public var formatVersion: Int
  public var producer: String
  public var modelName: String
  public var sourceFingerprint: String
  public var compileOptions: String
  /// The CPU features the plan's header requires (`avx2`, `fma`...).
  public var requiredFeatures: [String]
  public var inputs: [TensorDescription]
  public var outputs: [TensorDescription]
  public var steps: [StepSummary]
  public var arenaBytes: Int
  /// What the arena would take without reusing memory (reported by the compiler).
  public var naiveArenaBytes: Int
  public var constantBytes: Int
  public var sourceNodeCount: Int

  enum CodingKeys: String, CodingKey {
    case formatVersion = "format_version"
    case producer
    case modelName = "model_name"
    case sourceFingerprint = "source_fingerprint"
    case compileOptions = "compile_options"
    case requiredFeatures = "required_features"
    case inputs, outputs, steps
    case arenaBytes = "arena_bytes"
    case naiveArenaBytes = "naive_arena_bytes"
    case constantBytes = "constant_bytes"
    case sourceNodeCount = "source_node_count"
  }
}

extension BufferSummary {
  init(_ buffer: PlanBuffer) {
    let (storage, offset): (Storage, Int) =
      switch buffer.storage {
      case .arena(let offset): (.arena, offset)
      case .constant(let offset): (.constant, offset)
      }
    self.init(
      index: buffer.index, name: buffer.name, elementType: buffer.elementType, shape: buffer.shape, storage: storage,
      offset: offset, bytes: buffer.byteCount)
  }
}
