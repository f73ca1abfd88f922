#ifndef CBPFSYS_STDOUT_H
#define CBPFSYS_STDOUT_H

#include <stdio.h>

/* Flushes standard output and says whether anything written to it was lost (a full disk,
 * /dev/full, a closed pipe). Swift 6 cannot name the C global `stdout` itself. */
static inline int cbpfsys_stdout_failed(void) {
    return fflush(stdout) != 0 || ferror(stdout) != 0;
}

#endif
