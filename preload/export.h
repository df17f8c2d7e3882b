/* export: how the functions the program calls instead of libc's are marked.
 *
 * Exported, and not instrumented by AddressSanitizer in the sanitized build: an allocator's
 * constructor calls them (jemalloc calls syscall() and close() while it initialises) before the
 * ASan runtime, loaded after it as the shim's dependency, has mapped its shadow memory; an
 * instrumented entry faulted on its first shadow access (jemalloc preloaded before the ASan-built
 * shim: SIGSEGV at start). They only decide whether to go straight to the kernel (guard.h) or into
 * the shim, whose code stays instrumented; syscall()'s six va_arg reads, which pass the arguments
 * an instrumented caller gave, are no longer reported either. */
#ifndef SHIM_PRELOAD_EXPORT_H
#define SHIM_PRELOAD_EXPORT_H

#include "shim/guard.h"

#define SHIM_EXPORT __attribute__((visibility("default"))) SHIM_UNSANITIZED

#endif
