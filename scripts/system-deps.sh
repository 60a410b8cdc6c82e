#!/usr/bin/env bash
# Install the Debian packages pip cannot provide, only those that are missing.
#   fonts-noto-core      the report's font (Noto Sans), embedded on purpose in every PDF
#   fonts-noto-cjk, fonts-noto-color-emoji   Chinese, Japanese, Korean and emoji in content
#   libharfbuzz-subset0  fast, byte-stable font subsetting in WeasyPrint
#   poppler-utils        pdftotext / pdftoppm, used by the tests to read PDFs back
#   chromium, nodejs     headless browser and runtime for the axe-core accessibility check
#   python3-venv         lets Debian's Python (which the Makefile prefers) create .venv
#   libreoffice-writer-nogui, libreoffice-impress-nogui   LibreOffice headless, to lay out the
#                        .docx and .pptx as a reader's office suite does (look at them as PDF)
#   python3-uno          LibreOffice's Python bridge: the tests accept and reject the tracked
#                        changes of the changes file in LibreOffice itself
set -euo pipefail
packages=(fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji libharfbuzz-subset0 poppler-utils libpango-1.0-0 libpangoft2-1.0-0 chromium nodejs
          libreoffice-writer-nogui libreoffice-impress-nogui python3-uno "$@")
command -v npm >/dev/null || packages+=(npm)   # a nodejs from elsewhere may already ship npm
if [ -x /usr/bin/python3 ]; then packages+=(python3-venv); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
