import Foundation
import ResIR

/// NumPy's `.npy` format, for `rescompile run -i NAME=FILE.npy` and `.npy` outputs: the way most Python users
/// hold a test input.
///
/// Version 1.0–3.0 headers, C order, little-endian (or byte-order-free) element types that map to IR dtypes.
/// Anything else (Fortran order, big-endian, object arrays) is refused with the reason.
public enum NPYFile {
  private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  public static func read(at path: String) throws(ModelError) -> Constant {
    let bytes: [UInt8]
    do {
      bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw ModelError("cannot read '\(path)': \(error.localizedDescription)")
    }
    return try parse(bytes, path: path)
  }

  static func parse(_ bytes: [UInt8], path: String) throws(ModelError) -> Constant {
    func fail(_ message: String) -> ModelError { ModelError("'\(path)' is not a usable .npy file: \(message)") }
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("missing the NUMPY magic") }
    let major = bytes[6]
    let (headerLength, headerStart): (Int, Int)
    switch major {
    case 1: (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
    case 2, 3:
      guard bytes.count >= 12 else { throw fail("truncated header") }
      headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
      headerStart = 12
    default: throw fail("format version \(major) is not supported")
    }
    guard headerStart + headerLength <= bytes.count else { throw fail("truncated header") }
    let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    let fields = try NPYHeader(parsing: header, fail: fail)
    guard let count = TensorType.checkedProduct(fields.shape), count < 1 << 40 else {
      throw fail("shape \(fields.shape) is too large")
    }
    let dataStart = headerStart + headerLength
    let byteCount = count * fields.dtype.byteWidth
    guard bytes.count - dataStart == byteCount else {
      throw fail("holds \(bytes.count - dataStart) data bytes, shape \(fields.shape) needs \(byteCount)")
    }
    let data = bytes[dataStart...].withUnsafeBytes { TensorBytes(copying: $0) }
    return Constant(dtype: fields.dtype, dims: fields.shape, bytes: data)
  }

  /// `value` as a version 1.0 `.npy` file.
  public static func serialized(_ value: Constant) -> [UInt8] {
    let shape = value.dims.count == 1 ? "(\(value.dims[0]),)" : "(\(value.dims.map(String.init).joined(separator: ", ")))"
    var header = "{'descr': '\(NPYHeader.descriptor(of: value.dtype))', 'fortran_order': False, 'shape': \(shape), }"
    let unpadded = magic.count + 4 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var out = magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    out += Array(header.utf8)
    value.bytes.withUnsafeBytes { out += $0 }
    return out
  }
}

/// The dictionary in a `.npy` header: `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }`.
private struct NPYHeader {
  var dtype: DType
  var shape: [Int]

  static let descriptors: [(String, DType)] = [
    ("<f4", .float32), ("<f2", .float16), ("<f8", .float64), ("<i8", .int64), ("<i4", .int32), ("|i1", .int8),
    ("|u1", .uint8), ("|b1", .bool),
  ]

  static func descriptor(of dtype: DType) -> String {
    descriptors.first { $0.1 == dtype }!.0
  }

  init(parsing header: String, fail: (String) -> ModelError) throws(ModelError) {
    guard let descr = NPYHeader.value(of: "descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")),
      let fortran = NPYHeader.value(of: "fortran_order", in: header),
      let shapeText = NPYHeader.value(of: "shape", in: header)
    else { throw fail("header lacks descr, fortran_order or shape") }
    // The first character is the byte order: '<' little, '=' native (little on every supported host), '|' not
    // applicable (one-byte types), '>' big (refused).
    guard descr.count == 3, descr.first != ">",
      let dtype = NPYHeader.descriptors.first(where: { $0.0.dropFirst() == descr.dropFirst() })?.1
    else { throw fail("element type '\(descr)' is not supported") }
    guard fortran.trimmingCharacters(in: .whitespaces) == "False" else { throw fail("Fortran order is not supported") }
    let digits = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
    var shape: [Int] = []
    for part in digits.split(separator: ",") {
      let trimmed = part.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      guard let dim = Int(trimmed), dim >= 0 else { throw fail("bad shape '\(shapeText)'") }
      shape.append(dim)
    }
    self.dtype = dtype
    self.shape = shape
  }

  /// The text after `'key':` up to the next top-level comma (a tuple's commas are inside parentheses).
  private static func value(of key: String, in header: String) -> String? {
    guard let keyRange = header.range(of: "'\(key)':") else { return nil }
    var depth = 0
    var result = ""
    for character in header[keyRange.upperBound...] {
      if character == "(" { depth += 1 }
      if character == ")" { depth -= 1 }
      if (character == "," && depth == 0) || character == "}" { break }
      result.append(character)
    }
    return result.trimmingCharacters(in: .whitespaces)
  }
}
