import ResIR

/// A serialized ModelProto split in two: the structure (everything but the initializers' `raw_data`
/// payloads, re-encoded) and where each initializer's `raw_data` sits in the original bytes.
///
/// This is how the importer reaches zero-copy weights with swift-protobuf, which copies every `bytes` field it
/// decodes. Decoding the structure touches a few hundred kilobytes even for ResNet-50; the weights are never
/// read at import time, and each constant borrows its range of the mapped file. The re-encoding only rewrites
/// the length prefixes of the messages that lost bytes (the graph and each initializer); every other field is
/// copied verbatim, so the decoded structure is exactly the original model minus those payloads.
struct ModelLayout {
  /// The model without initializer `raw_data`, ready for `Onnx_ModelProto(serializedBytes:)`.
  var structure: [UInt8]
  /// For each initializer, in the order the decoded `GraphProto.initializer` lists them: the byte range of its
  /// `raw_data` payload in the original buffer, or nil when it had none.
  var rawData: [Range<Int>?]

  // Field numbers from onnx.proto.
  private static let modelGraph: UInt64 = 7
  private static let graphInitializer: UInt64 = 5
  private static let tensorRawData: UInt64 = 9

  init(scanning bytes: UnsafeRawBufferPointer) throws(ModelError) {
    structure = []
    rawData = []
    structure.reserveCapacity(min(bytes.count, 1 << 20))
    var model = WireFormat.FieldReader(bytes, range: 0..<bytes.count)
    while let field = try model.next() {
      // A repeated occurrence of `graph` is merged by protobuf, initializers concatenated in order; handling
      // each occurrence in turn keeps `rawData` aligned with the merged list.
      if field.number == Self.modelGraph, field.wireType == .lengthDelimited {
        let graph = try strippedGraph(bytes, field.payload)
        WireFormat.appendLengthDelimitedHeader(number: field.number, length: graph.count, to: &structure)
        structure.append(contentsOf: graph)
      } else {
        structure.append(contentsOf: bytes[field.whole])
      }
    }
  }

  private mutating func strippedGraph(
    _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>
  ) throws(ModelError) -> [UInt8] {
    var output: [UInt8] = []
    var graph = WireFormat.FieldReader(bytes, range: range)
    while let field = try graph.next() {
      if field.number == Self.graphInitializer, field.wireType == .lengthDelimited {
        let (tensor, payload) = try strippedTensor(bytes, field.payload)
        rawData.append(payload)
        WireFormat.appendLengthDelimitedHeader(number: field.number, length: tensor.count, to: &output)
        output.append(contentsOf: tensor)
      } else {
        output.append(contentsOf: bytes[field.whole])
      }
    }
    return output
  }

  /// The tensor without its `raw_data` fields, and the last one's payload (protobuf keeps the last value of a
  /// repeated scalar field).
  private func strippedTensor(
    _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>
  ) throws(ModelError) -> ([UInt8], Range<Int>?) {
    var output: [UInt8] = []
    var payload: Range<Int>?
    var tensor = WireFormat.FieldReader(bytes, range: range)
    while let field = try tensor.next() {
      if field.number == Self.tensorRawData, field.wireType == .lengthDelimited {
        payload = field.payload
      } else {
        output.append(contentsOf: bytes[field.whole])
      }
    }
    return (output, payload)
  }
}
