/* A statically linked program: LD_PRELOAD cannot apply to it (shim-run must say so, and run it). */
#include <stdio.h>

int main(void)
{
	puts("static hello");
	return 3;
}
