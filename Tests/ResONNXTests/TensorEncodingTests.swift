import Foundation
import ResIR
import Testing

@testable import ResONNX

/// Every element type through every encoding ONNX has for tensor data.
@Suite struct TensorEncodingTests {
  enum Encoding: String, CaseIterable, Sendable {
    case rawData
    case typedField
    case externalData
  }

  /// Values every element type can hold exactly.
  static func sample(_ dtype: DType) -> [Double] {
    switch dtype {
    case .bool: [1, 0, 1, 1]
    case .uint8: [1, 2, 250, 0]
    case .float32, .float16, .float64, .int64, .int32, .int8:
      [1, -2, 3.5, 0].map { dtype.isInteger ? $0.rounded(.towardZero) : $0 }
    }
  }

  static func onnxType(_ dtype: DType) -> Onnx_TensorProto.DataType {
    Onnx_TensorProto.DataType(rawValue: ONNXDataType.code(of: dtype)) ?? .undefined
  }

  /// The little-endian bytes of `values` as `dtype`, built independently of the importer.
  static func littleEndian(_ values: [Double], as dtype: DType) -> [UInt8] {
    values.flatMap { v -> [UInt8] in
      switch dtype {
      case .float32: Tensors.littleEndianBytes(Float(v))
      case .float16: Tensors.littleEndianBytes(Float16(v).bitPattern)
      case .float64: Tensors.littleEndianBytes(v)
      case .int64: Tensors.littleEndianBytes(Int64(v))
      case .int32: Tensors.littleEndianBytes(Int32(v))
      case .int8: Tensors.littleEndianBytes(Int8(v))
      case .uint8: Tensors.littleEndianBytes(UInt8(v))
      case .bool: [v != 0 ? 1 : 0]
      }
    }
  }

