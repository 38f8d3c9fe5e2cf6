import Foundation
import ResIR
import Testing

@testable import ResONNX

/// Files that are not (whole) ONNX models give one clear error, never a crash.
@Suite struct FileErrorTests {
  static func importError(path: String) -> ModelError? {
    do {
      _ = try ONNXImporter.importModel(at: path)
      return nil
    } catch {
      return error
    }
  }

  static func importError(bytes: [UInt8]) -> ModelError? {
    do {
      _ = try ONNXImporter.importModel(bytes: bytes, baseDirectory: nil)
      return nil
    } catch {
      return error
    }
  }

  /// A valid model with a weight large enough that cutting the file lands inside it.
  static var modelWithWeights: TestModel {
    var model = TestModel()
    model.input("x", .float, [4])
    model.initializer(Tensors.floats("w", dims: [4], [1, 2, 3, 4]))
    model.initializer(Tensors.floats("big", dims: [256], Array(repeating: 0.5, count: 256)))
    model.node("Add", ["x", "w"], ["y"])
    model.output("y", .float, [4])
    return model
  }

  @Test func emptyFile() throws {
    let folder = try TemporaryFolder()
    let path = try folder.write([], to: "empty.onnx")
    let error = try #require(Self.importError(path: path))
    #expect(error.message == "file is empty")
    #expect(error.node == nil)
  }

  @Test func missingFile() throws {
    let folder = try TemporaryFolder()
    let error = try #require(Self.importError(path: folder.path + "/absent.onnx"))
    #expect(error.message.contains("cannot open"))
    #expect(error.message.contains("No such file"))
  }

  @Test func directoryInsteadOfFile() throws {
    let folder = try TemporaryFolder()
    let error = try #require(Self.importError(path: folder.path))
    #expect(error.message.contains("not a regular file"))
  }

  @Test func truncatedModel() throws {
    let bytes = Self.modelWithWeights.bytes
    for cut in [bytes.count - 1, bytes.count / 2, 7] {
      let error = try #require(Self.importError(bytes: Array(bytes.prefix(cut))), "cut at \(cut)")
      #expect(error.message.hasPrefix("not an ONNX model"), "cut at \(cut): \(error.message)")
    }
  }

  @Test func randomBytes() throws {
    var generator = SplitMix64(seed: 0x5EED)
    for length in [1, 16, 1000, 100_000] {
      let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      let error = try #require(Self.importError(bytes: bytes), "length \(length)")
      #expect(error.message.hasPrefix("not an ONNX model"), "length \(length): \(error.message)")
      #expect(error.node == nil)
    }
  }

  @Test func protobufThatIsNotAModel() throws {
    var tensor = Onnx_TensorProto()
    tensor.dims = [3]
    tensor.name = "t"
    let asTensor = try #require(Self.importError(bytes: try tensor.serializedBytes()))
    #expect(asTensor.message.hasPrefix("not an ONNX model"))

    var graphless = Onnx_ModelProto()
    graphless.irVersion = 8
    graphless.producerName = "nothing"
    let noGraph = try #require(Self.importError(bytes: try graphless.serializedBytes()))
    #expect(noGraph.message == "not an ONNX model: the protobuf has no graph")
  }

  @Test func validModelImports() throws {
    let imported = try Self.modelWithWeights.imported()
    #expect(imported.graph.nodes.count == 1)
    #expect(imported.producerName == "rescompile-tests")
    #expect(imported.opsetVersion == 17)
    #expect(imported.irVersion == 8)
  }
}

/// Damaged files: every outcome must be a graph or a `ModelError`; a crash fails the whole test run.
@Suite struct DamagedFileTests {
  /// A small model touching many code paths: Conv with weights, BN, pooling, Reshape with a shape constant.
  static var model: TestModel {
    var model = TestModel(opset: 13)
    model.input("x", .float, [1, 2, 6, 6])
    model.initializer(Tensors.floats("w", dims: [2, 2, 3, 3], (0..<36).map { Float($0) / 10 }))
    for name in ["scale", "bias", "mean", "var"] { model.initializer(Tensors.floats(name, dims: [2], [1, 2])) }
    model.initializer(Tensors.int64s("shape", [1, -1]))
    model.node(
      "Conv", ["x", "w"], ["c"], name: "conv", [Attr.ints("pads", [1, 1, 1, 1]), Attr.ints("kernel_shape", [3, 3])])
    model.node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["b"], name: "bn")
    model.node(
      "MaxPool", ["b"], ["p"], name: "pool", [Attr.ints("kernel_shape", [2, 2]), Attr.ints("strides", [2, 2])])
    model.node("Reshape", ["p", "shape"], ["y"], name: "flatten")
    model.output("y", .float, [1, 18])
    return model
  }

  @Test func everyPrefixIsRejectedCleanly() throws {
    let bytes = Self.model.bytes
    #expect(throws: Never.self) { _ = try ONNXImporter.importModel(bytes: bytes, baseDirectory: nil) }
    for length in 0..<bytes.count {
      #expect(throws: ModelError.self) {
        _ = try ONNXImporter.importModel(bytes: Array(bytes.prefix(length)), baseDirectory: nil)
      }
    }
  }

  @Test func randomByteDamageNeverCrashes() {
    let original = Self.model.bytes
    var generator = SplitMix64(seed: 0xDA_4A6E)
    var rejected = 0
    for _ in 0..<2000 {
      var bytes = original
      for _ in 0..<(1 + Int(generator.next() % 4)) {
        let position = Int(generator.next() % UInt64(bytes.count))
        bytes[position] = UInt8(truncatingIfNeeded: generator.next())
      }
      do {
        _ = try ONNXImporter.importModel(bytes: bytes, baseDirectory: nil)
      } catch {
        rejected += 1
      }
    }
    // Most damage is detected; some (a changed weight value, a renamed node) is not, and need not be.
    #expect(rejected > 200)
  }
}
