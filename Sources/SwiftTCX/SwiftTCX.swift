@_exported import TCX
@_exported import BPFCore
