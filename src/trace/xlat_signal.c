/* xlat_signal: signal names as strace 6.1 prints them on x86-64. */
#include "xlat.h"

#include "shim/shim_fmt.h"

#include <signal.h>

#define S(name) [name] = #name

static const char *const signal_names[] = {
    S(SIGHUP),	S(SIGINT),    S(SIGQUIT), S(SIGILL),	    S(SIGTRAP),	  S(SIGABRT), S(SIGBUS),
    S(SIGFPE),	S(SIGKILL),   S(SIGUSR1), S(SIGSEGV),	    S(SIGUSR2),	  S(SIGPIPE), S(SIGALRM),
    S(SIGTERM), S(SIGSTKFLT), S(SIGCHLD), S(SIGCONT),	    S(SIGSTOP),	  S(SIGTSTP), S(SIGTTIN),
    S(SIGTTOU), S(SIGURG),    S(SIGXCPU), S(SIGXFSZ),	    S(SIGVTALRM), S(SIGPROF), S(SIGWINCH),
    S(SIGIO),	S(SIGPWR),    S(SIGSYS),  [32] = "SIGRTMIN"};

/* The kernel's real-time signal range; glibc's SIGRTMIN is a function of the threading library. */
#define KERNEL_SIGRTMIN 32
#define KERNEL_SIGRTMAX 64

const char *xlat_signal_name(int sig, char *buf, size_t size)
{
	if (sig <= 0)
		return NULL;
	if ((size_t)sig < sizeof(signal_names) / sizeof(signal_names[0]))
		return signal_names[sig];
	if (sig <= KERNEL_SIGRTMAX) {
		shim_snprintf(buf, size, "SIGRT_%d", sig - KERNEL_SIGRTMIN);
		return buf;
	}
	return NULL;
}
