// The MultiProg module; see ../../README.md for the layout.
