#!/usr/bin/env bash
# Renders images/icon.svg to the 128x128 images/icon.png the Marketplace shows (needs ImageMagick:
# apt-get install -y imagemagick). Run from anywhere; commit both files.
set -euo pipefail
cd "$(dirname "$0")"
convert -background none -density 96 icon.svg -resize 128x128 PNG32:icon.png
identify icon.png
