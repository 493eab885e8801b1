#!/bin/sh
# SPDX-License-Identifier: MIT
# Install what building and testing socksify needs on Debian 12 (as root).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake libtool pkg-config check libseccomp-dev \
	iproute2 nftables procps psmisc \
	microsocks dante-server dnsmasq tinyproxy \
	curl wget python3 netcat-openbsd dnsutils shellcheck \
	openssh-server openssh-client passwd binutils mandoc \
	git nodejs ncat socat inetutils-telnet rsync nginx-light openssl \
	ca-certificates clang libclang-rt-14-dev valgrind strace \
	golang-go liburing-dev php-cli php-curl dpkg-dev aria2 nmap \
	python3-pyftpdlib lftp tnftp \
	debhelper fakeroot lintian zsh dante-client \
	openjdk-17-jdk-headless
