// The TCXScript module; see ../../README.md for the layout.
