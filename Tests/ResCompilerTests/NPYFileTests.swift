import ResIR
import Testing

@testable import ResCompiler

@Suite struct NPYFileTests {
  @Test(arguments: [DType.float32, .float16, .float64, .int64, .int32, .int8, .uint8, .bool])
  func roundTripsEveryElementType(_ dtype: DType) throws {
    let value = Constant(dtype: dtype, dims: [2, 3], doubles: [0, 1, 0, 1, 1, 0])
    let parsed = try NPYFile.parse(NPYFile.serialized(value), path: "x.npy")
    #expect(parsed.dims == [2, 3])
    #expect(parsed.dtype == dtype)
    #expect(parsed.doubles() == value.doubles())
  }

  @Test func headersAreAlignedTo64Bytes() {
    let file = NPYFile.serialized(Constant(floats: [1, 2, 3], dims: [3]))
    #expect((file.count - 12) % 64 == 0)
  }

  /// The header numpy 2.4 writes for `np.save('x.npy', np.array([1.5, -2], dtype='=f4'))`, whitespace included.
  @Test func readsAHeaderAsNumpyWritesIt() throws {
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
    let padded = dict + String(repeating: " ", count: 128 - 10 - dict.utf8.count - 1) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(padded.utf8.count), 0] + Array(padded.utf8)
    withUnsafeBytes(of: Float(1.5)) { bytes += $0 }
    withUnsafeBytes(of: Float(-2)) { bytes += $0 }
    let value = try NPYFile.parse(bytes, path: "x.npy")
    #expect(value.dims == [2])
    #expect(value.doubles() == [1.5, -2])
  }

  @Test(arguments: [
    ("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "element type '>f4'"),
    ("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "Fortran order"),
    ("{'descr': '<U8', 'fortran_order': False, 'shape': (1,), }", "element type '<U8'"),
    ("{'descr': '<f4', 'shape': (1,), }", "lacks"),
  ])
  func refusesWhatItCannotRepresent(header: String, problem: String) {
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
    bytes += [0, 0, 0, 0]
    #expect {
      try NPYFile.parse(bytes, path: "x.npy")
    } throws: { error in
      "\(error)".contains(problem)
    }
  }

  @Test func refusesDataOfTheWrongSize() {
    var file = NPYFile.serialized(Constant(floats: [1, 2, 3], dims: [3]))
    file.removeLast()
    #expect(throws: ModelError.self) { try NPYFile.parse(file, path: "x.npy") }
  }
}
