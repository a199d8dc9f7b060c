#!/bin/sh
# The partial plotly.js bundle (2D traces: all the hub draws; 1.5 MB against 4.8 MB) for the
# plotly.js version of the installed plotly.py, from the npm registry, into var/vendor/ (not in
# git). Used by `make plotly-bundle` and the Dockerfile. Without it the app serves plotly.py's
# full bundle and logs that it does, so a failed fetch is reported, never fatal.
# Usage: scripts/fetch_plotly_bundle.sh <python> <project folder>
set -u
python=$1
vendor=$2/var/vendor
version=$("$python" -c "from plotly.offline import get_plotlyjs_version as v; print(v())")
package=plotly.js-cartesian-dist-min
target=$vendor/plotly-cartesian-$version.min.js
[ -f "$target" ] && exit 0
work=$(mktemp -d)
if (cd "$work" && npm pack --silent "$package@$version" >/dev/null) \
    && tar -xzf "$work/$package-$version.tgz" -C "$work" \
    && mkdir -p "$vendor" && cp "$work/package/plotly-cartesian.min.js" "$target"; then
    echo "plotly.js $version cartesian bundle in $target"
else
    echo "Could not fetch $package@$version: the full plotly.js bundle will be served"
fi
rm -rf "$work"
