#!/usr/bin/env bash
# Makes the certificates the TLS tests use, with the openssl CLI, into DIR (skipped when DIR
# already holds them): a test CA, a server certificate it signed for localhost, 127.0.0.1
# and ::1, a client certificate it signed (mutual TLS), and a second CA the tests do not
# trust. EC P-256 keys: generated in milliseconds. Valid for 30 days from now.
#   bash tests/support/make-test-certs.sh DIR
set -euo pipefail
dir=$1
[[ -f $dir/server.pem ]] && exit 0
tmp=$(mktemp -d "${dir%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { # name subject
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 30 -subj "$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() { # name subject ca extensions
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "$2"
  printf '%s\n' "$4" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.pem" \
    -days 30 -extfile "$1.ext" 2>/dev/null
}
ca ca "/CN=sockjs-cpp test CA"
ca other-ca "/CN=sockjs-cpp untrusted CA"
leaf server /CN=localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
leaf client /CN=test-client ca "extendedKeyUsage=clientAuth"
leaf stranger /CN=localhost other-ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
rm -f ./*.csr ./*.ext ./*.srl
mkdir -p "$(dirname "$dir")"
# Another test process may have made them meanwhile: keep the first complete set.
mv -T "$tmp" "$dir" 2>/dev/null || true
