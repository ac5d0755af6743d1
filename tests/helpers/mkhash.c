/* mkhash PASSWORD [PREFIX]: print a crypt(3) hash for the auth file.
 * PREFIX is the method: "$6$" (SHA-512, the default here because tests log
 * in often), "$y$" (yescrypt) or "$2b$" (bcrypt). */
#include <crypt.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *out;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: mkhash password [\\$6\\$|\\$y\\$|\\$2b\\$]\n");
		return 2;
	}
	if (!crypt_gensalt_rn(argc == 3 ? argv[2] : "$6$", 0, NULL, 0, salt, sizeof salt)) {
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
