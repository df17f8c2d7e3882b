/* asan_options: the sanitized build's AddressSanitizer defaults (ASAN_OPTIONS overrides them).
 *
 * verify_asan_link_order=0: the ASan-built shim runs also where the sanitizer runtime is not first
 * in LD_PRELOAD (a program started with another allocator, jemalloc, before the shim): malloc and
 * the other intercepted functions then stay the program's, and the shim's own code is still
 * checked. Without it ASan ends such a process at start ("ASan runtime does not come first"). */
#ifdef __SANITIZE_ADDRESS__

const char *__asan_default_options(void);

__attribute__((visibility("default"))) const char *__asan_default_options(void)
{
	return "verify_asan_link_order=0";
}
#else
typedef int shim_asan_options_unused; /* the plain build: nothing */
#endif
