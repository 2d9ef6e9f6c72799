#!/usr/bin/env bash
# Writes the TLS fixtures of the tests (test/fixtures/tls/): a private CA, a server certificate it signs for
# 127.0.0.1/localhost, one for another name, an expired one, a self-signed one, and a client certificate (mTLS).
# Test material only: the keys are public in this repository. Valid until 2125; run again to renew.
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/tls"
days=36500
subj() { echo "/O=idp-conformance tests/CN=$1"; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days -subj "$(subj 'test CA')" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
leaf() { # name, SAN, extended usage, [start end]
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$(subj "$1")" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$2" "$3" > "$1.ext"
  if [ $# -ge 5 ]; then
    mkdir -p ca-db && : > ca-db/index.txt && echo 01 > ca-db/serial
    printf '[ca]\ndefault_ca=d\n[d]\ndatabase=ca-db/index.txt\nserial=ca-db/serial\nnew_certs_dir=ca-db\ndefault_md=sha256\npolicy=p\ncopy_extensions=none\n[p]\nO=optional\nCN=supplied\n' > ca.cnf
    openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in "$1.csr" -out "$1.pem" -startdate "$4" -enddate "$5" -extfile "$1.ext" -notext 2>/dev/null
    rm -rf ca-db ca.cnf
  else
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days $days -extfile "$1.ext" 2>/dev/null
  fi
  rm -f "$1.csr" "$1.ext" ca.srl
}
leaf server 'IP:127.0.0.1,DNS:localhost' serverAuth
leaf wrong-name 'DNS:wrong.example' serverAuth
leaf expired 'IP:127.0.0.1,DNS:localhost' serverAuth 20200101000000Z 20210101000000Z
leaf client 'DNS:idpc-client' clientAuth
openssl req -x509 -newkey rsa:2048 -nodes -keyout self-signed.key -out self-signed.pem -days $days -subj "$(subj 'self-signed')" \
  -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null
ls
