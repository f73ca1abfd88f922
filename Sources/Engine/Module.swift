// The Engine module; see ../../README.md for the layout.
