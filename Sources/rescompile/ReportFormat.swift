import ArgumentParser

/// `--format text|json` of `inspect` and `bench`: text for people, JSON for scripts (DESIGN.md §8's keys).
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
  case text
  case json
}
