#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The C library's double-precision functions the scalar paths use, under names that cannot collide with
/// Foundation's overlays.
enum LibM {
  static func pow(_ x: Double, _ y: Double) -> Double { Glibc_pow(x, y) }
  static func fmod(_ x: Double, _ y: Double) -> Double { Glibc_fmod(x, y) }
  static func exp(_ x: Double) -> Double { Glibc_exp(x) }
  static func expm1(_ x: Double) -> Double { Glibc_expm1(x) }
  static func log1p(_ x: Double) -> Double { Glibc_log1p(x) }
  static func log(_ x: Double) -> Double { Glibc_log(x) }
  static func sin(_ x: Double) -> Double { Glibc_sin(x) }
  static func cos(_ x: Double) -> Double { Glibc_cos(x) }
  static func tanh(_ x: Double) -> Double { Glibc_tanh(x) }
  static func erf(_ x: Double) -> Double { Glibc_erf(x) }
}

// Module-level forwarding functions: inside `LibM`, the C names would resolve to the static members above.
private func Glibc_pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
private func Glibc_fmod(_ x: Double, _ y: Double) -> Double { fmod(x, y) }
private func Glibc_exp(_ x: Double) -> Double { exp(x) }
private func Glibc_expm1(_ x: Double) -> Double { expm1(x) }
private func Glibc_log1p(_ x: Double) -> Double { log1p(x) }
private func Glibc_log(_ x: Double) -> Double { log(x) }
private func Glibc_sin(_ x: Double) -> Double { sin(x) }
private func Glibc_cos(_ x: Double) -> Double { cos(x) }
private func Glibc_tanh(_ x: Double) -> Double { tanh(x) }
private func Glibc_erf(_ x: Double) -> Double { erf(x) }
