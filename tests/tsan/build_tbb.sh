#!/bin/bash
# Builds oneTBB with ThreadSanitizer for `make tsan`, so that TSan sees TBB's own synchronisation
# (task hand-over, work stealing, thread parking) instead of reporting every task as a race.
#   tests/tsan/build_tbb.sh [PREFIX]      (default build/tsan-deps; the tsan preset looks there)
# Exactly the version of Debian's libtbb-dev, from Debian's source package with Debian's patches,
# fetched through a private apt configuration (the system's apt sources are left alone).
# Idempotent: does nothing when PREFIX already holds this version built with these options.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=$(mkdir -p "${1:-$SRC/build/tsan-deps}" && cd "${1:-$SRC/build/tsan-deps}" && pwd)
WORK=$PREFIX/src
PACKAGE=$(dpkg-query -W -f='${source:Package}' libtbb-dev)  # onetbb
VERSION=$(dpkg-query -W -f='${source:Version}' libtbb-dev)
# -Wno-tsan: g++ warns, 47 times, that TSan ignores the std::atomic_thread_fence in TBB's sleep and
# wake-up protocol (concurrent_monitor). TSan could only report too much there, never too little,
# and the study tests draw no report from it.
CONFIG=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBB_SANITIZE=thread -DCMAKE_CXX_FLAGS=-Wno-tsan
        -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBBMALLOC_BUILD=OFF -DTBB_DISABLE_HWLOC_AUTOMATIC_SEARCH=ON
        -DTBB_STRICT=OFF -DCMAKE_INSTALL_LIBDIR=lib)
STAMP="$PACKAGE $VERSION ${CONFIG[*]}"
if [ -f "$PREFIX/stamp" ] && [ "$(cat "$PREFIX/stamp")" = "$STAMP" ]; then
    echo "ThreadSanitizer $PACKAGE $VERSION already in $PREFIX"
    exit 0
fi
# Only a prefix this script made (it holds src/) is cleared for a rebuild.
if [ -n "$(ls -A "$PREFIX")" ] && [ ! -d "$WORK" ]; then
    echo "$PREFIX is neither empty nor made by $0: give an empty or new directory" >&2
    exit 1
fi
rm -rf "${WORK:?}" "${PREFIX:?}"/{stamp,lib,include,share}
mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial"

# apt checks the Release signature and, through the Sources index, the hashes of the .dsc and
# the tarballs; dpkg-source -x checks them again (its warning that it cannot verify the .dsc's
# own signature, without the debian-keyring package, is expected). Only the sources list, the
# lists and the cache of apt are redirected.
cat > "$WORK/apt/debian-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
APT=(apt-get -q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$WORK/apt"
     -o Dir::State::Lists="$WORK/apt/lists" -o Dir::Cache="$WORK/apt/cache")
echo "Fetching the source of $PACKAGE $VERSION (Debian's libtbb-dev)"
"${APT[@]}" update
(cd "$WORK" && "${APT[@]}" source --download-only "$PACKAGE=$VERSION")
(cd "$WORK" && dpkg-source -x "${PACKAGE}_"*.dsc tbb)

echo "Building libtbb with -fsanitize=thread into $PREFIX"
t0=$(date +%s)
cmake -S "$WORK/tbb" -B "$WORK/build" "${CONFIG[@]}" -DCMAKE_INSTALL_PREFIX="$PREFIX" > "$WORK/configure.log"
cmake --build "$WORK/build" -j "$(nproc)"
cmake --install "$WORK/build" > "$WORK/install.log"
echo "$STAMP" > "$PREFIX/stamp"
echo "ThreadSanitizer $PACKAGE $VERSION built in $(($(date +%s) - t0)) s"
