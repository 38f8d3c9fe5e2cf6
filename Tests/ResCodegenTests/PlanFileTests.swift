import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// The produced file, read as a runtime reads it: header, checksummed sections, metadata fields.
@Suite struct PlanFileTests {
  @Test func headerAndMetadataRecordWhereThePlanCameFrom() throws {
    let b = GraphBuilder(name: "tiny")
    let y = try b.value(.unary(.sigmoid), [b.input("f32[2,2]", name: "pixels")], name: "gate")
    let options = CodegenOptions(
      producer: "rescompile 9.9.9", sourceFingerprint: "0123456789abcdef", compileOptions: "passes: none")
    let (generated, plan) = try compile(b, outputs: [y], options: options)
    #expect(plan.header.producer == "rescompile 9.9.9")
    #expect(plan.header.requiredFeatures == [])
    #expect(plan.header.constantsOffset % 64 == 0)
    let metadata = plan.metadata
    #expect(metadata.producer == "rescompile 9.9.9" && metadata.modelName == "tiny")
    #expect(metadata.sourceFingerprint == "0123456789abcdef" && metadata.compileOptions == "passes: none")
    #expect(metadata.sourceNodeCount == 1)
    #expect(metadata.inputs.map(\.name) == ["pixels"])
    #expect(metadata.buffers[Int(metadata.inputs[0].buffer)].dtype == .f32)
    #expect(metadata.buffers[Int(metadata.inputs[0].buffer)].shape == [2, 2])
    #expect(metadata.steps.map(\.name) == ["gate"])
    #expect(generated.summary.fileBytes == generated.bytes.count)
    #expect(generated.summary.stepCount == 1 && generated.summary.kernelCountsLine == "unary×1")
  }

  @Test func aCorruptedPlanIsRejectedByTheReader() throws {
    let b = GraphBuilder()
    let y = try b.value(.binary(.add), [b.input("f32[4]"), b.floats([1, 2, 3, 4], [4])])
    var bytes = try compile(b, outputs: [y]).generated.bytes
    bytes[bytes.count - 1] ^= 0xFF
    #expect(throws: PlanError.self) { _ = try DecodedPlan(bytes) }
  }

  @Test func compilingTwiceGivesTheSameBytes() throws {
    func build() throws -> [UInt8] {
      let b = GraphBuilder()
      let x = b.input("f32[1,4,6,6]")
      let c = try b.value(
        .conv(convAttributes(kernel: [3, 3], padding: .sameUpper)), [x, b.filled("f32[4,4,3,3]", 0.25, name: "w")])
      let s = try b.value(.unary(.sigmoid), [c])
      let y = try b.value(.concat(axis: 1), [c, s, x])
      return try compile(b, outputs: [y]).generated.bytes
    }
    #expect(try build() == build())
  }

  @Test func theListingShowsStepsAndBuffers() throws {
    let b = GraphBuilder()
    let y = try b.value(.unary(.relu), [b.input("f32[4]", name: "in")], name: "act")
    let listing = try compile(b, outputs: [y]).generated.listing()
    #expect(listing.contains("unary(%0)"))
    #expect(listing.contains("\"act\""))
    #expect(listing.contains("arena@"))
    #expect(listing.contains("inputs: in=%0"))
  }
}
