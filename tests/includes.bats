#!/usr/bin/env bats
# The shape between the files (tests/depcheck): no include cycle, no part
# reaching into another, no two source files calling each other; and the
# tests' own shape (tests/assertcheck): no assertion that cannot fail.

load lib

setup() { T=$(mktemp -d /tmp/facteur-test.XXXXXX); }
teardown() { rm -rf "$T"; }

@test "includes: no include cycle; programs include only their own headers, common/ and message/" {
	run "$TOP/tests/depcheck" includes "$TOP"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "includes: the checker finds a cycle, a program's header in another program, common/ reaching up" {
	mkdir -p "$T/common" "$T/smtpd" "$T/imapd" "$T/message"
	printf '#include "b.h"\n' > "$T/common/a.h"
	printf '#include "a.h"\n' > "$T/common/b.h"
	printf '#include "mime.h"\n' > "$T/common/c.c"
	printf '/* mime */\n' > "$T/message/mime.h"
	printf '#include "view.h"\n#include "a.h"\n#include "mime.h"\n' > "$T/smtpd/x.c"
	printf '/* view */\n' > "$T/imapd/view.h"
	printf '#include "session.h"\n' > "$T/imapd/y.c"
	printf '#include "y.h"\n' > "$T/imapd/session.h"
	printf '#include "session.h"\n' > "$T/imapd/y.h"
	run "$TOP/tests/depcheck" includes "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | wc -l)" -eq 4 ]
	echo "$output" | grep -qx 'include cycle: common/a.h common/b.h'
	echo "$output" | grep -qx 'include cycle: imapd/session.h imapd/y.h'
	echo "$output" | grep -qx 'smtpd/x.c:1: #include "view.h": a header of imapd/'
	echo "$output" | grep -qx 'common/c.c:1: #include "mime.h": common/ may not include message/'
}

@test "calls: no two source files call each other (symbols of the built objects)" {
	# Known on this tree: imapd's respond.c (done() syncs the view) and
	# view.c (bye(), tagged()) call each other; replies and the store are
	# being separated there.
	run "$TOP/tests/depcheck" calls "$TOP"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "calls: the checker finds two files that call each other" {
	mkdir -p "$T/pop3d"
	printf 'void reply(void);\nvoid store(void) { reply(); }\n' > "$T/pop3d/store.c"
	printf 'void store(void);\nvoid reply(void) { }\nvoid run(void) { store(); }\n' > "$T/pop3d/main.c"
	printf 'void run(void);\nint main(void) { run(); return 0; }\n' > "$T/pop3d/top.c"
	for f in store main top; do cc -c -o "$T/pop3d/$f.o" "$T/pop3d/$f.c"; done
	run "$TOP/tests/depcheck" calls "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "call cycle: pop3d/main.c pop3d/store.c (pop3d/main.c uses store; pop3d/store.c uses reply)" ]
}

@test "tests: no assertion that bash's errexit ignores (a bare ! or a chain of [ ] &&)" {
	run "$TOP/tests/assertcheck" "$TOP"/tests/*.bats
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "tests: the assertion checker finds them, and leaves here-documents and guarded lines alone" {
	cat > "$T/t.bats" <<-'EOT'
	t() {
		! grep -q a f
		[ -f a ] && [ -f b ]
		! grep -q a f || false
		[ -f a ] && [ -f b ] || false
		[ -n "$pid" ] && kill "$pid"
		if ! grep -q a f; then :; fi
		python3 - <<-'PY'
		! not shell
		PY
		grep -q a <<< "$x"
		! echo "$out" |
			grep -q b
	}
	EOT
	run "$TOP/tests/assertcheck" "$T/t.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "$T/t.bats:2: ! grep -q a f
$T/t.bats:3: [ -f a ] && [ -f b ]" ]
}
