// The LinuxKernel module; see ../../README.md for the layout.
