/* intercept_exec: a program started without the shim inherits sockets the shim owns.
 *
 * execve and its family (intercept_wait.c, which also sends held frames first) and posix_spawn
 * look at the environment the new program gets: if it does not preload libshim, the sockets it
 * inherits are shared with a process whose changes to them nobody announces, and from then on they
 * go through the kernel socket in every process under the shim that holds them
 * (fdev_before_foreign_exec). glibc's system() and popen() spawn with the program's own
 * environment through internal calls the shim does not see. */
#include "exec_env.h"
#include "shim/fdevents.h"

#include <dlfcn.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

#define REAL(name)                                                                                 \
	({                                                                                         \
		static __typeof__(&name) p_;                                                       \
		if (__builtin_expect(p_ == NULL, 0))                                               \
			p_ = (__typeof__(&name))dlsym(RTLD_NEXT, #name);                           \
		p_;                                                                                \
	})

/* Whether a program started with envp runs under the shim: LD_PRELOAD names libshim. (A shim
 * loaded from /etc/ld.so.preload is not seen: its sockets then go to the kernel needlessly, never
 * wrongly.) */
static bool env_preloads_shim(char *const envp[])
{
	static const char key[] = "LD_PRELOAD=";

	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], key, sizeof(key) - 1) == 0 &&
		    strstr(envp[i] + sizeof(key) - 1, "libshim") != NULL)
			return true;
	return false;
}

void exec_env_check(char *const envp[], bool every_socket)
{
	if (!env_preloads_shim(envp))
		fdev_before_foreign_exec(every_socket);
}

/* The file actions may hand any fd to the new program (dup2 clears FD_CLOEXEC), and what they hold
 * cannot be read: with file actions, every socket counts as inherited. */
SHIM_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	exec_env_check(envp, fa != NULL);
	return REAL(posix_spawn)(pid, path, fa, attr, argv, envp);
}

SHIM_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	exec_env_check(envp, fa != NULL);
	return REAL(posix_spawnp)(pid, file, fa, attr, argv, envp);
}
