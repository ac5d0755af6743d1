/* greeter: the per-connection floor.  It does what a mail server must do at
 * the least for "connect, greeting, QUIT": greet, read one line, answer, exit.
 * Built static so that exec costs no dynamic linking. */
#include <unistd.h>

int main(void)
{
	static const char hello[] = "220 floor ready\r\n", bye[] = "221 bye\r\n";
	char c;

	if (write(1, hello, sizeof hello - 1) < 0)
		return 1;
	while (read(0, &c, 1) == 1 && c != '\n')
		;
	return write(1, bye, sizeof bye - 1) < 0;
}
