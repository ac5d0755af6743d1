#!/usr/bin/env bats
# make install and make uninstall into a DESTDIR: what goes where, with which
# owner and mode, and that uninstall takes back exactly that.

load lib

setup() {
	T=$(mktemp -d /tmp/facteur-test.XXXXXX)
	D=$T/root
	mk() { make -s -C "$TOP" "$@" DESTDIR="$D" SPOOL_USER=nobody SPOOL_GROUP=nogroup >"$T/make.out" 2>&1; }
}
teardown() { rm -rf "$T"; }

@test "install: programs, tool, man pages, service files and stunnel configs, paths filled in" {
	mk install
	L=$D/usr/local
	for p in smtpd pop3d imapd; do
		[ -x "$L/libexec/facteur/$p" ]
		[ -f "$L/share/man/man8/facteur-$p.8" ]
		[ ! -e "$L/share/man/man8/$p.8" ]	# mailutils' names stay free
	done
	[ -x "$L/sbin/facteur-user" ]
	[ -f "$L/share/man/man8/facteur-user.8" ]
	[ "$(ls "$D/etc/xinetd.d" | wc -l)" = 7 ]
	[ "$(ls "$L/lib/systemd/system" | wc -l)" = 14 ]
	! grep -rq '@[A-Z]*@' "$D/etc" "$L/lib/systemd" || false
	# every unit documents itself with a page that was installed
	for m in $(grep -ho 'man:facteur-[a-z0-9]*(8)' "$L"/lib/systemd/system/* | sort -u); do
		m=${m#man:}; [ -f "$L/share/man/man8/${m%(8)}.8" ]
	done
	grep -q "^exec = /usr/local/libexec/facteur/imapd" "$D/etc/facteur/stunnel/imaps.conf"
	grep -q "^execArgs = smtpd -A -S -s /var/spool/facteur" "$D/etc/facteur/stunnel/submissions.conf"
	grep -q "^cert = /etc/facteur/tls/cert.pem" "$D/etc/facteur/stunnel/certificate.d/certificate.conf"
	grep -q "^ExecStart=-$(command -v stunnel4) /etc/facteur/stunnel/pop3s.conf" "$L/lib/systemd/system/facteur-pop3s@.service"
}

@test "install: xinetd files are off and bound to loopback; sockets listen on loopback" {
	mk install
	for f in "$D"/etc/xinetd.d/facteur-*; do
		grep -qP '^\tdisable\t\t= yes$' "$f"
		grep -qP '^\tbind\t\t= 127.0.0.1$' "$f"
	done
	for f in "$D"/usr/local/lib/systemd/system/*.socket; do
		[ "$(grep '^ListenStream=' "$f" | grep -vc '^ListenStream=127.0.0.1:')" = 0 ]
	done
}

@test "install: owners and modes of the spool, the configuration and the auth file" {
	mk install
	[ "$(stat -c '%U:%G %a' "$D/var/spool/facteur")" = "nobody:nogroup 700" ]
	[ "$(stat -c '%U %a' "$D/etc/facteur/users")" = "root 600" ]
	[ "$(stat -c '%a' "$D/etc/facteur/tls")" = 700 ]
	[ "$(stat -c '%a' "$D/etc/facteur")" = 755 ]
	# a second install keeps the users and the certificate setting
	echo "alice:x" > "$D/etc/facteur/users"
	echo "cert = /elsewhere.pem" > "$D/etc/facteur/stunnel/certificate.d/certificate.conf"
	mk install
	[ "$(cat "$D/etc/facteur/users")" = "alice:x" ]
	grep -q elsewhere "$D/etc/facteur/stunnel/certificate.d/certificate.conf"
}

@test "uninstall: removes every file install made and nothing else" {
	mk install
	mk uninstall
	[ -z "$(find "$D" -type f)" ]
	[ -z "$(cd "$D" && find . -path '*facteur*')" ]
	# what the admin filled in stays: users, certificate setting, mail
	mk install
	echo "alice:x" > "$D/etc/facteur/users"
	echo "cert = /elsewhere.pem" > "$D/etc/facteur/stunnel/certificate.d/certificate.conf"
	mkdir "$D/var/spool/facteur/alice"; echo mail > "$D/var/spool/facteur/alice/INBOX"
	touch "$D/etc/xinetd.d/someone-else"
	mk uninstall
	[ "$(find "$D" -type f | sed "s|^$D||" | sort | tr '\n' ' ')" = \
	  "/etc/facteur/stunnel/certificate.d/certificate.conf /etc/facteur/users /etc/xinetd.d/someone-else /var/spool/facteur/alice/INBOX " ]
}
