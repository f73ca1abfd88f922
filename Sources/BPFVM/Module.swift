// The BPFVM module; see ../../README.md for the layout.
