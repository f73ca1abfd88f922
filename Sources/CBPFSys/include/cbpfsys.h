#ifndef CBPFSYS_H
#define CBPFSYS_H
/* Placeholder header; the kernel backend fills this module. */
int cbpfsys_placeholder(void);
#endif
