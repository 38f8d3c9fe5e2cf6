import ResPlan
import Testing

/// `PlanConstantWriter` with the checksum computed elsewhere (the plan writer's packing thread does) writes
/// the file `PlanFile.assemble` writes, the checksum counting the zeros between and after the payloads.
@Suite struct PlanConstantWriterTests {
  @Test func aSectionChecksummedElsewhereIsTheSameFile() {
    let metadata: [UInt8] = Array("metadata".utf8)
    var constants = [UInt8](repeating: 0, count: 300)
    let payloads: [(offset: Int, bytes: [UInt8])] = [(0, [1, 2, 3, 4, 5]), (64, Array(0..<100)), (192, [9, 8, 7])]
    for payload in payloads {
      constants.replaceSubrange(payload.offset..<(payload.offset + payload.bytes.count), with: payload.bytes)
    }
    let assembled = PlanFile.assemble(metadata: metadata, constants: constants, producer: "test", requiredFeatures: [])
    let layout = PlanFile.Layout(metadataLength: metadata.count, constantsLength: constants.count)
    var written = [UInt8](repeating: 0, count: layout.fileLength)
    written.withUnsafeMutableBytes { file in
      PlanFile.write(
        metadata: metadata, layout: layout, producer: "test", requiredFeatures: [], to: PlanBufferSink(file)
      ) { writer in
        for payload in payloads {
          payload.bytes.withUnsafeBytes { writer.writeChecksummedElsewhere($0, at: payload.offset) }
        }
        writer.supplyChecksum(PlanChecksum.of(constants))
      }
    }
    #expect(written == assembled)
  }
}
