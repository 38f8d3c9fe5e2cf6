/// IEEE 754 binary16 ⇄ binary32 conversion on bit patterns.
///
/// Written out rather than using `Float16`, which Swift does not offer on every platform the runtime builds
/// for (macOS on x86-64). Conversion to half rounds to nearest, ties to even, like the hardware instruction;
/// a signaling NaN comes back quiet from either direction, as from the instructions (x86 F16C, arm64).
public enum HalfPrecision {
  public static func float(fromBits bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = Int(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x03FF)
    if exponent == 0x1F {
      return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13) | (mantissa == 0 ? 0 : 0x0040_0000))
    }
    if exponent == 0 {
      // Zero or subnormal: mantissa · 2⁻²⁴, exact in binary32.
      let magnitude = Float(mantissa) * (1.0 / 16_777_216.0)
      return sign == 0 ? magnitude : -magnitude
    }
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
  }

  public static func bits(from value: Float) -> UInt16 {
    let raw = value.bitPattern
    let sign = UInt16((raw >> 16) & 0x8000)
    let exponent = Int((raw >> 23) & 0xFF)
    let mantissa = raw & 0x007F_FFFF
    if exponent == 0xFF {
      // Infinity stays infinity; NaN stays a (quiet) NaN.
      return sign | 0x7C00 | (mantissa == 0 ? 0 : 0x0200 | UInt16(mantissa >> 13))
    }
    let halfExponent = exponent - 127 + 15
    if halfExponent >= 0x1F { return sign | 0x7C00 }
    if halfExponent <= 0 {
      // Subnormal half (or zero): shift the full significand into place, rounding to nearest even.
      if halfExponent < -10 { return sign }
      let significand = mantissa | 0x0080_0000
      let shift = UInt32(14 - halfExponent)
      return sign | UInt16(roundShift(significand, by: shift))
    }
    let rounded = roundShift(UInt32(halfExponent) << 23 | mantissa, by: 13)
    // A carry out of the mantissa increments the exponent, up to infinity: exactly IEEE behaviour.
    return sign | UInt16(rounded)
  }

  /// `value >> shift`, rounded to nearest with ties to even.
  private static func roundShift(_ value: UInt32, by shift: UInt32) -> UInt32 {
    let truncated = value >> shift
    let remainder = value & ((1 << shift) - 1)
    let half: UInt32 = 1 << (shift - 1)
    if remainder > half || (remainder == half && truncated & 1 == 1) { return truncated + 1 }
    return truncated
  }
}
