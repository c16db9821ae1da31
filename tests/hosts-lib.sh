# tests/hosts-lib.sh - a stand-in "ssh" for tests of other hosts without an
# sshd (sourced after tests/lib.sh): put first in PATH, it logs its argv to
# $T/ssh.argv and runs the remote command (what follows "-- HOST") here.
# fake_ssh_install
fake_ssh_install() {
	mkdir -p "$T/bin"
	cat >"$T/bin/ssh" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >>"$T/ssh.argv"
while [ "\$1" != -- ]; do shift; done
shift 2
exec "\$@"
EOF
	chmod +x "$T/bin/ssh"
	export PATH="$T/bin:$PATH"
	# a remote qnm that never answers
	printf '#!/bin/sh\nsleep 30\n' >"$T/mute"
	chmod +x "$T/mute"
}
