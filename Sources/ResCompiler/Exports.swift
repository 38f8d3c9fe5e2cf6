// Users of the façade work with IR graphs, errors and plan summaries directly; re-exporting ResIR and
// ResCodegen spares them more imports; ResPasses names the optimization levels and pass records.
@_exported import ResCodegen
@_exported import ResIR
@_exported import ResPasses
// The one plan-side type the compile options name (`CompileOptions.winogradTile`).
@_exported import enum ResPlan.WinogradTilePolicy
