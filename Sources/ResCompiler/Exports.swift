// Users of the façade work with IR graphs and errors directly; re-exporting ResIR spares them a second import.
@_exported import ResIR
