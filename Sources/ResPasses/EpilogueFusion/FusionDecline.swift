/// A guard's reason for rejecting a candidate, thrown by the matching helpers so a pattern's `match` can turn
/// it into `.declined(reason)` in one place.
struct FusionDecline: Error {
  let reason: String

  init(_ reason: String) {
    self.reason = reason
  }
}
