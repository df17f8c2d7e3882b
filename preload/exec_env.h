/* exec_env: the new program's environment decides whether the sockets it inherits are shared
 * with a process not under the shim (intercept_exec.c). */
#ifndef SHIM_PRELOAD_EXEC_ENV_H
#define SHIM_PRELOAD_EXEC_ENV_H

#include <stdbool.h>

/* Before exec/posix_spawn with envp: if it does not preload the shim, mark the sockets the new
 * program inherits (every socket of the process with every_socket). */
void exec_env_check(char *const envp[], bool every_socket);

#endif
