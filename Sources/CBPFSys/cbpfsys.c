#include "cbpfsys.h"
int cbpfsys_placeholder(void) { return 0; }
