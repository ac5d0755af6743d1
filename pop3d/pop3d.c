/* pop3d: placeholder until the POP3 session lands. */
#include <stdio.h>

int main(void)
{
	fputs("-ERR not yet\r\n", stdout);
	return 1;
}
