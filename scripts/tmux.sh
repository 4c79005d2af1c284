#!/usr/bin/env bash
# tmux.sh makes sure tmux is installed, for the e2e tests that run berth in
# a real terminal (a tmux pane of a chosen size) and read the screen back.
#
#   scripts/tmux.sh ensure    install tmux when missing (Debian's package,
#                             needs root); print the path of the tmux binary
#
# Idempotent: with tmux present it only prints the path. Nothing else on the
# machine is changed; the tests run tmux on a private socket (-L), never the
# user's own server.
set -euo pipefail
shopt -s inherit_errexit

log() { printf 'tmux.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

ensure() {
	if ! command -v tmux >/dev/null; then
		[[ $(id -u) == 0 ]] || die "tmux is missing and installing it needs root: apt-get install tmux"
		log "installing tmux"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq --no-install-recommends tmux >&2 || die "could not install tmux"
	fi
	command -v tmux
}

case ${1:-} in
ensure) ensure ;;
*) die "usage: $0 ensure" ;;
esac
