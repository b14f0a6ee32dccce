#!/usr/bin/env bash
# peer_env.sh - sourced by bench scripts: peer_env, the environment of a NumPy/torch peer.
#
# peer_env prints the VAR=VALUE words (for `env`) that run a peer with a warm allocator
# (bench/warm_malloc.env), or nothing when PEER_MALLOC=default; peer_malloc_note says which.
peer_env() {
  [ "${PEER_MALLOC:-warm}" = default ] ||
    grep -v '^#' "$(dirname "${BASH_SOURCE[0]}")/warm_malloc.env"
}
peer_malloc_note() {
  if [ "${PEER_MALLOC:-warm}" = default ]; then
    echo "peers' allocator: glibc defaults (PEER_MALLOC=default: large temporaries page-fault)"
  else
    echo "peers' allocator: warm ($(peer_env | tr '\n' ' ')from bench/warm_malloc.env;" \
      "PEER_MALLOC=default for glibc's defaults)"
  fi
}
