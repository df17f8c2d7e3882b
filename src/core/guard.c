/* guard: the thread-local "inside the shim" depth (include/shim/guard.h). */
#include "shim/guard.h"

__thread unsigned shim_depth __attribute__((tls_model("initial-exec")));
