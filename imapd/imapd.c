/* imapd: placeholder until the IMAP session lands. */
#include <stdio.h>

int main(void)
{
	fputs("* BYE not yet\r\n", stdout);
	return 1;
}
