import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// Constants: 64-byte aligned, identical bytes stored once, unread constants not stored.
@Suite struct ConstantSectionTests {
  @Test func identicalConstantsAreStoredOnce() throws {
    let b = GraphBuilder()
    let x = b.input("f32[3]")
    let first = try b.value(.binary(.add), [x, b.floats([1, 2, 3], [3], name: "one")])
    let second = try b.value(.binary(.mul), [first, b.floats([1, 2, 3], [3], name: "same_bytes")])
    let third = try b.value(.binary(.sub), [second, b.floats([4, 5, 6], [3], name: "other")])
    let (generated, plan) = try compile(b, outputs: [third])
    let offsets = plan.steps.map { plan.buffer($0.inputs[1]).constantOffset }
    #expect(offsets == [0, 0, 64])
    #expect(plan.constants.count == 64 + 12)
    #expect(generated.summary.constantCount == 2)
    #expect(plan.floats(plan.steps[2].inputs[1]) == [4, 5, 6])
  }

  @Test func constantsNoStepReadsAreNotStored() throws {
    let b = GraphBuilder()
    _ = b.filled("f32[1000]", 1, name: "unused")
    let y = try b.value(.unary(.relu), [b.input("f32[4]")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.constants.isEmpty)
    #expect(plan.header.constantsOffset % 64 == 0)
  }

  @Test func everyConstantStartsOnA64ByteBoundary() throws {
    let b = GraphBuilder()
    var value = b.input("f32[5]")
    for index in 0..<6 {
      value = try b.value(
        .binary(.add), [value, b.floats([Float](repeating: Float(index), count: 5), [5], name: "c\(index)")])
    }
    let (_, plan) = try compile(b, outputs: [value])
    let offsets = plan.steps.map { plan.buffer($0.inputs[1]).constantOffset }
    #expect(offsets == [0, 64, 128, 192, 256, 320])
  }
}
