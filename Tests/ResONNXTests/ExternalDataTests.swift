import Foundation
import ResIR
import Testing

@testable import ResONNX

/// External data: where the importer may read from, and how it checks ranges.
@Suite struct ExternalDataTests {
  static let weightBytes = [Float(1), 2, 3, 4].flatMap(Tensors.littleEndianBytes)

  static func externalTensor(location: String, offset: Int? = nil, length: Int? = nil) -> Onnx_TensorProto {
    var tensor = Tensors.raw("w", .float, dims: [4], bytes: [])
    tensor.clearRawData()
    tensor.dataLocation = .external
    tensor.externalData = [entry("location", location)]
    if let offset { tensor.externalData.append(entry("offset", "\(offset)")) }
    if let length { tensor.externalData.append(entry("length", "\(length)")) }
    return tensor
  }

  static func model(_ tensor: Onnx_TensorProto) -> TestModel {
    var model = TestModel()
    model.initializer(tensor)
    model.output("w")
    return model
  }

  /// Imports a model stored at `modelFolder/model.onnx`.
  static func importFromFolder(_ tensor: Onnx_TensorProto, modelFolder: String) throws(ModelError) -> ImportedModel {
    let path = modelFolder + "/model.onnx"
    guard FileManager.default.createFile(atPath: path, contents: Data(model(tensor).bytes)) else {
      throw ModelError("test setup: cannot write \(path)")
    }
    return try ONNXImporter.importModel(at: path)
  }

  static func errorFromFolder(_ tensor: Onnx_TensorProto, modelFolder: String) -> ModelError? {
    do {
      _ = try importFromFolder(tensor, modelFolder: modelFolder)
      return nil
    } catch {
      return error
    }
  }

  @Test func dataFileInTheModelsFolder() throws {
    let folder = try TemporaryFolder()
    try folder.write(Self.weightBytes, to: "w.bin")
    let constant = try Self.importFromFolder(Self.externalTensor(location: "w.bin"), modelFolder: folder.path)
      .constant("w")
    #expect(constant.doubles() == [1, 2, 3, 4])
  }

  @Test func dataFileInASubfolder() throws {
    let folder = try TemporaryFolder()
    try folder.write([0, 0, 0, 0] + Self.weightBytes, to: "data/weights/w.bin")
    let tensor = Self.externalTensor(location: "data/weights/w.bin", offset: 4, length: 16)
    let constant = try Self.importFromFolder(tensor, modelFolder: folder.path).constant("w")
    #expect(constant.doubles() == [1, 2, 3, 4])
  }

  @Test func bytesImportReadsExternalDataFromTheGivenBaseDirectory() throws {
    let folder = try TemporaryFolder()
    try folder.write(Self.weightBytes, to: "w.bin")
    let model = Self.model(Self.externalTensor(location: "w.bin"))
    #expect(try model.imported(baseDirectory: folder.path).constant("w").doubles() == [1, 2, 3, 4])
    let error = try #require(model.importError(baseDirectory: nil))
    #expect(error.message.contains("without a base directory"))
  }

  @Test func parentDirectoryEscapeIsRefused() throws {
    let root = try TemporaryFolder()
    try root.write(Self.weightBytes, to: "outside.bin")
    try FileManager.default.createDirectory(atPath: root.path + "/model", withIntermediateDirectories: true)
    let error = try #require(
      Self.errorFromFolder(Self.externalTensor(location: "../outside.bin"), modelFolder: root.path + "/model"))
    #expect(error.message.contains("outside the model's folder"))
  }

  @Test func absolutePathIsRefused() throws {
    let folder = try TemporaryFolder()
    let file = try folder.write(Self.weightBytes, to: "w.bin")
    let error = try #require(Self.errorFromFolder(Self.externalTensor(location: file), modelFolder: folder.path))
    #expect(error.message.contains("is an absolute path"))
  }

  @Test func symlinkLeavingTheFolderIsRefused() throws {
    let root = try TemporaryFolder()
    let outside = try root.write(Self.weightBytes, to: "secret.bin")
    try FileManager.default.createDirectory(atPath: root.path + "/model", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: root.path + "/model/link.bin", withDestinationPath: outside)
    let error = try #require(
      Self.errorFromFolder(Self.externalTensor(location: "link.bin"), modelFolder: root.path + "/model"))
    #expect(error.message.contains("outside the model's folder"))
  }

  @Test func symlinkStayingInsideTheFolderIsAllowed() throws {
    let folder = try TemporaryFolder()
    let target = try folder.write(Self.weightBytes, to: "real/w.bin")
    try FileManager.default.createSymbolicLink(atPath: folder.path + "/link.bin", withDestinationPath: target)
    let constant = try Self.importFromFolder(Self.externalTensor(location: "link.bin"), modelFolder: folder.path)
      .constant("w")
    #expect(constant.doubles() == [1, 2, 3, 4])
  }

  @Test func offsetPastTheEndIsAnError() throws {
    let folder = try TemporaryFolder()
    try folder.write(Self.weightBytes, to: "w.bin")
    let error = try #require(
      Self.errorFromFolder(Self.externalTensor(location: "w.bin", offset: 17), modelFolder: folder.path))
    #expect(error.message.contains("past the end"))
  }

  @Test func lengthPastTheEndIsAnError() throws {
    let folder = try TemporaryFolder()
    try folder.write(Self.weightBytes, to: "w.bin")
    let error = try #require(
      Self.errorFromFolder(Self.externalTensor(location: "w.bin", offset: 8, length: 16), modelFolder: folder.path))
    #expect(error.message.contains("runs past the end"))
  }

  @Test func fileTooShortWithoutLengthIsAnError() throws {
    let folder = try TemporaryFolder()
    try folder.write(Array(Self.weightBytes.prefix(12)), to: "w.bin")
    let error = try #require(Self.errorFromFolder(Self.externalTensor(location: "w.bin"), modelFolder: folder.path))
    #expect(error.message.contains("16 bytes of external data expected"))
  }

  @Test func lengthDisagreeingWithTheShapeIsAnError() throws {
    let folder = try TemporaryFolder()
    try folder.write(Self.weightBytes + Self.weightBytes, to: "w.bin")
    let error = try #require(
      Self.errorFromFolder(Self.externalTensor(location: "w.bin", length: 32), modelFolder: folder.path))
    #expect(error.message.contains("length is 32 bytes, expected 16"))
  }

  @Test func missingFileIsAnError() throws {
    let folder = try TemporaryFolder()
    let error = try #require(Self.errorFromFolder(Self.externalTensor(location: "nope.bin"), modelFolder: folder.path))
    #expect(error.message.contains("'nope.bin' cannot be opened"))
  }

  @Test func malformedOffsetIsAnError() throws {
    let folder = try TemporaryFolder()
    try folder.write(Self.weightBytes, to: "w.bin")
    var tensor = Self.externalTensor(location: "w.bin")
    tensor.externalData.append(entry("offset", "-4"))
    let error = try #require(Self.errorFromFolder(tensor, modelFolder: folder.path))
    #expect(error.message.contains("not a non-negative integer"))
  }
}