  static func typedTensor(_ values: [Double], as dtype: DType) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = "w"
    tensor.dataType = Int32(ONNXDataType.code(of: dtype))
    tensor.dims = [2, 2]
    switch dtype {
    case .float32: tensor.floatData = values.map { Float($0) }
    case .float64: tensor.doubleData = values
    case .int64: tensor.int64Data = values.map { Int64($0) }
    case .float16: tensor.int32Data = values.map { Int32(Float16($0).bitPattern) }
    case .int32, .int8, .uint8, .bool: tensor.int32Data = values.map { Int32($0) }
    }
    return tensor
  }

  /// A model whose only output is the initializer `w`, written to `folder`.
  static func modelPath(
    _ tensor: Onnx_TensorProto, in folder: TemporaryFolder, dtype: DType
  ) throws -> String {
    var model = TestModel()
    model.initializer(tensor)
    model.output("w", onnxType(dtype), [2, 2])
    return try folder.write(model.bytes, to: "model.onnx")
  }

  @Test(arguments: DType.allCases, Encoding.allCases)
  func decodesEveryElementTypeInEveryEncoding(dtype: DType, encoding: Encoding) throws {
    let folder = try TemporaryFolder()
    let values = Self.sample(dtype)
    let bytes = Self.littleEndian(values, as: dtype)
    var tensor: Onnx_TensorProto
    switch encoding {
    case .rawData:
      tensor = Tensors.raw("w", Self.onnxType(dtype), dims: [2, 2], bytes: bytes)
    case .typedField:
      tensor = Self.typedTensor(values, as: dtype)
    case .externalData:
      // Data at an offset behind unrelated bytes, so that offset handling is exercised.
      try folder.write(Array(repeating: 0xEE, count: 16) + bytes + [0xEE], to: "weights.bin")
      tensor = Tensors.raw("w", Self.onnxType(dtype), dims: [2, 2], bytes: [])
      tensor.clearRawData()
      tensor.dataLocation = .external
      tensor.externalData = [
        entry("location", "weights.bin"), entry("offset", "16"), entry("length", "\(bytes.count)"),
      ]
    }
    let path = try Self.modelPath(tensor, in: folder, dtype: dtype)
    let imported = try ONNXImporter.importModel(at: path)
    let constant = try imported.constant("w")
    #expect(constant.dtype == dtype)
    #expect(constant.dims == [2, 2])
    #expect(constant.doubles() == values.map { dtype == .float16 ? Double(Float16($0)) : $0 })
    #expect(constant.bytes.withUnsafeBytes { Array($0) } == bytes)
  }

  @Test func rawDataIsBorrowedFromTheMappedFileNotCopied() throws {
    let folder = try TemporaryFolder()
    let path = try Self.modelPath(
      Tensors.floats("w", dims: [2, 2], [1, 2, 3, 4]), in: folder, dtype: .float32)
    let loaded = try LoadedModel.load(path: path)
    let imported = try ONNXImporter.importModel(loaded, options: .init())
    let constant = try imported.constant("w")
    let file = loaded.file.bytes
    let weight = constant.bytes.withUnsafeBytes { $0 }
    let fileStart = try #require(file.baseAddress)
    let weightStart = try #require(weight.baseAddress)
    #expect(weightStart >= fileStart && weightStart + weight.count <= fileStart + file.count)
  }

  @Test func emptyTensorNeedsNoData() throws {
    var model = TestModel()
    model.initializer(Tensors.raw("w", .float, dims: [0, 3], bytes: []))
    model.output("w")
    let constant = try model.imported().constant("w")
    #expect(constant.dims == [0, 3])
    #expect(constant.elementCount == 0)
  }

  // MARK: - Malformed tensors

  static func errorFor(_ tensor: Onnx_TensorProto) -> ModelError? {
    var model = TestModel()
    model.initializer(tensor)
    model.output(tensor.name)
    return model.importError()
  }

  @Test func rawDataOfTheWrongSizeIsAnError() throws {
    let error = try #require(Self.errorFor(Tensors.raw("w", .float, dims: [2, 2], bytes: [0, 0, 0, 0])))
    #expect(error.message == "initializer 'w': raw_data holds 4 bytes, expected 16 (4 float elements)")
  }

  @Test func typedFieldWithTooFewValuesIsAnError() throws {
    var tensor = Self.typedTensor([1, 2, 3], as: .float32)
    tensor.dims = [2, 2]
    let error = try #require(Self.errorFor(tensor))
    #expect(error.message == "initializer 'w': float_data holds 3 values, expected 4")
  }

  @Test func typedDataInTheWrongFieldIsAnError() throws {
    var tensor = Self.typedTensor([1, 2, 3, 4], as: .float32)
    tensor.floatData = []
    tensor.int64Data = [1, 2, 3, 4]
    let error = try #require(Self.errorFor(tensor))
    #expect(error.message.contains("must store its values in float_data"))
  }

  @Test func rawAndTypedDataTogetherIsAnError() throws {
    var tensor = Tensors.floats("w", dims: [1], [1])
    tensor.floatData = [1]
    let error = try #require(Self.errorFor(tensor))
    #expect(error.message.contains("both raw_data and a typed field"))
  }

  @Test func missingDataIsAnError() throws {
    var tensor = Onnx_TensorProto()
    tensor.name = "w"
    tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    tensor.dims = [3]
    let error = try #require(Self.errorFor(tensor))
    #expect(error.message == "initializer 'w': no data (3 elements expected)")
  }

  @Test func negativeDimensionIsAnError() throws {
    let error = try #require(Self.errorFor(Tensors.raw("w", .float, dims: [2, -1], bytes: [])))
    #expect(error.message == "initializer 'w': dimension -1 is negative")
  }

  @Test func tensorClaimingTwoToTheFortyElementsIsRejectedBeforeAllocating() throws {
    let start = ContinuousClock.now
    let error = try #require(Self.errorFor(Tensors.raw("huge", .float, dims: [1 << 20, 1 << 20], bytes: [1, 2])))
    #expect(error.message.contains("more than 2^40 elements"))
    let overflowing = try #require(
      Self.errorFor(Tensors.raw("overflow", .float, dims: [1 << 40, 1 << 40, 1 << 40], bytes: [])))
    #expect(overflowing.message.contains("more than 2^40 elements"))
    #expect(ContinuousClock.now - start < .seconds(1))
  }

  @Test(arguments: [Onnx_TensorProto.DataType.bfloat16, .string, .uint16, .complex64])
  func unsupportedElementTypeNamesTheTensor(dtype: Onnx_TensorProto.DataType) throws {
    let error = try #require(Self.errorFor(Tensors.raw("weird", dtype, dims: [1], bytes: [0, 0])))
    #expect(error.message.hasPrefix("initializer 'weird': element type \(dtype) is not supported"))
  }

  @Test func segmentedTensorIsAnError() throws {
    var tensor = Tensors.floats("w", dims: [1], [1])
    tensor.segment.begin = 0
    tensor.segment.end = 1
    let error = try #require(Self.errorFor(tensor))
    #expect(error.message.contains("segmented"))
  }
}

func entry(_ key: String, _ value: String) -> Onnx_StringStringEntryProto {
  var entry = Onnx_StringStringEntryProto()
  entry.key = key
  entry.value = value
  return entry
}
