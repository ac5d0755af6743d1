/* mkhash PASSWORD [PREFIX [COST]]: print a crypt(3) hash for the auth file.
 * PREFIX is the method: "$6$" (SHA-512, the default here because tests log
 * in often), "$y$" (yescrypt) or "$2b$" (bcrypt); COST its cost parameter
 * (rounds for "$6$"), the method's default when absent. */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *out;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: mkhash password [\\$6\\$|\\$y\\$|\\$2b\\$ [cost]]\n");
		return 2;
	}
	if (!crypt_gensalt_rn(argc >= 3 ? argv[2] : "$6$", argc == 4 ? strtoul(argv[3], NULL, 10) : 0,
			      NULL, 0, salt, sizeof salt)) {
		perror("crypt_gensalt");
		return 1;
	}
	memset(&cd, 0, sizeof cd);
	out = crypt_r(argv[1], salt, &cd);
	if (!out || out[0] == '*') {
		perror("crypt");
		return 1;
	}
	puts(out);
	return 0;
}
